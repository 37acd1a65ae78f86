# dns-resolver.sh - resolver.c against the tests' NSD and fault servers.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
testns_start servfail.data && SERVFAIL_PORT=$TESTNS_PORT
testns_start refused.data && REFUSED_PORT=$TESTNS_PORT
testns_start truncated.data && TRUNCATED_PORT=$TESTNS_PORT
testns_start wrongid.data && WRONGID_PORT=$TESTNS_PORT
DEAD_PORT=$(dead_port)
export SERVFAIL_PORT REFUSED_PORT TRUNCATED_PORT WRONGID_PORT DEAD_PORT
"$BUILDDIR/tests/dnstest_resolver"
