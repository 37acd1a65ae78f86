# fleet-warmup.sh - with Redis, the warm-up of an egress address is the
# fleet's: two relays (a private redis-server) warm egress a
# (203.0.113.210) up on a test schedule of 4 recipients a day. Two
# deliveries counted by each relay's status map make both relays show
# sent_day 4 within a few seconds, and the route map of either spills
# over to egress b at the cap; the day's counts key lives two days (PTTL
# in ms). Redis stopped (SIGSTOP): each relay goes on counting alone and
# answers at once from memory; Redis back: what each counted meanwhile is
# in the fleet's total, once (no loss, no double count).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1
redis_start || exit 1

printf '# test schedule: 4 recipients a day, then 8\n4\n8\n' >"$TMPDIR_TEST/sched-a"
set -- "Nameservers 127.0.0.1:$DNS_PORT" "DNSTimeout 1" \
    "Dnsbl bl.route.test" \
    "Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a" \
    "Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b" \
    "Warmup a start=$(date -u +%F) schedule=$TMPDIR_TEST/sched-a" \
    "Redis 127.0.0.1:$REDIS_PORT user=relay password=$REDIS_PASSWORD"
relay_start 1 "$@"
relay_start 2 "$@"
DAYKEY="egress-milter:{203.0.113.210}:warmup:$(date -u +%Y%m%d)"
SENT="status-a 2.0.0 host mx.dest.test[192.0.2.1] said: 250 2.0.0 Ok: queued as 1234"

ask() { "$CLIENT" "$1" query "$2"; }
# sent_is N WANT: relay N's --status --json shows egress a's sent_day WANT.
sent_is() {
	local conf
	eval "conf=\$RELAY$1_CONF"
	[ "$("$MILTER" --status --json -c "$conf" 2>/dev/null |
	    jq -c '.egress[0].warmup.sent_day')" = "$2" ]
}
sent_of() {
	local conf
	eval "conf=\$RELAY$1_CONF"
	"$MILTER" --status --json -c "$conf" 2>/dev/null |
	    jq -c '.egress[0].warmup.sent_day'
}
fleet_sent_is() { [ "$(rcli HGET "$DAYKEY" sent)" = "$1" ]; }

check "relay 1 reaches Redis" wait_for "$RELAY1_LOG" "fleet: Redis at 127.0.0.1:$REDIS_PORT reached" 50
check "relay 2 reaches Redis" wait_for "$RELAY2_LOG" "fleet: Redis at 127.0.0.1:$REDIS_PORT reached" 50

for n in 1 2; do
	eval "map=\$RELAY${n}_MAP"
	for i in 1 2; do
		check "relay $n's status map: a delivery through a, answer unchanged" \
		    [ "$(ask "$map" "$SENT")" = "NOTFOUND " ]
	done
done
start=$(date +%s%N)
check "relay 1's --status --json shows the fleet's sent_day 4 (5 s)" \
    wait_for_cmd 50 sent_is 1 4
check "relay 2's --status --json shows the fleet's sent_day 4 (5 s)" \
    wait_for_cmd 50 sent_is 2 4
echo "# both relays showed the fleet's count in $(( ($(date +%s%N) - start) / 1000000 )) ms (relay 1: $(sent_of 1), relay 2: $(sent_of 2))"
check "relay 1's route map spills over to egress b at the cap" \
    [ "$(ask "$RELAY1_MAP" "route alice@both.route.test")" = "OK smtp-b:" ]
check "relay 2's route map spills over to egress b at the cap" \
    [ "$(ask "$RELAY2_MAP" "route alice@both.route.test")" = "OK smtp-b:" ]
check "the fleet's count of the day is in Redis, keyed by the address ($(rcli HGET "$DAYKEY" sent))" \
    fleet_sent_is 4
pttl=$(rcli PTTL "$DAYKEY")
check "the day's counts live two days, in ms (PTTL $pttl)" \
    [ "$pttl" -gt 172000000 ] && [ "$pttl" -le 172800000 ]
hkey="egress-milter:{203.0.113.210}:warmup:$(date -u +%Y%m%d%H)"
hpttl=$(rcli PTTL "$hkey")
check "the hour's count lives two hours, in ms (PTTL $hpttl)" \
    [ "$hpttl" -gt 7000000 ] && [ "$hpttl" -le 7200000 ]

# Redis stops answering: each relay counts alone, answers from memory.
kill -STOP "$REDIS_PID"
exec 5<>"/dev/tcp/127.0.0.1/$RELAY1_MAP" 6<>"/dev/tcp/127.0.0.1/$RELAY2_MAP"
slow=0
for q in "5 $SENT" "5 $SENT" "6 $SENT" "5 $SENT"; do
	us=$(map_ms "${q%% *}" "${q#* }")
	[ "$us" -gt "$slow" ] && slow=$us
	sleep 0.3
done
routes_slowest 20 "$slow"
exec 5>&- 6>&-
slow=$((SLOW / 1000))
echo "# slowest status or route answer with Redis stopped: $slow ms"
check "no answer waits on a stopped Redis (slowest $slow ms; a wait would be 500 ms or more)" [ "$slow" -lt 250 ]
check "relay 1 counts alone: sent_day 4 + its 3 ($(sent_of 1))" sent_is 1 7
check "relay 2 counts alone: sent_day 4 + its 1 ($(sent_of 2))" sent_is 2 5
check "relay 1 still routes around the capped egress from memory" \
    [ "$(ask "$RELAY1_MAP" "route alice@both.route.test")" = "OK smtp-b:" ]
wait_for "$RELAY1_LOG" "not reachable" 80
wait_for "$RELAY2_LOG" "not reachable" 80

kill -CONT "$REDIS_PID"
check "Redis back: the fleet's total holds the 4 deliveries counted meanwhile (20 s)" \
    wait_for_cmd 200 fleet_sent_is 8
check "relay 1 shows the fleet's total 8 (5 s)" wait_for_cmd 50 sent_is 1 8
check "relay 2 shows the fleet's total 8 (5 s)" wait_for_cmd 50 sent_is 2 8
sleep 3
check "no delta is counted twice: the total stays 8 ($(rcli HGET "$DAYKEY" sent))" \
    fleet_sent_is 8
check "relay 1 still shows 8 ($(sent_of 1))" sent_is 1 8

relay_stop 1
relay_stop 2
check "no sanitizer report in the relays' logs" relays_clean 1 2
exit $TEST_FAILED
