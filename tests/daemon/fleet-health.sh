# fleet-health.sh - two relays sharing one Redis check each egress address
# once per round between them: the DNSBL queries of each address, counted
# at the tests' DNS server (ldns-testns -v), are those of one relay, and
# the relay that did not ask takes the other's result. With Redis stopped
# (SIGSTOP) each relay checks for itself again (twice the queries), and
# when it returns the shared health is fresh again.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
fleet_dns_start || exit 1
LINES=$FLEET_LINES

# fresh_health ADDRESS: the shared health of ADDRESS, checked by RELAY, is
# under 12 s old (Redis's clock).
fresh_health() {
	local checked now
	checked=$(rcli HGET "egress-milter:{$1}:health" checked_ms)
	now=$(rcli TIME | head -1)
	[ -n "$checked" ] && [ $((now * 1000 - checked)) -lt 12000 ]
}

IFS='
'
# shellcheck disable=SC2086
relay_start 1 $LINES
unset IFS
check "relay 1 publishes its check of egress a" \
    wait_for_cmd 100 fresh_health 192.0.2.10
check "the shared health says relay 1 checked it" \
    [ "$(rcli HGET "egress-milter:{192.0.2.10}:health" relay)" = relay-1 ]
ttl=$(rcli PTTL "egress-milter:{192.0.2.10}:health")
check "the shared health lives three check intervals, in ms (PTTL $ttl)" \
    [ "$ttl" -gt 20000 ] && [ "$ttl" -le 30000 ]
METRICS=$("$FREEPORT")
IFS='
'
# shellcheck disable=SC2086
relay_start 2 $LINES "MetricsListen 127.0.0.1:$METRICS"
unset IFS
check "relay 2 knows egress a's health" wait_for "$RELAY2_LOG" \
    "egress a (192.0.2.10): unknown -> ok" 100
check "relay 2 knows egress b's health" wait_for "$RELAY2_LOG" \
    "egress b (192.0.2.11): unknown -> ok" 100

start=$(wc -l <"$QLOG")
sleep 31
qa=$(queries_since "$start" 192.0.2.10)
qb=$(queries_since "$start" 192.0.2.11)
echo "# in 31 s, two relays, CheckInterval 10: $qa DNSBL queries of 192.0.2.10, $qb of 192.0.2.11"
check "one relay's DNSBL queries for egress a in 31 s, not two relays' ($qa)" \
    [ "$qa" -ge 2 ] && [ "$qa" -le 4 ]
check "one relay's DNSBL queries for egress b in 31 s, not two relays' ($qb)" \
    [ "$qb" -ge 2 ] && [ "$qb" -le 4 ]
st=$("$MILTER" --status --json -c "$RELAY2_CONF" 2>/dev/null)
js() { echo "$st" | jq -r "$1"; }
check "relay 2's egress a is ok" \
    [ "$(js '.egress[] | select(.name == "a") | .status')" = ok ]
check "--status --json: Redis is reachable" [ "$(js .fleet.reachable)" = true ]
check "--status --json: this relay's name" [ "$(js .fleet.relay)" = relay-2 ]
check "--status --json: both relays are seen" \
    [ "$(js '[.fleet.relays[].name] | sort | join(",")')" = "relay-1,relay-2" ]
by=$(js '.egress[] | select(.name == "a") | .checked_by.relay')
check "--status --json: which relay checked egress a ($by)" \
    [ "$by" = relay-1 ] || [ "$by" = relay-2 ]
check "--status --json: when it was checked" \
    [ "$(js '.egress[] | select(.name == "a") | .checked_by.at | test("^20")')" = true ]
s1=$("$MILTER" --status --json -c "$RELAY1_CONF" 2>/dev/null | jq .fleet.checks_shared)
s2=$(js .fleet.checks_shared)
check "the relays took $s1 + $s2 checks from each other" [ $((s1 + s2)) -ge 4 ]
check "--status (text) has the fleet's line" \
    sh -c "'$MILTER' --status -c '$RELAY2_CONF' | grep -q '^fleet: relay relay-2, Redis 127.0.0.1:$REDIS_PORT reachable since'"
check "--status (text) says who checked egress a" \
    sh -c "'$MILTER' --status -c '$RELAY2_CONF' | grep -q '^    checked by relay relay-[12] at '"
M=$TMPDIR_TEST/metrics
curl -s "http://127.0.0.1:$METRICS/metrics" >"$M"
check "/metrics: egress_milter_fleet_redis_up 1" \
    grep -qx 'egress_milter_fleet_redis_up 1' "$M"
check "/metrics: relay-1 is seen" \
    grep -q '^egress_milter_fleet_relay_seen_seconds{relay="relay-1"} ' "$M"
check "/metrics: who checked egress a" \
    grep -q '^egress_milter_fleet_egress_checked_timestamp_seconds{egress="a",relay="relay-[12]"} ' "$M"

# Redis stops answering: each relay checks everything itself.
kill -STOP "$REDIS_PID"
wait_for "$RELAY1_LOG" "not reachable" 80
wait_for "$RELAY2_LOG" "not reachable" 80
start=$(wc -l <"$QLOG")
sleep 21
qa=$(queries_since "$start" 192.0.2.10)
echo "# in 21 s with Redis stopped: $qa DNSBL queries of 192.0.2.10"
check "with Redis stopped both relays check egress a themselves ($qa queries in 21 s)" \
    [ "$qa" -ge 4 ]
check "relay 1's egress a stays ok" sh -c "! grep -q 'egress a (192.0.2.10): ok ->' '$RELAY1_LOG'"
check "relay 2's egress a stays ok" sh -c "! grep -q 'egress a (192.0.2.10): ok ->' '$RELAY2_LOG'"
check "--status --json: Redis is not reachable" \
    [ "$("$MILTER" --status --json -c "$RELAY2_CONF" 2>/dev/null | jq .fleet.reachable)" = false ]
curl -s "http://127.0.0.1:$METRICS/metrics" >"$M"
check "/metrics: egress_milter_fleet_redis_up 0" \
    grep -qx 'egress_milter_fleet_redis_up 0' "$M"

kill -CONT "$REDIS_PID"
check "relay 1 reaches Redis again" wait_for_count "$RELAY1_LOG" "reached (relay relay-1)" 2
check "relay 2 reaches Redis again" wait_for_count "$RELAY2_LOG" "reached (relay relay-2)" 2
check "the shared health of egress a is fresh again" \
    wait_for_cmd 150 fresh_health 192.0.2.10
check "the shared health of egress b is fresh again" \
    wait_for_cmd 150 fresh_health 192.0.2.11
relay_stop 1
relay_stop 2
check "no sanitizer report in the relays' logs" relays_clean 1 2
exit $TEST_FAILED
