# route-stop.sh - the stop with route-map lookups in flight: the SPF
# threads of the route map are counted and the stop waits for them as
# for the monitor's rounds (1 s at most): one whose answer comes within
# that ends before "stopped"; one still waiting on DNS is left behind
# with a notice and the daemon leaves at once (no exit handler runs
# under it), with exit 0.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
testns_start slow-route.data || exit 1
MILTER_STOP_TENTHS=100

# run NAME SENDER: starts the daemon, asks the route of SENDER, stops it;
# sets $log, $stop_rc and $stop_took (tenths of a second).
run() {
	MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
	log=$TMPDIR_TEST/$1.log
	cat >"$TMPDIR_TEST/$1.conf" <<CONF
Syslog no
LogLevel debug
Nameservers 127.0.0.1:$TESTNS_PORT
DNSTimeout 3
DNSTries 2
Dnsbl none
MapSocket inet:$MAPPORT@127.0.0.1
ControlSocket none
Egress primary 192.0.2.10 helo=mail.example.test transport=smtp-a
CONF
	start_milter "$log" -c "$TMPDIR_TEST/$1.conf" -p "inet:$MPORT@127.0.0.1"
	check "$1: the egress is healthy" wait_log "egress primary (192.0.2.10): unknown -> ok" 15
	got=$("$CLIENT" "$MAPPORT" query "route $2")
	# No say (SPF not known within the wait): DUNNO, which ends Postfix's
	# search for a whole address (docs/refusals.md).
	check "$1: the route lookup answers within its 1 s (got \"$got\")" [ "$got" = "OK DUNNO" ]
	local t0=${EPOCHREALTIME/./}
	stop_milter; stop_rc=$?
	stop_took=$(((${EPOCHREALTIME/./} - t0) / 100000))
}

# SPF of slow.route.test answers 2 s after the lookup began: 1 s after
# the map's answer, within the stop's wait.
run answered alice@slow.route.test
check "answered: exit 0" [ "$stop_rc" -eq 0 ]
check "answered: the stop took at most 3 s (${stop_took} tenths)" [ "$stop_took" -le 30 ]
spf=$(grep -n "dns: slow.route.test TXT: " "$log" | head -1 | cut -d: -f1)
stopped=$(grep -n ": stopped" "$log" | head -1 | cut -d: -f1)
check "answered: the route's SPF lookup ended before \"stopped\" (lines ${spf:-none} and ${stopped:-none})" \
    [ "${spf:-999999}" -lt "${stopped:-0}" ]
check "answered: nothing left behind" eval "! grep -q 'left behind' '$log'"

# SPF of dead.route.test never answers (3 s, twice): left behind.
run unanswered alice@dead.route.test
check "unanswered: exit 0" [ "$stop_rc" -eq 0 ]
check "unanswered: the stop is bounded: at most 4 s (${stop_took} tenths)" [ "$stop_took" -le 40 ]
check_contains "unanswered: the lookup is left behind, said so" "$log" \
    "stopped (0 health rounds and 1 route SPF lookup still waiting on DNS left behind)"
exit $TEST_FAILED
