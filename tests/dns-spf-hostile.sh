# dns-spf-hostile.sh - hostile SPF records end in permerror, no crash.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
dns_start || exit 1
"$BUILDDIR/tests/dnstest_spf_hostile"
