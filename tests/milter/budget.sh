# budget.sh - MessageDNSBudget: a message never waits on DNS longer
# than its budget. (1) The egress is healthy but nothing answers for the
# sender's records (SPF, DMARC): each message is decided within the
# budget, not DNSTimeout x DNSTries, and accepted as the DNS-failure
# policy says. (2) No DNS at all from the start: the first health round
# cannot end, and a message waits for it only within its budget, then
# the egress's health is unknown (dns-error) and the message accepted.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }
BUDGET=500
# Milliseconds over the budget a decision may take: the lookups stop
# 20 ms before it (the decision's reserve); the rest is for a loaded
# machine and the sanitizer build.
MARGIN=50

# budget_case NAME WAIT-FOR CONFIG-LINES...: a milter with those lines;
# once its log shows WAIT-FOR (or at once when empty), budget.lua.
budget_case() {
	local name=$1 want=$2 port conf=$TMPDIR_TEST/$1.conf i
	shift 2
	port=$("$FREEPORT")
	{ echo "Syslog no"; echo "MessageDNSBudget $BUDGET"; printf '%s\n' "$@"; } >"$conf"
	start_milter "$TMPDIR_TEST/$name.log" -c "$conf" -p "inet:$port@127.0.0.1"
	wait_for_tcp "$port" || { fail "$name: the milter starts"; return; }
	for i in $(seq 50); do
		[ -z "$want" ] || grep -qF -- "$want" "$TMPDIR_TEST/$name.log" && break
		sleep 0.1
	done
	"$MILTERTEST" -D socket="inet:$port@127.0.0.1" \
	    -D lib="$SRCDIR/tests/milter/lib.lua" \
	    -s "$SRCDIR/tests/milter/budget.lua" >"$TMPDIR_TEST/$name.out" 2>&1
	local rc=$?
	sed "s/^\(PASS\|FAIL\): /\1: $name: /" "$TMPDIR_TEST/$name.out"
	check "$name: the miltertest session completes" [ $rc -eq 0 ]
	stop_milter
}

# check_decision_times NAME: every decision logged within the budget.
check_decision_times() {
	local log=$TMPDIR_TEST/$1.log ms n=0
	for ms in $(grep -o ' action=[a-z]* .* ms=[0-9]*' "$log" | sed 's/.* ms=//'); do
		n=$((n + 1))
		check "$1: message $n decided in ${ms} ms <= $BUDGET + $MARGIN ms" \
		    [ "$ms" -le $((BUDGET + MARGIN)) ]
	done
	check "$1: both messages were decided and logged" [ "$n" -eq 2 ]
}

testns_start senderdead.data || exit 1
budget_case sender "-> ok" "Nameservers 127.0.0.1:$TESTNS_PORT" \
    "DNSTimeout 3" "DNSTries 2" "Dnsbl none" \
    "Egress primary 192.0.2.10 helo=mail.example.test"
log=$TMPDIR_TEST/sender.log
check_contains "sender: the egress was healthy before the messages" "$log" "-> ok"
check_decision_times sender
check_contains "sender: SPF temperror, accepted (the DNS-failure policy)" "$log" \
    "action=accept egress=primary route=- findings=dns-error,spf-temperror sender=<alice@pass.spf.test>"
check_contains "sender: the second sender too" "$log" \
    "action=accept egress=primary route=- findings=dns-error,spf-temperror sender=<bob@fail.spf.test>"
check_contains "sender: the reason names the SPF lookup that failed" "$log" \
    "DNS failure while looking up the SPF record of pass.spf.test"
check "sender: never a 5xx or a tempfail" \
    sh -c "! grep -qE 'action=(reject|tempfail)' '$log'"

dead=$(dead_port)
budget_case start "" "Nameservers 127.0.0.1:$dead" "DNSTimeout 5" \
    "DNSTries 2" "Dnsbl bl.test" \
    "Egress primary 192.0.2.10 helo=mail.example.test"
log=$TMPDIR_TEST/start.log
check_decision_times start
check_contains "start: the egress's health is unknown: dns-error, accepted" "$log" \
    "action=accept egress=primary route=- findings=dns-error,spf-temperror sender=<alice@pass.spf.test>"
check_contains "start: the reason says the health is not known yet" "$log" \
    "the health of egress primary is not known yet"
exit $TEST_FAILED
