# debian-package.sh - debian/ builds a package (dpkg-buildpackage -us -uc
# -b, from a copy of the source tree), lintian has nothing to say but the
# tags debian/README.lintian explains, and the package installs (the
# system user, the conffile, the unit, both man pages), runs -t and
# --check from the installed paths, and purges cleanly. As root: it
# installs the package on this machine and removes it again.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
require_root "it installs the package with dpkg"
for cmd in dpkg-buildpackage dh unshare; do
	command -v $cmd >/dev/null || { fail "$cmd is installed (contrib/install-deps.sh)"; exit 1; }
done
if dpkg -s egress-milter >/dev/null 2>&1; then
	fail "egress-milter is not installed as a package before the test"
	exit 1
fi
T=$TMPDIR_TEST
mkdir "$T/src"
if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRCDIR" && git ls-files -co --exclude-standard -z |
	    xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$T/src"
else
	cp -a "$SRCDIR/." "$T/src/"
fi
at_exit 'dpkg --purge egress-milter >/dev/null 2>&1'
(cd "$T/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" nice dpkg-buildpackage -us -uc -b) \
    >"$T/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -us -uc -b builds the package (exit $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || { tail -30 "$T/build.log" | sed 's/^/#   /'; exit 1; }
deb=$(ls "$T"/egress-milter_*.deb 2>/dev/null | head -1)
check "the .deb is there" [ -f "$deb" ]
dpkg-deb -c "$deb" >"$T/contents"
for f in ./usr/sbin/egress-milter ./etc/egress-milter.conf \
    ./usr/share/man/man8/egress-milter.8.gz ./usr/share/man/man5/egress-milter.conf.5.gz \
    ./lib/systemd/system/egress-milter.service; do
	check_contains "the package has $f" "$T/contents" " $f"
done
dpkg-deb -e "$deb" "$T/control"
check_contains "/etc/egress-milter.conf is a conffile" "$T/control/conffiles" "/etc/egress-milter.conf"
if command -v lintian >/dev/null; then
	lintian --suppress-tags-from-file "$SRCDIR/debian/README.lintian" "$deb" >"$T/lintian" 2>&1
	check "lintian: no tag but those debian/README.lintian explains" \
	    sh -c "! grep -q '^[EW]: ' '$T/lintian'"
	grep '^[EWIN]: ' "$T/lintian" | sed 's/^/#   /'
fi

dpkg -i "$deb" >"$T/install.log" 2>&1
check "dpkg -i installs it" [ $? -eq 0 ]
check "postinst created the system user egress-milter" sh -c "getent passwd egress-milter >/dev/null"
check "the conffile is readable by that user's group" \
    [ "$(stat -c %G:%a /etc/egress-milter.conf)" = egress-milter:640 ]
check "the unit runs as that user" grep -q '^User=egress-milter' /lib/systemd/system/egress-milter.service
check "the unit starts /usr/sbin/egress-milter" grep -q '^ExecStart=/usr/sbin/egress-milter -f' \
    /lib/systemd/system/egress-milter.service
/usr/sbin/egress-milter -t >"$T/t.out" 2>&1
check "the installed egress-milter -t passes on the shipped /etc/egress-milter.conf" [ $? -eq 0 ]
check_contains "... it read /etc/egress-milter.conf" "$T/t.out" "/etc/egress-milter.conf"
man -w egress-milter.conf >/dev/null 2>&1
check "man egress-milter.conf finds the page" [ $? -eq 0 ]
# --check with the installed file, in a mount namespace whose resolv.conf
# names a loopback address where nothing answers: no query leaves.
printf 'nameserver 127.0.0.9\noptions timeout:1 attempts:1\n' >"$T/resolv.conf"
unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh \
    "$T/resolv.conf" /usr/sbin/egress-milter --check -T 20 >"$T/check.out" 2>&1
rc=$?
check "the installed egress-milter --check runs (a Nagios code, got $rc)" [ $rc -le 3 ]
check_contains "... and prints its EGRESS line" "$T/check.out" "EGRESS "

dpkg --purge egress-milter >"$T/purge.log" 2>&1
check "dpkg --purge removes it" [ $? -eq 0 ]
check "purged: not known to dpkg" sh -c "! dpkg -s egress-milter >/dev/null 2>&1"
for f in /usr/sbin/egress-milter /etc/egress-milter.conf /lib/systemd/system/egress-milter.service \
    /usr/share/man/man8/egress-milter.8.gz /usr/share/doc/egress-milter; do
	check "purged: $f is gone" [ ! -e "$f" ]
done
exit $TEST_FAILED
