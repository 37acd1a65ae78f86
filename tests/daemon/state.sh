# state.sh - StateFile: a refusal learned through the status map is still
# in force after a restart (a hard kill or a stop): the route map and
# --status still avoid the egress; without a state file it is lost; a
# damaged state file is one log line and a normal start.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1

STATE=$TMPDIR_TEST/var/lib/egress-milter/state
MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
A="Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a"
B="Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b"

# milter NAME CONFIG-LINES...: (re)starts the daemon with a MapSocket.
milter() {
	local name=$1; shift
	{
		echo "Syslog no"
		echo "Nameservers 127.0.0.1:$DNS_PORT"
		echo "DNSTimeout 1"
		echo "Dnsbl bl.route.test"
		echo "MapSocket inet:$MAPPORT@127.0.0.1"
		echo "ControlSocket unix:$TMPDIR_TEST/control"
		echo "$A"
		echo "$B"
		printf '%s\n' "$@"
	} >"$TMPDIR_TEST/$name.conf"
	CONF=$TMPDIR_TEST/$name.conf
	MLOG=$TMPDIR_TEST/$name.log
	start_milter "$MLOG" -c "$CONF" -p "inet:$MPORT@127.0.0.1"
	wait_for_tcp "$MAPPORT" || fail "$name: the socketmap server starts"
}
ask() { "$CLIENT" "$MAPPORT" query "$@"; }
# after_round: until the first health round is over.
after_round() {
	local i
	for i in $(seq 50); do
		grep -q "egress b (.*): unknown -> " "$MLOG" && return 0
		sleep 0.1
	done
}
# route_is NAME WANT: the route map's answer for the sender is WANT.
route_is() {
	local got
	got=$(ask "route alice@both.route.test")
	if [ "$got" = "$2" ]; then pass "$1"
	else fail "$1 (expected \"$2\", got \"$got\")"; fi
}
# status_refusal: egress a's first refusal in --status --json, as
# "destination backoff".
status_refusal() {
	"$MILTER" --status --json -c "$CONF" 2>/dev/null |
	    jq -r '.egress[] | select(.name == "a") | .refusals[0] // empty |
	    "\(.destination) \(.backoff)"'
}

# A refusal by a remote known only by its address: a global back-off.
milter learn "StateFile $STATE"
after_round
route_is "before any refusal the sender's route is the default egress" "OK DUNNO"
check "the state file's directory is created at start" [ -d "${STATE%/*}" ]
got=$(ask "status-a 5.7.1 host 192.0.2.1[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test (in reply to RCPT TO command)")
case $got in "OK 4.7.1 "*"egress a is refused"*) pass "the status map learns a refusal of egress a" ;;
*) fail "the status map learns a refusal of egress a (got \"$got\")" ;; esac
route_is "egress a refused: the sender's route leaves a" "OK smtp-b:"
wait_for "$STATE" "refusal a " 30
check "the refusal is in the state file within 3 s of being learned" \
    grep -q "^refusal a " "$STATE"
check "the state file's first line is its format's version" \
    [ "$(head -1 "$STATE")" = "egress-milter-state 2" ]
check "no temporary file is left beside it" [ ! -e "$STATE.tmp" ]
until1=$(awk '/^refusal a /{print $7}' "$STATE")

# A hard kill (no stop): the refusal was written when it was learned.
kill -KILL "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null; MILTER_PID=
milter learn "StateFile $STATE"
after_round
route_is "after a kill and a start, the route still leaves egress a" "OK smtp-b:"
check_contains "the start says what it put back in force" "$MLOG" \
    "state file $STATE: 1 learned refusal back-off in force again"
got=$(status_refusal)
check "--status still shows egress a's refusal with its destination (got \"$got\")" \
    [ "${got% *}" = "192.0.2.1[192.0.2.1]" ]
check "... and its back-off" [ "${got#* }" -gt 0 ] 2>/dev/null
"$MILTER" --status -c "$CONF" >/dev/null 2>&1
check "--status is not OK while the learned back-off lasts" [ $? -ne 0 ]

# A stop and a start: written again at stop, the same back-off.
stop_milter; rc=$?
check "the daemon stops cleanly with a state file" [ "$rc" -eq 0 ]
check "the back-off keeps its end across restarts (not started anew)" \
    [ "$(awk '/^refusal a /{print $7}' "$STATE")" = "$until1" ]
milter learn "StateFile $STATE"
after_round
route_is "after a stop and a start, the route still leaves egress a" "OK smtp-b:"

# A reload keeps it too.
kill -HUP "$MILTER_PID"
wait_for "$MLOG" "configuration reloaded" 30
sleep 0.5
route_is "after a reload, the route still leaves egress a" "OK smtp-b:"
stop_milter

# Without a state file the learned refusal is lost on restart (the old
# behaviour): what the state file is for.
milter nostate "StateFile none"
after_round
route_is "StateFile none: a restarted daemon has forgotten the refusal" "OK DUNNO"
stop_milter

# A damaged state file: one log line, a normal start, nothing learned.
printf 'egress-milter-state 1\nrefusal a \001\377 garbage\n' >"$STATE"
milter damaged "StateFile $STATE"
after_round
route_is "a damaged state file: the daemon starts and answers" "OK DUNNO"
check "a damaged state file is reported in one log line" \
    [ "$(grep -c "state file" "$MLOG")" -eq 1 ]
check_contains "... which says it is ignored" "$MLOG" \
    "state file $STATE ignored: "
check "... and the daemon runs" kill -0 "$MILTER_PID"
got=$(status_refusal)
check "--status: no refusal from a damaged file (got \"$got\")" [ -z "$got" ]
stop_milter; rc=$?
check "the daemon stops cleanly after a damaged state file" [ "$rc" -eq 0 ]
exit $TEST_FAILED
