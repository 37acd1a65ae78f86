# fleet-errors.sh - an error answer is one resolver's view and is never
# shared: relay 1's resolver gets 127.255.255.254 from the DNSBL for both
# egresses (Spamhaus's "blocked resolver" code), relay 2's gets clean
# answers. Relay 1 publishes no check of its own; relay 2 checks for
# itself where no clean result exists and publishes; the shared health
# never holds relay 1's view.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
fleet_dns_start || exit 1
GOOD=$FLEET_LINES
testns_start fleet-errors.data || exit 1
BAD=$(echo "$FLEET_LINES" | sed "s/^Nameservers .*/Nameservers 127.0.0.1:$TESTNS_PORT/")

IFS='
'
# shellcheck disable=SC2086
relay_start 1 $BAD
unset IFS
check "relay 1's first round ends" wait_for "$RELAY1_LOG" "egress a (192.0.2.10): unknown ->" 100
check_contains "relay 1 sees its resolver's error code" "$RELAY1_LOG" "127.255.255.254"
wait_for "$RELAY1_LOG" "reached (relay relay-1)" 50
sleep 2
check "relay 1 published no check with an error answer" \
    [ "$(rcli EXISTS "egress-milter:{192.0.2.10}:health")" = 0 ]

IFS='
'
# shellcheck disable=SC2086
relay_start 2 $GOOD
unset IFS
check "relay 2 checks egress a itself and finds it ok" \
    wait_for "$RELAY2_LOG" "egress a (192.0.2.10): unknown -> ok" 100
bad=0
for i in $(seq 25); do
	for a in 192.0.2.10 192.0.2.11; do
		r=$(rcli HGET "egress-milter:{$a}:health" relay)
		reasons=$(rcli HGET "egress-milter:{$a}:health" reasons)
		case "$r $reasons" in *relay-1*|*127.255.255*) bad=$((bad + 1)) ;; esac
	done
	sleep 1
done
check "in 25 s the shared health never held relay 1's error view ($bad times)" [ "$bad" -eq 0 ]
check "the shared health of egress a is relay 2's" \
    [ "$(rcli HGET "egress-milter:{192.0.2.10}:health" relay)" = relay-2 ]
check "relay 2's egress a stays ok" sh -c "! grep -q 'egress a (192.0.2.10): ok ->' '$RELAY2_LOG'"
relay_stop 1
relay_stop 2
check "no sanitizer report in the relays' logs" relays_clean 1 2
exit $TEST_FAILED
