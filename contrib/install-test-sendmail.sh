#!/bin/sh
# install-test-sendmail.sh - puts Debian's Sendmail binary and its m4
# configuration files into a private tree for the test suite, WITHOUT
# installing the sendmail-bin package: /usr/sbin/sendmail stays
# Postfix's, and nothing under /etc/mail or /var/spool/mqueue is made.
# tests/sendmail/milter.sh runs the daemon from this tree with its own .cf.
#
# The tree is $EM_SENDMAIL_ROOT (default
# /usr/local/lib/egress-milter-test/sendmail); it holds
# usr/libexec/sendmail/sendmail and usr/share/sendmail/cf of the
# sendmail-bin and sendmail-cf packages (dpkg-deb -x). The libraries the
# binary links with are ordinary packages, installed by install-deps.sh.
# Run as root (apt-get download needs the package lists); it does
# nothing and prints nothing when the tree already holds the version
# apt offers.
set -e
root=${EM_SENDMAIL_ROOT:-/usr/local/lib/egress-milter-test/sendmail}
version=$(apt-cache show --no-all-versions sendmail-bin 2>/dev/null |
    sed -n 's/^Version: //p')
[ -n "$version" ] || { echo "$0: apt knows no sendmail-bin" >&2; exit 1; }
if [ -x "$root/usr/libexec/sendmail/sendmail" ] &&
    [ "$(cat "$root/VERSION" 2>/dev/null)" = "$version" ]; then
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download drops privileges to _apt, which must own the directory.
chown _apt "$work" 2>/dev/null || true
(cd "$work" && apt-get download -q=2 "sendmail-bin=$version" \
    "sendmail-cf=$version") >"$work/download.log" 2>&1 ||
    { cat "$work/download.log" >&2; exit 1; }
rm -rf "$root.new"
mkdir -p "$root.new"
for deb in "$work"/*.deb; do
	dpkg-deb -x "$deb" "$root.new"
done
echo "$version" >"$root.new/VERSION"
rm -rf "$root"
mv "$root.new" "$root"
echo "$0: Sendmail $version unpacked in $root (for the tests only)"
