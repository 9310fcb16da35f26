# SPDX-License-Identifier: GPL-2.0-or-later
# The release matrix (tests/matrix/run.sh): each Debian release of the
# matrix in a chroot of its own. `make check` runs it through tests/check.sh;
# these targets run it alone: check-matrix (every release), check-RELEASE
# (one), each step printing its own "N passed, N failed".

MATRIX_RELEASES := trixie sid
MATRIX_STEPS := setup unit oracle rpm dpkg deb package

# What the tiers run, built inside the chroot (run.sh setup).
matrix-deps: all $(B)/unit-tests $(CHECK_DEPS)

check-matrix: $(MATRIX_RELEASES:%=check-%)

$(MATRIX_RELEASES:%=check-%): check-%:
	@start=$$(date +%s); rc=0; \
	for s in $(MATRIX_STEPS); do \
		B=$(B) tests/matrix/run.sh $* $$s || rc=1; \
	done; \
	echo "matrix $*: $$(( $$(date +%s) - start ))s wall"; exit $$rc

.PHONY: matrix-deps check-matrix $(MATRIX_RELEASES:%=check-%)
