# nsd.sh - the tests' own DNS servers, on 127.0.0.1 only. Source it
# after tests/lib.sh (it uses FREEPORT, at_exit, TMPDIR_TEST).
#
# dns_start          NSD serving every tests/fixtures/zones/NAME.zone as zone
#                    NAME (DNS_ZONES may name another directory first);
#                    sets DNS_PORT and NSD_PID. Returns 1 (with a
#                    FAIL line) when NSD does not start. With
#                    DNS_EXTRA_ADDRESS set (ADDR@PORT, e.g. 127.53.1.2@53),
#                    NSD listens there too; with DNS_EXTRA_ZONE=NAME and
#                    DNS_EXTRA_ZONE_FILE=PATH it serves that zone too
#                    (a test may rewrite it and send NSD a SIGHUP).
# dns_stop           stops it (also done at exit).
# testns_start FILE  ldns-testns answering from tests/fixtures/faults/FILE;
#                    sets TESTNS_PORT and TESTNS_PID. Several may run.
#                    With TESTNS_VERBOSE=1 its log (TMPDIR_TEST/testns.FILE.log)
#                    has every query (a test counts them).
# dead_port          prints a port on 127.0.0.1 where nothing answers.

DNS_ZONES=${DNS_ZONES:-$(cd "$SRCDIR/tests/fixtures/zones" && pwd)}
DNS_FAULTS=$(cd "$SRCDIR/tests/fixtures/faults" && pwd)
TESTNS_PIDS=

# wait_for_dns PORT NAME [TCP]: until NAME's SOA is answered (5 s).
wait_for_dns() {
	local i
	for i in $(seq 50); do
		drill ${3:+-t} -p "$1" @127.0.0.1 "$2" SOA 2>/dev/null |
		    grep -q 'rcode: NOERROR' && return 0
		sleep 0.1
	done
	return 1
}

dns_start() {
	local dir="$TMPDIR_TEST/nsd" zone name
	mkdir -p "$dir"
	DNS_PORT=$("$FREEPORT" -u) || { fail "no free port for NSD"; return 1; }
	cat >"$dir/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$DNS_PORT
${DNS_EXTRA_ADDRESS:+	ip-address: $DNS_EXTRA_ADDRESS}
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$DNS_ZONES"
	pidfile: "$dir/nsd.pid"
	zonelistfile: "$dir/zone.list"
	xfrdfile: "$dir/xfrd.state"
	xfrdir: "$dir"
	database: ""
	logfile: "$dir/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
remote-control:
	control-enable: no
CONF
	for zone in "$DNS_ZONES"/*.zone; do
		name=$(basename "$zone" .zone)
		if ! nsd-checkzone "$name" "$zone" >"$dir/check.log" 2>&1; then
			fail "zone $name is valid: $(tail -1 "$dir/check.log")"
			return 1
		fi
		printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$name" \
		    "$zone" >>"$dir/nsd.conf"
	done
	[ -z "${DNS_EXTRA_ZONE:-}" ] || printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' \
	    "$DNS_EXTRA_ZONE" "$DNS_EXTRA_ZONE_FILE" >>"$dir/nsd.conf"
	nsd -d -c "$dir/nsd.conf" >"$dir/nsd.out" 2>&1 &
	NSD_PID=$!
	export DNS_PORT NSD_PID
	at_exit dns_stop
	if ! wait_for_dns "$DNS_PORT" example.test; then
		fail "NSD answers on 127.0.0.1:$DNS_PORT"
		tail -5 "$dir/nsd.out" "$dir/nsd.log" 2>/dev/null | sed 's/^/#   /'
		return 1
	fi
}

# stop_pid PID: TERM, then KILL after 2 s.
stop_pid() {
	local i
	kill -TERM "$1" 2>/dev/null || return 0
	for i in $(seq 20); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

dns_stop() {
	[ -n "${NSD_PID:-}" ] && stop_pid "$NSD_PID"
	NSD_PID=
}

testns_start() {
	local file="$DNS_FAULTS/$1"
	TESTNS_PORT=$("$FREEPORT" -u) || { fail "no free port"; return 1; }
	ldns-testns ${TESTNS_VERBOSE:+-v} -p "$TESTNS_PORT" "$file" >"$TMPDIR_TEST/testns.$1.log" 2>&1 &
	TESTNS_PID=$!
	TESTNS_PIDS="$TESTNS_PIDS $TESTNS_PID"
	at_exit "stop_pid $TESTNS_PID"
	# ldns-testns answers at once once it listens; give it a moment.
	local i
	for i in $(seq 30); do
		grep -q "Listening" "$TMPDIR_TEST/testns.$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "ldns-testns starts with $1"
	return 1
}

dead_port() {
	"$FREEPORT" -u
}
