# check-bound.sh - "egress-milter --check" as a Nagios plugin: -T bounds
# the whole run (exit 3 on expiry, within the bound, with DNS
# blackholed), perfdata on the first line, and the status word in
# upper case for every state.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
out=$TMPDIR_TEST/out

# check_conf LINES...: a configuration of the tests' DNS plus LINES.
check_conf() {
	{ echo "Nameservers 127.0.0.1:$DNS_PORT"; echo "DNSTimeout 1"; printf '%s\n' "$@"; } \
	    >"$TMPDIR_TEST/c.conf"
}
# first_line_is NAME EXIT TEXT: --check's exit code and first line.
first_line_is() {
	"$MILTER" --check -c "$TMPDIR_TEST/c.conf" >"$out" 2>&1
	local rc=$? line
	line=$(head -1 "$out")
	check "$1: exit $2" [ $rc -eq "$2" ]
	case "$line" in
	"$3"*) pass "$1: first line \"$3...\"" ;;
	*) fail "$1: first line is \"$line\", expected \"$3...\"" ;;
	esac
}

check_conf "Egress a 192.0.2.10 helo=mail.example.test" "Egress b 192.0.2.20 helo=mail2.example.test" "Dnsbl bl.test"
first_line_is "one of two listed" 2 "EGRESS CRITICAL - 1 of 2 egresses not ok | egresses_ok=1;;;0;2 dnsbl_listed=1 time="
check "the time taken is a number of seconds" grep -qE '^EGRESS .* time=[0-9]+\.[0-9]{3}s$' "$out"
check_conf "Egress a 192.0.2.10 helo=mail.example.test" "Dnsbl bl.test"
first_line_is "healthy" 0 "EGRESS OK - 0 of 1 egress not ok | egresses_ok=1;;;0;1 dnsbl_listed=0"
check_conf "Egress a 192.0.2.50" "Dnsbl none"
first_line_is "generic PTR" 1 "EGRESS WARNING - 1 of 1 egress not ok | egresses_ok=0;;;0;1"

# DNS blackholed: nothing answers; unbounded, this run would take
# 2 tries x 5 s for each of several lookups.
dead=$(dead_port)
printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 5\nDNSTries 2\nEgress a 192.0.2.10 helo=mail.example.test\nDnsbl bl.test\n' \
    "$dead" >"$TMPDIR_TEST/dead.conf"
start=$(date +%s%N)
"$MILTER" --check -T 2 -c "$TMPDIR_TEST/dead.conf" >"$out" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "-T 2 with DNS blackholed: exit 3 (UNKNOWN)" [ $rc -eq 3 ]
within_bound() { [ "$ms" -ge 1900 ] && [ "$ms" -lt 3000 ]; }
check "-T 2 with DNS blackholed: done within the bound (${ms} ms)" within_bound
check_contains "-T: the first line says why" "$out" \
    "EGRESS UNKNOWN - no result within 2 s (-T): are the DNS servers answering? | time=2.000s"
"$MILTER" --check --json -T 1 -c "$TMPDIR_TEST/dead.conf" >"$out" 2>&1
check "-T with --json: exit 3" [ $? -eq 3 ]
check "-T with --json: one JSON document with status unknown" \
    [ "$(jq -r .status "$out" 2>&1)" = unknown ]
"$MILTER" --check -T zero -c "$TMPDIR_TEST/dead.conf" >"$out" 2>&1
check "-T with a bad value: exit 3 (a plugin's usage error)" [ $? -eq 3 ]
check_contains "-T with a bad value says what it wants" "$out" "-T wants whole seconds"
"$MILTER" -T 5 -t -c "$TMPDIR_TEST/dead.conf" >"$out" 2>&1
check "-T without --check or --status is refused" [ $? -eq 1 ]
exit $TEST_FAILED
