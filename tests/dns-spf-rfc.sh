# dns-spf-rfc.sh - the SPF evaluator, rule by rule of RFC 7208 4-7, and
# hostile records, against the tests' NSD (zone rfc.spf.test).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
testns_start servfail.data && SERVFAIL_PORT=$TESTNS_PORT
testns_start slow-spf.data && SLOW_PORT=$TESTNS_PORT
export SERVFAIL_PORT SLOW_PORT
"$BUILDDIR/tests/dnstest_spf_rfc"
