# redis.sh - the tests' own Redis and relays for fleet tests. Source it
# after tests/lib.sh and make_tmpdir (it sources tests/tools/nsd.sh).
#
# redis_start        a private redis-server on 127.0.0.1 (own port from
#                    freeport, own directory, no persistence), with an ACL
#                    user "relay" (password REDIS_PASSWORD) and the default
#                    user off, also on the Unix socket REDIS_SOCKET; sets
#                    REDIS_PORT and REDIS_PID; killed at exit.
# rcli ARGS...       redis-cli as that user.
# relay_start N LINES...  starts relay N (RelayName relay-N, its own
#                    milter and map ports, ControlSocket and log in the
#                    tmpdir, StateFile none) with the configuration LINES;
#                    sets RELAY<N>_PID, RELAY<N>_MAP, RELAY<N>_MILTER
#                    (its port), RELAY<N>_CONF, RELAY<N>_LOG; stopped at exit.
# relay_stop N       stops relay N.
# relays_clean N...  no sanitizer report in the logs of relays N...
# fleet_dns_start    ldns-testns -v with tests/fixtures/faults/fleet.data
#                    (egresses 192.0.2.10 and .11, DNSBL bl.fleet.test),
#                    then redis_start; FLEET_LINES: the relays' lines.
# route_relays_start  with dns_start's NSD and redis_start: relays 1 and
#                    2 with egresses a and b of route.test (transports
#                    smtp-a, smtp-b), Dnsbl bl.route.test, RefusalBackoff
#                    600 and the Redis line.
# queries_since LINE ADDRESS  DNSBL queries of ADDRESS logged after LINE.
# map_ms FD QUERY    sends QUERY ("NAME KEY") on the socketmap connection
#                    open on FD (exec FD<>/dev/tcp/127.0.0.1/PORT) and
#                    prints the microseconds until its reply (bash's own
#                    clock: no process is started); 9999999 without one.
# routes_slowest N MAX  N times, 0.1 s apart, asks "route
#                    alice@both.route.test" on the connections open on FDs
#                    5 and 6; raises SLOW (microseconds) from MAX.
# wait_for_cmd TENTHS CMD..., wait_for_count FILE TEXT N: waits.

REDIS_PASSWORD=fleet-secret-3a9c
. "$SRCDIR/tests/tools/nsd.sh"

redis_start() {
	local dir="$TMPDIR_TEST/redis" i
	mkdir -p "$dir"
	REDIS_PORT=$("$FREEPORT") || { fail "no free port for Redis"; return 1; }
	cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $REDIS_PORT
dir $dir
save ""
appendonly no
daemonize no
logfile $dir/redis.log
unixsocket $dir/redis.sock
unixsocketperm 700
user default off
user relay on >$REDIS_PASSWORD ~egress-milter:* &* +@all
CONF
	REDIS_SOCKET=$dir/redis.sock
	redis-server "$dir/redis.conf" &
	REDIS_PID=$!
	at_exit "kill -CONT $REDIS_PID 2>/dev/null; kill -KILL $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null"
	for i in $(seq 50); do
		[ "$(rcli PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	fail "redis-server answers on 127.0.0.1:$REDIS_PORT"
	return 1
}

rcli() {
	redis-cli --no-auth-warning -h 127.0.0.1 -p "$REDIS_PORT" \
	    --user relay --pass "$REDIS_PASSWORD" "$@"
}

relay_start() {
	local n=$1 conf="$TMPDIR_TEST/relay$1.conf" mport map
	shift
	mport=$("$FREEPORT"); map=$("$FREEPORT")
	{
		echo "Syslog no"
		echo "RelayName relay-$n"
		echo "MapSocket inet:$map@127.0.0.1"
		echo "ControlSocket unix:$TMPDIR_TEST/control$n"
		echo "StateFile none"
		printf '%s\n' "$@"
	} >"$conf"
	[ "$(id -u)" -eq 0 ] && echo "AllowRoot yes" >>"$conf"
	"$MILTER" -f -c "$conf" -p "inet:$mport@127.0.0.1" \
	    >"$TMPDIR_TEST/relay$n.log" 2>&1 &
	eval "RELAY${n}_PID=$!; RELAY${n}_MAP=$map; RELAY${n}_CONF=$conf"
	eval "RELAY${n}_MILTER=$mport"
	eval "RELAY${n}_LOG=$TMPDIR_TEST/relay$n.log"
	at_exit "relay_stop $n"
	wait_for_tcp "$map" || fail "relay $n: the socketmap server starts"
}

relay_stop() {
	local pid
	eval "pid=\${RELAY$1_PID:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	eval "RELAY$1_PID="
}

# wait_for_cmd TENTHS CMD...: until CMD succeeds.
wait_for_cmd() {
	local i n=$1
	shift
	for i in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_count FILE TEXT N: until FILE has N lines with TEXT (15 s).
wait_for_count() {
	local i
	for i in $(seq 150); do
		[ "$(grep -cF -- "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

fleet_dns_start() {
	TESTNS_VERBOSE=1 testns_start fleet.data || return 1
	QLOG=$TMPDIR_TEST/testns.fleet.data.log
	redis_start || return 1
	FLEET_LINES="Nameservers 127.0.0.1:$TESTNS_PORT
DNSTimeout 1
Dnsbl bl.fleet.test
CheckInterval 10
Egress a 192.0.2.10 helo=mail.example.test
Egress b 192.0.2.11 helo=mail2.example.test
Redis 127.0.0.1:$REDIS_PORT user=relay password=$REDIS_PASSWORD"
}

queries_since() {
	local rev
	rev=$(echo "$2" | awk -F. '{print $4"."$3"."$2"."$1}')
	tail -n +"$(($1 + 1))" "$QLOG" |
	    grep -c "^query .*: $rev\.bl\.fleet\.test\.[[:space:]]IN[[:space:]]A\$"
}

map_ms() {
	local t0 t1 reply
	t0=${EPOCHREALTIME/./}
	printf '%d:%s,' "${#2}" "$2" >&"$1"
	IFS= read -r -t 5 -d , reply <&"$1" || { echo 9999999; return; }
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

routes_slowest() {
	local i fd us
	SLOW=$2
	for i in $(seq "$1"); do
		for fd in 5 6; do
			us=$(map_ms $fd "route alice@both.route.test")
			[ "$us" -gt "$SLOW" ] && SLOW=$us
		done
		sleep 0.1
	done
}

relays_clean() {
	local n log
	for n in "$@"; do
		eval "log=\$RELAY${n}_LOG"
		grep -q 'runtime error\|Sanitizer' "$log" && return 1
	done
	return 0
}

route_relays_start() {
	set -- "Nameservers 127.0.0.1:$DNS_PORT" "DNSTimeout 1" \
	    "Dnsbl bl.route.test" "RefusalBackoff 600" \
	    "Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a" \
	    "Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b" \
	    "Redis 127.0.0.1:$REDIS_PORT user=relay password=$REDIS_PASSWORD"
	relay_start 1 "$@"
	relay_start 2 "$@"
}
