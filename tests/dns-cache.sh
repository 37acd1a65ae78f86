# dns-cache.sh - the shared DNS cache against the tests' NSD (the test
# stops NSD itself to show serve-stale).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
"$BUILDDIR/tests/dnstest_dnscache"
