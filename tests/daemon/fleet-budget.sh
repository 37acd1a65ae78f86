# fleet-budget.sh - DnsblBudget: the fleet counts its DNSBL queries per
# zone and UTC day in Redis (one script: INCRBY and a TTL of two days, in
# milliseconds), and the health rounds stretch before the budget is
# spent: with a budget of 2 a day, the first round (two egresses, one
# query each) spends 80% of it and the rounds of CheckInterval 10 stretch
# 16 times: one round in 35 s, not four; the warning that commercial use
# needs a keyed feed is logged. A reload takes the Redis line away, and
# another brings it back on Redis's Unix socket.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
fleet_dns_start || exit 1

start=$(wc -l <"$QLOG")
IFS='
'
# shellcheck disable=SC2086
relay_start 1 $FLEET_LINES "DnsblBudget bl.fleet.test 2"
unset IFS
check "-t shows the budget" sh -c "'$MILTER' -t -c '$RELAY1_CONF' | grep -qx 'DnsblBudget bl.fleet.test 2'"
check "the warning: commercial use needs a keyed feed" wait_for "$RELAY1_LOG" \
    "commercial use (a relay service sold to customers) needs a keyed feed" 50
check "the rounds stretch as the budget is spent" \
    wait_for "$RELAY1_LOG" "DnsblBudget bl.fleet.test: 2 of 2 queries spent today by the fleet: health rounds stretched 16 times" 100
sleep 33
n=$(queries_since "$start" 192.0.2.10)
echo "# DNSBL queries of 192.0.2.10 in the first 35 s: $n (CheckInterval 10 alone: 4)"
check "one round in 35 s, not four ($n queries)" [ "$n" -eq 1 ]
KEY="egress-milter:dnsq:bl.fleet.test:$(date -u +%Y%m%d)"
check "the fleet's count of the day is in Redis ($(rcli GET "$KEY"))" \
    [ "$(rcli GET "$KEY")" -eq 2 ]
pttl=$(rcli PTTL "$KEY")
check "the count lives two days, in ms (PTTL $pttl)" \
    [ "$pttl" -gt 172000000 ] && [ "$pttl" -le 172800000 ]
# A reload takes the Redis line away, then back.
grep -v '^Redis ' "$RELAY1_CONF" >"$RELAY1_CONF.new"
cp "$RELAY1_CONF" "$RELAY1_CONF.fleet"
mv "$RELAY1_CONF.new" "$RELAY1_CONF"
kill -HUP "$RELAY1_PID"
check "reloaded without a Redis line" wait_for "$RELAY1_LOG" "configuration reloaded" 50
fleet_is() { [ "$("$MILTER" --status --json -c "$RELAY1_CONF" 2>/dev/null | jq -c "$1")" = "$2" ]; }
check "--status --json: no fleet without a Redis line" \
    wait_for_cmd 20 fleet_is .fleet null
sed "s|^Redis 127.0.0.1:$REDIS_PORT |Redis unix:$REDIS_SOCKET |" \
    "$RELAY1_CONF.fleet" >"$RELAY1_CONF"
kill -HUP "$RELAY1_PID"
check "a reload with Redis on its Unix socket reaches it" \
    wait_for "$RELAY1_LOG" "fleet: Redis at unix:$REDIS_SOCKET reached (relay relay-1)" 50
check "--status --json: the fleet again" \
    wait_for_cmd 20 fleet_is .fleet.reachable true
check "-t keeps the budget's zone in lower case" \
    sh -c "printf 'DnsblBudget BL.Fleet.Test 9\n' >>'$RELAY1_CONF'; '$MILTER' -t -c '$RELAY1_CONF' | grep -qx 'DnsblBudget bl.fleet.test 9'"
relay_stop 1
check "no sanitizer report in the relays' logs" relays_clean 1
exit $TEST_FAILED
