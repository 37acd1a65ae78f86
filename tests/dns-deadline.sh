# dns-deadline.sh - the per-thread DNS deadline (MessageDNSBudget) in the
# DNS layer, against the tests' NSD and a port where nothing answers.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
DEAD_PORT=$(dead_port) "$BUILDDIR/tests/dnstest_deadline"
