# milter-routing.sh - the milter beside the route map, over the milter
# protocol (miltertest): with MapSocket it adds no route header and
# tempfails only when no egress could send the message; refusals learned
# through the status map are its finding "refused"; recipients whose
# {rcpt_mailer} is no egress's (local, relay) are neither judged nor
# rerouted, with or without MapSocket.
set -u
. "$SRCDIR/tests/lib.sh"
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
A="Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a"
B="Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b"
REFUSED="said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test"

# daemon NAME LINES...: the daemon with those lines, its first round done.
daemon() {
	local name=$1 i; shift
	printf '%s\n' "Syslog no" "Nameservers 127.0.0.1:$DNS_PORT" \
	    "Dnsbl bl.route.test" "$@" >"$TMPDIR_TEST/$name.conf"
	LOG=$TMPDIR_TEST/$name.log
	start_milter "$LOG" -c "$TMPDIR_TEST/$name.conf" -p "inet:$MPORT@127.0.0.1"
	wait_for_tcp "$MPORT" || fail "$name: the milter starts"
	for i in $(seq 50); do
		[ "$(grep -c ': unknown -> ' "$LOG")" -ge 2 ] && break
		sleep 0.1
	done
}
# lua PHASE: runs routing.lua in that phase, its lines prefixed.
lua() {
	"$MILTERTEST" -D socket="inet:$MPORT@127.0.0.1" -D phase="$1" \
	    -D lib="$SRCDIR/tests/milter/lib.lua" \
	    -s "$SRCDIR/tests/milter/routing.lua" >"$TMPDIR_TEST/$1.out" 2>&1
	local rc=$?
	cat "$TMPDIR_TEST/$1.out"
	check "$1: the miltertest session completes" [ $rc -eq 0 ]
}

daemon map "$A" "$B" "MapSocket inet:$MAPPORT@127.0.0.1"
# A refusal at one named receiver is no finding: mail to others leaves.
"$CLIENT" "$MAPPORT" query "status-a 5.7.1 host mx.dest.test[192.0.2.1] $REFUSED" >/dev/null
# The relayhost (known by its address) refusing: every receiver.
"$CLIENT" "$MAPPORT" query "status-a 5.7.1 host 192.0.2.1[192.0.2.1] $REFUSED" >/dev/null
lua map
check_contains "map mode: the refused egress is the finding refused, the message goes on (reroute)" \
    "$LOG" "action=reroute egress=a route=b findings=refused sender=<alice@both.route.test>"
check_contains "map mode: the reason names the destination and the text" "$LOG" \
    "refused by 192.0.2.1[192.0.2.1] until"
check_contains "map mode: a local recipient is not judged" "$LOG" \
    "reasons=\"no recipient leaves through an egress\""
"$CLIENT" "$MAPPORT" query "status-b 5.7.1 host 192.0.2.1[192.0.2.1] ${REFUSED/203.0.113.210/203.0.113.211}" >/dev/null
lua allrefused
check_contains "map mode: every egress refused: tempfail, logged with why" "$LOG" \
    "action=tempfail egress=a route=- findings=refused"
stop_milter

daemon header "Egress a 203.0.113.212 helo=mail-c.route.test transport=smtp-a" "$B"
lua header
check_contains "header mode: the relay recipient is not judged" "$LOG" \
    "reasons=\"no recipient leaves through an egress\""
stop_milter
exit $TEST_FAILED
