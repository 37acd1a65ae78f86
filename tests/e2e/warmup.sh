# e2e-warmup.sh - the warm-up of a new egress end to end (the setting is
# in tests/tools/routing.sh; the remote provider here refuses nobody):
# egress a warms up on a test schedule (3 recipients a day, then 6), b
# is warm. Of a batch of 6 recipients the first 3 leave through a and
# the rest through b; after a daemon restart (StateFile) a is still at
# its cap; with both egresses at their caps, WarmupFull defer defers
# the rest with a clear text and WarmupFull send delivers it; nothing
# bounces.
set -u
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/tools/routing.sh"
routing_namespace "$0" || exit 1
make_tmpdir
routing_setup || exit 1
# The remote provider accepts both egresses (routing.sh's lists a).
postconf -c "$TMPDIR_TEST/remote/etc" -e "smtpd_client_restrictions ="
postfix -c "$TMPDIR_TEST/remote/etc" reload >/dev/null 2>&1
TODAY=$(date -u +%F)
printf '# test schedule: 3 recipients a day, then 6\n3\n6\n' >"$TMPDIR_TEST/sched-a"
printf '2\n' >"$TMPDIR_TEST/sched-b"
WARM_A="Warmup a start=$TODAY schedule=$TMPDIR_TEST/sched-a"
STATE="StateFile $TMPDIR_TEST/state"
CTL="ControlSocket unix:$TMPDIR_TEST/control"
BL="Dnsbl bl.route.test"
METRICS_PORT=$("$FREEPORT")
METRICS="MetricsListen 127.0.0.1:$METRICS_PORT"

# sent_through QID EGRESS: the recipients of QID sent through EGRESS.
sent_through() {
	grep -F " $1: " "$SLOG" | grep "postfix/smtp-$2/smtp\[" |
	    grep -c status=sent
}

# wait_sent QID N [T]: until N recipients of QID are sent (T s, 15).
wait_sent() {
	local i
	for i in $(seq $((${3:-15} * 10))); do
		[ "$(grep -F " $1: " "$SLOG" | grep -c status=sent)" -ge "$2" ] &&
		    return 0
		sleep 0.1
	done
	return 1
}

status_json() {
	"$MILTER" --status --json -c "$TMPDIR_TEST/milter.conf" \
	    >"$TMPDIR_TEST/out.json" 2>&1
}

# 1. A batch of 6 recipients: 3 through a (its cap), 3 through b.
routing_milter "$BL" "$WARM_A" "$STATE" "$CTL" "$METRICS"
HOUR=$(date -u +%H)
RCPTS=r1@dest.test,r2@dest.test,r3@dest.test,r4@dest.test,r5@dest.test,r6@dest.test
Q1=$(send batch "$RCPTS")
check "batch: queued by the sending Postfix" [ -n "$Q1" ]
check "batch: all 6 recipients delivered" wait_sent "$Q1" 6
check "batch: the first 3 recipients left through the warming egress a" \
    [ "$(sent_through "$Q1" a)" -eq 3 ]
check "batch: the other 3 left through the warm egress b" \
    [ "$(sent_through "$Q1" b)" -eq 3 ]
check "the warm-up counted a's deliveries from the status map" \
    wait_for "$TMPDIR_TEST/state" "warmup a 1 " 50

status_json
jq_is "--status --json: a's warm-up step" '.egress[0].warmup.step' 1
jq_is "--status --json: a's steps" '.egress[0].warmup.steps' 2
jq_is "--status --json: a's daily cap" '.egress[0].warmup.cap_day' 3
jq_is "--status --json: a's hourly cap" '.egress[0].warmup.cap_hour' 3
jq_is "--status --json: a sent 3 today" '.egress[0].warmup.sent_day' 3
if [ "$(date -u +%H)" = "$HOUR" ]; then
	jq_is "--status --json: a sent 3 this hour" '.egress[0].warmup.sent_hour' 3
else	# a new UTC hour began since the batch: its count starts again
	jq_is "--status --json: this hour's count is a new hour's" '.egress[0].warmup.sent_hour <= 3' true
fi
jq_is "--status --json: a's spill-over counted" '.egress[0].warmup.spilled_day > 0' true
jq_is "--status --json: b does not warm up" '.egress[1].warmup' null
"$MILTER" --status -c "$TMPDIR_TEST/milter.conf" >"$TMPDIR_TEST/status.txt" 2>&1
check_contains "--status: a's warm-up line" "$TMPDIR_TEST/status.txt" \
    "warm-up: step 1 of 2; 3 of 3 today, "
curl -sS "http://127.0.0.1:$METRICS_PORT/metrics" >"$TMPDIR_TEST/metrics" 2>&1
check_contains "/metrics: a's daily cap" "$TMPDIR_TEST/metrics" \
    'egress_milter_warmup_cap_day{egress="a"} 3'
check_contains "/metrics: a's sent today" "$TMPDIR_TEST/metrics" \
    'egress_milter_warmup_sent_day{egress="a"} 3'
check_contains "the daemon logged the spill-over" "$MLOG" \
    "egress a: at its warm-up cap (step 1 of 2: 3 of 3 today"
"$MILTER" --summary "$MLOG" >"$TMPDIR_TEST/summary" 2>&1
check_contains "--summary shows the spill-over" "$TMPDIR_TEST/summary" \
    "warm-up cap reached (step 1 of 2: 3 of 3 today): spills over"

# 2. Counts and step survive a restart: a is still at its cap.
routing_milter "$BL" "$WARM_A" "$STATE" "$CTL"
check_contains "the restarted daemon restored the warm-up" "$MLOG" \
    "the warm-up of 1 egress (steps and counts) restored"
Q2=$(send after-restart r7@dest.test)
check "after the restart: queued" [ -n "$Q2" ]
check "after the restart: delivered" wait_sent "$Q2" 1
check "after the restart: a is still at its cap, the mail left through b" \
    [ "$(sent_through "$Q2" b)" -eq 1 ]
status_json
jq_is "after the restart: a's count is the one before" '.egress[0].warmup.sent_day' 3
"$MILTER" --check -c "$TMPDIR_TEST/milter.conf" >"$TMPDIR_TEST/check.txt" 2>&1
check_contains "--check advises on the warm-up" "$TMPDIR_TEST/check.txt" \
    "egress a is at step 1 of 2; 3 of 3 today (at its cap)"

# 3. Both at their caps (b: 2 a day), WarmupFull defer: deferred with a
#    clear text, not bounced.
routing_milter "$BL" "$WARM_A" "Warmup b start=$TODAY schedule=$TMPDIR_TEST/sched-b" \
    "WarmupFull defer" "$STATE" "$CTL"
Q3=$(send full f1@dest.test,f2@dest.test,f3@dest.test)
check "both capped: queued" [ -n "$Q3" ]
check "both capped: 2 recipients delivered through b (its cap)" wait_sent "$Q3" 2
check "both capped: the third is deferred" \
    wait_for "$SLOG" "$Q3: to=<f3@dest.test>, relay=none" 300
grep -F " $Q3: " "$SLOG" >"$TMPDIR_TEST/q3.log"
check_contains "both capped: the deferral says why" "$TMPDIR_TEST/q3.log" \
    "status=deferred (every healthy egress is at its warm-up cap: a at its warm-up cap (step 1: 3 of 3 today"
check "both capped: the third recipient is not delivered" \
    [ "$(grep -c status=sent "$TMPDIR_TEST/q3.log")" -eq 2 ]
check "both capped: the message is still queued" \
    sh -c "[ -n '$Q3' ] && postqueue -c '$TMPDIR_TEST/sender/etc' -p | grep -q '^$Q3'"

# 4. WarmupFull send: the least-loaded egress takes it (once the queue
#    manager's resolver asks again: it keeps an answer up to 30 s).
routing_milter "$BL" "$WARM_A" "Warmup b start=$TODAY schedule=$TMPDIR_TEST/sched-b" \
    "WarmupFull send" "$STATE" "$CTL"
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "WarmupFull send: the deferred recipient is delivered" wait_sent "$Q3" 3 45
check "nothing bounced, no DSN to the sender" \
    sh -c "[ -s '$SLOG' ] && ! grep -Eq 'status=bounced|sender non-delivery notification' '$SLOG'"
check "the daemon stops cleanly" stop_milter
