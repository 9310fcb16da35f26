/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Umbrella header for the rpm and dpkg adapters and the command. */
#ifndef EVMPKG_H
#define EVMPKG_H

#include "evmpkg/accounts.h"
#include "evmpkg/atomicfile.h"
#include "evmpkg/caps.h"
#include "evmpkg/err.h"
#include "evmpkg/evmdigest.h"
#include "evmpkg/filehash.h"
#include "evmpkg/hashalgo.h"
#include "evmpkg/hex.h"
#include "evmpkg/installed.h"
#include "evmpkg/keys.h"
#include "evmpkg/keystore.h"
#include "evmpkg/kstate.h"
#include "evmpkg/manifest.h"
#include "evmpkg/pkgcheck.h"
#include "evmpkg/pkgverify.h"
#include "evmpkg/pool.h"
#include "evmpkg/reader.h"
#include "evmpkg/sequencer.h"
#include "evmpkg/signer.h"
#include "evmpkg/sigreq.h"
#include "evmpkg/trustpaths.h"
#include "evmpkg/verdict.h"
#include "evmpkg/verify.h"
#include "evmpkg/sigformat.h"
#include "evmpkg/xattrs.h"

#endif
