# dns-dmarc.sh - DMARC by RFC 7489, a table of cases (tests/dnstest_dmarc.c)
# with DMARC records from the tests' NSD.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
DEAD_PORT=$(dead_port)
export DEAD_PORT
"$BUILDDIR/tests/dnstest_dmarc"
