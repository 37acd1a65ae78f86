# dns-spf.sh - SPF through the project's evaluator and DNS layer.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
testns_start servfail.data && SERVFAIL_PORT=$TESTNS_PORT
DEAD_PORT=$(dead_port)
export SERVFAIL_PORT DEAD_PORT
"$BUILDDIR/tests/dnstest_spf"
