# milter-policy.sh - the decision at end-of-message, over the milter
# protocol (miltertest) against the tests' NSD: reroute, fallback,
# tempfail, reject, quarantine, tag with a report header, DMARC, DKIM,
# the null sender, and {rcpt_mailer} choosing the egress.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }

# run_case NAME SCRIPT CONFIG-LINES...: a milter with those lines, then
# the script; the milter's log is left in $TMPDIR_TEST/NAME.log.
run_case() {
	local name=$1 script=$2 port conf=$TMPDIR_TEST/$1.conf
	shift 2
	port=$("$FREEPORT")
	{
		echo "Syslog no"
		printf '%s\n' "$@"
		# Defaults for the keys a case did not set (a key may appear once).
		grep -qE '(^| )Nameservers ' <<<"$*" || echo "Nameservers 127.0.0.1:$DNS_PORT"
		grep -qE '(^| )DNSTimeout ' <<<"$*" || echo "DNSTimeout 2"
	} >"$conf"
	start_milter "$TMPDIR_TEST/$name.log" -c "$conf" -p "inet:$port@127.0.0.1"
	if ! wait_for_tcp "$port"; then
		fail "$name: the milter starts"; sed 's/^/#   /' "$TMPDIR_TEST/$name.log"
		return
	fi
	"$MILTERTEST" -D socket="inet:$port@127.0.0.1" \
	    -D lib="$SRCDIR/tests/milter/lib.lua" ${MT_EXTRA:-} \
	    -s "$SRCDIR/tests/milter/$script" >"$TMPDIR_TEST/$name.out" 2>&1
	local rc=$?
	sed "s/^\(PASS\|FAIL\): /\1: $name: /" "$TMPDIR_TEST/$name.out"
	check "$name: the miltertest session completes" [ $rc -eq 0 ]
	stop_milter
}

run_case reroute reroute.lua \
    "Egress primary 192.0.2.20 helo=mail2.example.test route=primary" \
    "Egress backup 192.0.2.10 helo=mail.example.test route=backup" \
    "Dnsbl bl.test"
log=$TMPDIR_TEST/reroute.log

MT_EXTRA="-D third=1" run_case reroute3 reroute.lua \
    "Egress primary 192.0.2.20 helo=mail2.example.test route=primary" \
    "Egress other 192.0.2.60 helo=smtp-out.example.test route=other" \
    "Egress backup 192.0.2.10 helo=mail.example.test route=backup" \
    "Dnsbl bl.test"
check_contains "reroute: one log line with action, egress, route and reasons" "$log" \
    "action=reroute egress=primary route=backup findings=listed,spf-fail,dmarc-fail sender=<alice@pass.spf.test>"
check_contains "reroute: the reasons name the listing" "$log" \
    "192.0.2.20 listed on bl.test (127.0.0.2: listed: see https://bl.test/lookup?192.0.2.20)"
check_contains "fallback: tempfail, logged with why" "$log" \
    "action=tempfail egress=primary route=- findings=listed sender=<alice@helo.spf.test>"
check_contains "fallback: the reason says no egress was healthy" "$log" \
    "no healthy egress to reroute to (Fallback tempfail)"

run_case actions actions.lua \
    "Egress primary 192.0.2.10 helo=mail.example.test" \
    "Dnsbl bl.test" "ReportHeader yes" \
    "On spf-softfail quarantine" "On spf-fail reject" "On dmarc-fail tempfail"
log=$TMPDIR_TEST/actions.log
check_contains "SPF softfail: quarantine" "$log" \
    "action=quarantine egress=primary route=- findings=spf-softfail sender=<alice@softfail.spf.test>"
check_contains "SPF fail: reject (On spf-fail reject)" "$log" \
    "action=reject egress=primary route=- findings=spf-fail sender=<alice@fail.spf.test>"
check_contains "DMARC: tempfail, and the log says p=reject" "$log" \
    "action=tempfail egress=primary route=- findings=dmarc-fail sender=<alice@pass.spf.test> rcpts=1 client=198.51.100.7 dmarc=p=reject"
check_contains "DMARC: the reason in words" "$log" \
    "DMARC of dmarc.test (p=reject): no aligned SPF or DKIM pass"
check_contains "the time the decision took is logged" "$log" " ms="

run_case transport transport.lua \
    "Egress main 192.0.2.10 helo=mail.example.test transport=smtp route=main" \
    "Egress ip2 192.0.2.20 helo=mail2.example.test transport=smtp-ip2 route=ip2" \
    "Dnsbl bl.test"
check_contains "rcpt_mailer: the listed egress ip2 was judged" "$TMPDIR_TEST/transport.log" \
    "action=reroute egress=ip2 route=main"
cat >"$TMPDIR_TEST/egress.map" <<'MAP'
# sender domain   egress
pass.spf.test     listed
.example.net      main
MAP
run_case mapping mapping.lua \
    "Egress main 192.0.2.10 helo=mail.example.test route=main" \
    "Egress listed 192.0.2.20 helo=mail2.example.test route=listed" \
    "EgressMap $TMPDIR_TEST/egress.map" "Dnsbl bl.test" \
    "DomainBl dbl.test codes=127.0.1.2-127.0.1.99" "On domain-listed quarantine"
log=$TMPDIR_TEST/mapping.log
check_contains "EgressMap: the mapped egress was judged" "$log" \
    "action=reroute egress=listed route=main"
check_contains "DomainBl: the listing is named" "$log" \
    "softfail.spf.test is listed on dbl.test"
check_contains "two From fields: from-invalid, with the reason" "$log" \
    "the message has several From fields"
run_case sendmail sendmail.lua \
    "Egress primary 192.0.2.20 helo=mail2.example.test route=primary" \
    "Egress backup 192.0.2.10 helo=mail.example.test route=backup" \
    "Dnsbl bl.test"
check_contains "Sendmail: the log says why there was no reroute" "$TMPDIR_TEST/sendmail.log" \
    "this MTA cannot reroute (only Postfix acts on the route header): Fallback tempfail"

dead=$(dead_port)
run_case dnsdown dnsdown.lua "Nameservers 127.0.0.1:$dead" "DNSTimeout 1" \
    "DNSTries 1" "Egress primary 192.0.2.10 helo=mail.example.test" \
    "Egress backup 192.0.2.20 helo=mail2.example.test" "Dnsbl bl.test"
check_contains "DNS down: accepted, and the log says why" "$TMPDIR_TEST/dnsdown.log" \
    "action=accept egress=primary route=- findings=dns-error,spf-temperror"
exit $TEST_FAILED
