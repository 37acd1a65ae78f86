#!/bin/bash
# fleet.sh SRCDIR BUILDDIR - "make bench": what sharing through Redis
# costs and how fast it is, as figures (it asserts nothing). Two relays
# and a private redis-server (tests/tools/redis.sh), the tests' NSD:
#   1. a refusal learned through relay 1's status map until relay 2's
#      route map answers it: 20 refusals (20 receivers), median and most;
#   2. relay 2's route map, one persistent connection, one lookup at a
#      time (BENCH_FLEET_LOOKUPS, default 2000): p50, p99 and the most
#      with Redis up, then with Redis stopped (SIGSTOP).
set -u
SRCDIR=$(cd "${1:-.}" && pwd)
BUILDDIR=$(cd "${2:-.}" && pwd)
export SRCDIR BUILDDIR
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/redis.sh"
LOOKUPS=${BENCH_FLEET_LOOKUPS:-2000}
dns_start >/dev/null || exit 1
redis_start >/dev/null || exit 1
route_relays_start
wait_for "$RELAY1_LOG" "reached (relay relay-1)" 100
wait_for "$RELAY2_LOG" "reached (relay relay-2)" 100
exec 5<>"/dev/tcp/127.0.0.1/$RELAY1_MAP"

# stats FILE: "p50 p99 most" of the numbers in FILE (microseconds), in ms.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
	    printf "%.2f %.2f %.2f", v[int(NR * 0.5) ? int(NR * 0.5) : 1] / 1000,
	    v[int(NR * 0.99) ? int(NR * 0.99) : 1] / 1000, v[NR] / 1000 }'
}

: >"$TMPDIR_TEST/sync"
for i in $(seq 20); do
	sleep "0.$((RANDOM % 10))"	# no phase lock with the relays' polls
	map_ms 5 "status-a 5.7.1 host mx$i.r$i.test[192.0.2.$i] said: 554 5.7.1 Client host [203.0.113.210] blocked using bl.r$i.test (in reply to RCPT TO command)" >/dev/null
	t0=${EPOCHREALTIME/./}
	until grep -q "egress a: refused by mx$i.r$i.test" "$RELAY2_LOG"; do
		sleep 0.01
		[ $(( ${EPOCHREALTIME/./} - t0 )) -gt 10000000 ] && break
	done
	echo $(( ${EPOCHREALTIME/./} - t0 )) >>"$TMPDIR_TEST/sync"
done
read -r p50 _ most < <(stats "$TMPDIR_TEST/sync")
echo "fleet: a refusal from relay 1's status map to relay 2: median $p50 ms, most $most ms (20 refusals; relays poll Redis every second)"

lookups() {
	exec 6<>"/dev/tcp/127.0.0.1/$RELAY2_MAP"	# idle ones are closed
	: >"$TMPDIR_TEST/$1"
	for i in $(seq "$LOOKUPS"); do
		map_ms 6 "route alice@both.route.test" >>"$TMPDIR_TEST/$1"
	done
	exec 6>&-
	read -r p50 p99 most < <(stats "$TMPDIR_TEST/$1")
	echo "fleet: relay 2's route map, Redis $1: p50 $p50 ms, p99 $p99 ms, most $most ms ($LOOKUPS lookups, one connection)"
}
lookups up
kill -STOP "$REDIS_PID"
lookups stopped
kill -CONT "$REDIS_PID"
exec 5>&-
relay_stop 1
relay_stop 2
exit 0
