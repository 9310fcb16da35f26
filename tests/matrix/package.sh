# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by tests/matrix/run.sh: the "package" step. evmpkg as a user of
# the release gets it: the Debian packages built by dpkg-buildpackage in the
# release's chroot and checked by lintian, installed with apt into a clean
# chroot of the release (mmdebstrap and `install-deps --test`: the test
# tools, no compiler), and the rpm plugin and dpkg hook tiers run there
# against the installed files. Then the rpm spec is built with rpmbuild in
# the build chroot, as far as it goes without Fedora's build dependencies,
# and its file list compared with `make install`.

# The clean base, kept as a tarball beside the chroot and made again with
# it (same key, same age).
clean_base() {
	local tar=$MB/clean.tar
	if [ ! -s "$tar" ] || [ "$(cat "$MB/clean.stamp" 2>/dev/null)" != "$(deps_key)" ] ||
		[ -n "$(find "$tar" -mtime "+$((MAX_AGE_DAYS - 1))")" ]; then
		echo "$REL: making the clean chroot (mmdebstrap, install-deps --test)" >&2
		rm -rf "$MB/clean.new.tar" "$tar.new"
		nice mmdebstrap --variant=apt "${APTOPTS[@]}" \
			--customize-hook="copy-in packaging/install-deps /usr/local/sbin" \
			--customize-hook='chroot "$1" /usr/local/sbin/install-deps --test' \
			--customize-hook='chroot "$1" apt-get clean' \
			"$REL" "$MB/clean.new.tar" >"$MB/clean.log" 2>&1 ||
			{ tail -n 10 "$MB/clean.log" >&2; rm -rf "$MB/clean.new.tar"; return 1; }
		mv "$MB/clean.new.tar" "$tar"
		deps_key >"$MB/clean.stamp"
	fi
	echo "$tar"
}

# The installed files seen through a build directory: the tiers' scripts
# take every program from $B, here a tree of links to where the packages
# put them (found with dpkg -L), plus the one test-only program.
installed_view() {
	local r=$1 v=$1/src/build f
	mkdir -p "$v/rpm-plugin" "$v/dpkg-hook" "$v/tests"
	ln -sf /usr/bin/evmpkg "$v/evmpkg"
	ln -sf /usr/sbin/evmpkg-dpkg-hook "$v/dpkg-hook/evmpkg-dpkg-hook"
	ln -sf /usr/sbin/evmpkg-dpkg "$v/dpkg-hook/evmpkg-dpkg"
	f=$(chroot "$r" dpkg -L rpm-plugin-evmpkg | grep '/zz_evmpkg\.so$')
	[ -n "$f" ] && ln -sf "$f" "$v/rpm-plugin/zz_evmpkg.so"
	f=$(chroot "$r" dpkg -L rpm-plugin-evmpkg | grep '/macros\.transaction_zz_evmpkg$')
	[ -n "$f" ] && ln -sf "$f" "$v/rpm-plugin/macros.transaction_zz_evmpkg"
	cp "$ROOT/src/build/tests/rpm-tamper" "$v/tests/rpm-tamper"
}

# The spec's %files against `make install`: every installed file must be
# packaged and every packaged path installed. rpmbuild -bi runs %prep,
# %build and %install without Fedora's BuildRequires (-nodeps), in a copy
# of the sources as its tarball would unpack.
spec_check() {
	in_root "$ROOT" '
		set -e
		top=/tmp/rpmtop; rm -rf $top; mkdir -p $top/SOURCES $top/SPECS
		v=$(sed -n "s/^Version:[[:space:]]*//p" /src/packaging/evmpkg.spec)
		tar -C / --transform "s,^src,evmpkg-$v," --exclude=src/build -czf $top/SOURCES/evmpkg-$v.tar.gz src
		cp /src/packaging/evmpkg.spec $top/SPECS/
		rpmbuild --nodeps -bb --define "_topdir $top" --define "_smp_mflags -j2" \
			--define "__make make EVMPKG_DPKG_HOOKS=0" \
			--define "debug_package %{nil}" $top/SPECS/evmpkg.spec
		ls $top/RPMS/*/*.rpm
	' >"$MB/rpmbuild.log" 2>&1
}

step_package() {
	[ -x "$ROOT/src/build/evmpkg" ] || die "not built: run tests/matrix/run.sh $REL setup first"
	mount_into "$ROOT" || die "cannot bind-mount /proc, /sys, /dev into $ROOT"
	local t0=$SECONDS
	rm -rf "$ROOT/pkg"
	mkdir -p "$ROOT/pkg/evmpkg"
	git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$ROOT/pkg/evmpkg"
	cp -r packaging/debian "$ROOT/pkg/evmpkg/debian"
	# No -dbgsym packages: they are generated, cannot carry lintian
	# overrides, and are not what is tested here.
	if in_root "$ROOT" "cd /pkg/evmpkg && DEB_BUILD_OPTIONS=noautodbgsym nice dpkg-buildpackage -us -uc -b -j$(nproc)" \
		>"$MB/dpkg-buildpackage.log" 2>&1; then
		ok "dpkg-buildpackage builds the packages ($((SECONDS - t0))s)"
	else
		not_ok "dpkg-buildpackage" "$(tail -n 5 "$MB/dpkg-buildpackage.log" | tr '\n' ' ')"
		return
	fi
	local debs
	debs=$(cd "$ROOT/pkg" && ls ./*.deb | grep -v dbgsym | tr '\n' ' ')
	same "three binary packages" "$(echo "$debs" | wc -w)" 3
	# lintian on the three packages: every tag is either fixed or
	# overridden with its reason in packaging/debian/*.lintian-overrides.
	# (The .changes file is the upload's, which this test does not make.)
	in_root "$ROOT" "cd /pkg && lintian --pedantic --display-info --fail-on error,warning,info,pedantic $debs" \
		>"$MB/lintian.log" 2>&1
	local lrc=$?
	grep -E '^[EWIP]: ' "$MB/lintian.log" | head -n 20
	same "lintian: no tag left (overrides state why)" "$lrc/$(grep -cE '^[EWIP]: ' "$MB/lintian.log")" 0/0

	# A clean chroot of the release, the packages installed by apt.
	local tar clean=$MB/clean
	tar=$(clean_base) || { not_ok "clean chroot" "mmdebstrap failed; $MB/clean.log"; return; }
	rm -rf "$clean"
	mkdir -p "$clean"
	tar -C "$clean" -xf "$tar" || { not_ok "clean chroot" "cannot unpack $tar"; return; }
	mkdir -p "$clean/pkg"
	cp "$ROOT"/pkg/*.deb "$clean/pkg/"
	mount_into "$clean" || die "cannot bind-mount /proc, /sys, /dev into $clean"
	expect "apt-get install the three packages into a clean $REL chroot" \
		in_root "$clean" "cd /pkg && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debs"
	expect "evmpkg runs from /usr/bin" in_root "$clean" "evmpkg --help"
	same "no compiler in the clean chroot" "$(in_root "$clean" 'command -v gcc cc' )" ""
	mkdir -p "$clean/src"
	git ls-files -z tests | tar --null -cf - -T - | tar -xf - -C "$clean/src"
	installed_view "$clean"
	# The tier drives dpkg with the hooks by its own options; the settings
	# the package's postinst installed would add the installed hook to
	# every dpkg run of the tier a second time. (The apt tier tests them.)
	rm -f "$clean/etc/dpkg/dpkg.cfg.d/evmpkg" "$clean/etc/apt/apt.conf.d/80evmpkg"
	local s log line p f
	for s in tests/rpm/plugin.sh tests/dpkg/hooks.sh; do
		log=$MB/installed-$(basename "$s" .sh).log
		in_root "$clean" "bash $s" >"$log" 2>&1
		line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		grep -E '^FAIL' "$log" | head -n 10
		read -r p f < <(echo "${line:-0 passed, 1 failed}" | awk '{print $1, $3}')
		same "$s against the installed files: ${line:-no summary}" "$f" 0
	done

	# The rpm spec.
	if spec_check; then
		ok "rpmbuild -bb --nodeps of packaging/evmpkg.spec"
		local want got
		want=$(in_root "$ROOT" 'rm -rf /tmp/di; make -s B=/tmp/rpmtop/b EVMPKG_DPKG_HOOKS=0 install \
			DESTDIR=/tmp/di $(rpm --eval "PREFIX=%{_prefix} LIBDIR=%{_libdir} RPM_PLUGINDIR=%{_libdir}/rpm-plugins RPM_MACRODIR=%{_rpmmacrodir} MANDIR=%{_mandir} LIBEXECDIR=%{_libexecdir} DNF_PLUGINDIR=%{?python3_sitelib}%{!?python3_sitelib:%{_prefix}/lib/python3/dist-packages}/dnf-plugins") >/dev/null &&
			cd /tmp/di && find . ! -type d | sed "s,^\.,," | sort')
		got=$(in_root "$ROOT" 'for r in /tmp/rpmtop/RPMS/*/*.rpm; do rpm -qlp "$r"; done | sort -u')
		# Left out on purpose: the static library and headers (the
		# spec's %exclude); added by rpm: %doc and %license files; man
		# pages compressed by rpm's brp scripts.
		want=$(echo "$want" | grep -vE '/libevmpkg\.a$|/include/evmpkg/' | sed -E 's/\.(gz|xz|zst|bz2)$//')
		got=$(echo "$got" | grep -vE '^/usr/share/(doc|licenses)/' | sed -E 's/\.(gz|xz|zst|bz2)$//')
		same "the spec's file list equals make install's" \
			"$(comm -3 <(echo "$want") <(echo "$got") | tr '\n' ' ')" ""
	else
		not_ok "rpmbuild of packaging/evmpkg.spec" "$(tail -n 5 "$MB/rpmbuild.log" | tr '\n' ' ')"
	fi
}
