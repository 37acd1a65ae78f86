# fleet-refusal.sh - two relays sharing one Redis (a private redis-server,
# an ACL user): a refusal learned through relay 1's status map is
# answered by relay 2's route map within a few seconds; the refusal's key
# lives exactly its back-off (PTTL in milliseconds: 600 s is ~600000);
# the password is never shown. Redis stopped (SIGSTOP) mid-run: both
# relays go on answering at once, keep the refusal in force, learn new
# ones alone, log one line each; when Redis returns, one line each and
# what was learned meanwhile reaches the other relay.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1
redis_start || exit 1

route_relays_start

ask() { "$CLIENT" "$1" query "$2"; }
# route_is PORT WANT [TENTHS]: until the route map on PORT answers WANT.
route_is() {
	local i got
	for i in $(seq "${3:-1}"); do
		got=$(ask "$1" "route alice@both.route.test")
		[ "$got" = "$2" ] && return 0
		sleep 0.1
	done
	echo "# got \"$got\""
	return 1
}

check "-t shows the Redis line without its password" \
    sh -c "'$MILTER' -t -c '$RELAY1_CONF' | grep -q '^Redis 127.0.0.1:$REDIS_PORT user=relay password=(not shown)'"
check "-t never prints the password" \
    sh -c "! '$MILTER' -t -c '$RELAY1_CONF' | grep -q '$REDIS_PASSWORD'"
wait_for "$RELAY1_LOG" "fleet: Redis at" 50
wait_for "$RELAY2_LOG" "fleet: Redis at" 50
check_contains "relay 1 reaches Redis as user relay" "$RELAY1_LOG" \
    "fleet: Redis at 127.0.0.1:$REDIS_PORT reached (relay relay-1)"
check_contains "relay 2 reaches Redis" "$RELAY2_LOG" "reached (relay relay-2)"
check "before any refusal relay 2 routes by the default egress" \
    route_is "$RELAY2_MAP" "OK DUNNO" 50

got=$(ask "$RELAY1_MAP" "status-a 5.7.1 host 192.0.2.1[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test (in reply to RCPT TO command)")
case $got in "OK 4.7.1 "*"egress a is refused"*) pass "relay 1's status map learns a refusal of egress a" ;;
*) fail "relay 1's status map learns a refusal of egress a (got \"$got\")" ;; esac
check "relay 1's route map leaves egress a at once" route_is "$RELAY1_MAP" "OK smtp-b:"
start=$(date +%s%N)
check "relay 2's route map leaves egress a within 5 s" \
    route_is "$RELAY2_MAP" "OK smtp-b:" 50
echo "# relay 2 followed in $(( ($(date +%s%N) - start) / 1000000 )) ms"
check_contains "relay 2 logs the refusal and the relay that learned it" \
    "$RELAY2_LOG" "learned by relay relay-1"

KEY="egress-milter:{203.0.113.210}:refusal:[192.0.2.1]"
pttl=$(rcli PTTL "$KEY")
echo "# PTTL $KEY: $pttl"
check "the refusal's key expires with its back-off of 600 s, in ms (PTTL $pttl)" \
    [ "$pttl" -gt 590000 ] && [ "$pttl" -le 600000 ]
check "the key says which relay learned it" \
    [ "$(rcli HGET "$KEY" relay)" = relay-1 ]
check "the key holds the cause" [ "$(rcli HGET "$KEY" cause)" = ip ]
check "no key of the fleet lives without a TTL" \
    sh -c "for k in \$(redis-cli --no-auth-warning -p $REDIS_PORT --user relay --pass $REDIS_PASSWORD --scan --pattern 'egress-milter:*'); do t=\$(redis-cli --no-auth-warning -p $REDIS_PORT --user relay --pass $REDIS_PASSWORD PTTL \"\$k\"); [ \"\$t\" -gt 0 ] || exit 1; done"
# Scripts flushed from Redis (SCRIPT FLUSH): EVALSHA meets NOSCRIPT and
# the relay sends the script itself.
rcli SCRIPT FLUSH >/dev/null
ask "$RELAY1_MAP" "status-b 5.7.1 host mx.example.test[192.0.2.27] said: 554 5.7.1 Service unavailable; Client host [203.0.113.211] blocked using remote-bl.route.test (in reply to RCPT TO command)" >/dev/null
check "after SCRIPT FLUSH a refusal still reaches relay 2 (NOSCRIPT: the script is sent again)" \
    wait_for "$RELAY2_LOG" "egress b: refused by mx.example.test[192.0.2.27]" 50
check "no log line holds the password" \
    sh -c "! grep -q '$REDIS_PASSWORD' '$RELAY1_LOG' '$RELAY2_LOG'"

# message FROM WANT: one message through relay 2's milter gets WANT
# (accept or reply); prints how long it took (ms) into MSG_MS.
message() {
	local t0=${EPOCHREALTIME/./}
	send_one "$RELAY2_MILTER" "$1" "$2" >"$TMPDIR_TEST/send.out"
	MSG_MS=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	grep -q '^PASS: the message' "$TMPDIR_TEST/send.out"
}
check "relay 2's milter accepts a message while Redis is up" message alice@onlyb.route.test accept
echo "# a message with Redis up: $MSG_MS ms"

# Redis stops answering (SIGSTOP: connections hang, nothing is refused).
kill -STOP "$REDIS_PID"
exec 5<>"/dev/tcp/127.0.0.1/$RELAY1_MAP" 6<>"/dev/tcp/127.0.0.1/$RELAY2_MAP"
routes_slowest 40 0
exec 5>&- 6>&-
slow=$((SLOW / 1000))
echo "# slowest route answer in the 4 s after Redis stopped: $slow ms"
check "no route answer waits on a stopped Redis (slowest $slow ms; a wait would be 500 ms or more)" [ "$slow" -lt 250 ]
check "relay 2 keeps the shared refusal in force" route_is "$RELAY2_MAP" "OK smtp-b:"
got=$(ask "$RELAY2_MAP" "status-b 5.7.1 host mx.dest.test[192.0.2.25] said: 554 5.7.1 Service unavailable; Client host [203.0.113.211] blocked using remote-bl.route.test (in reply to RCPT TO command)")
case $got in "OK 4.7.1 "*"egress b is refused"*) pass "relay 2 learns a refusal alone while Redis is stopped" ;;
*) fail "relay 2 learns a refusal alone while Redis is stopped (got \"$got\")" ;; esac
check "relay 2's milter accepts a message with Redis stopped" message alice@onlyb.route.test accept
echo "# a message with Redis stopped: $MSG_MS ms"
check "the message did not wait on Redis ($MSG_MS ms)" [ "$MSG_MS" -lt 1000 ]
wait_for "$RELAY1_LOG" "not reachable" 80
wait_for "$RELAY2_LOG" "not reachable" 80
sleep 3
check "relay 1 logs the loss of Redis once" \
    [ "$(grep -c 'fleet: Redis at .* not reachable' "$RELAY1_LOG")" -eq 1 ]
check "relay 2 logs the loss of Redis once" \
    [ "$(grep -c 'fleet: Redis at .* not reachable' "$RELAY2_LOG")" -eq 1 ]
check "-t does not fail with Redis stopped" \
    sh -c "'$MILTER' -t -c '$RELAY2_CONF' >/dev/null"

kill -CONT "$REDIS_PID"
wait_for "$RELAY2_LOG" "learned by relay relay-2" 1
check "relay 1 takes relay 2's refusal of egress b once Redis is back (15 s)" \
    wait_for "$RELAY1_LOG" "egress b: refused by mx.dest.test[192.0.2.25]" 150
check_contains "relay 1 says it came from relay 2" "$RELAY1_LOG" \
    "receiver dest.test; learned by relay relay-2"
check "relay 1 logs the return of Redis once" \
    [ "$(grep -c 'fleet: Redis at .* reached' "$RELAY1_LOG")" -eq 2 ]
check "relay 2 logs the return of Redis once" \
    [ "$(grep -c 'fleet: Redis at .* reached' "$RELAY2_LOG")" -eq 2 ]
check "the back-off learned alone is in Redis after its return" \
    [ "$(rcli HGET "egress-milter:{203.0.113.211}:refusal:dest.test" relay)" = relay-2 ]
check "relay 1 still leaves egress a" route_is "$RELAY1_MAP" "OK smtp-b:"
check "nothing was deferred for Redis (no defer in the logs)" \
    sh -c "! grep -qi 'tempfail\|defer' '$RELAY1_LOG' '$RELAY2_LOG'"

relay_stop 1
relay_stop 2
check "no sanitizer report in the relays' logs" relays_clean 1 2
exit $TEST_FAILED
