# dns-dkim.sh - DKIM verification with keys through the project's DNS.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
DEAD_PORT=$(dead_port)
DKIM_KEY="$SRCDIR/tests/dns/dkim-test.private"
DKIM_WEAK_KEY="$SRCDIR/tests/dns/dkim-weak.private"
export DEAD_PORT DKIM_KEY DKIM_WEAK_KEY
"$BUILDDIR/tests/dnstest_dkim"
