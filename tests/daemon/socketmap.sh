# socketmap.sh - the MapSocket server as Postfix and a broken client use
# it: the route map follows health, refusals and SPF; the status map
# learns listing refusals; malformed, oversized and many requests and a
# half-open connection get a clear answer or a close.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1

# milter NAME CONFIG-LINES...: (re)starts the daemon with a MapSocket.
milter() {
	local name=$1; shift
	stop_milter
	{
		echo "Syslog no"
		echo "Nameservers ${NS:-127.0.0.1:$DNS_PORT}"
		echo "DNSTimeout 1"
		echo "Dnsbl bl.route.test"
		echo "MapSocket inet:$MAPPORT@127.0.0.1"
		printf '%s\n' "$@"
	} >"$TMPDIR_TEST/$name.conf"
	MLOG=$TMPDIR_TEST/$name.log
	start_milter "$MLOG" -c "$TMPDIR_TEST/$name.conf" -p "inet:$MPORT@127.0.0.1"
	wait_for_tcp "$MAPPORT" || fail "$name: the socketmap server starts"
}
# ask REQUEST...: the replies, one a line.
ask() { "$CLIENT" "$MAPPORT" query "$@"; }
# answer_is NAME REQUEST WANT: the reply to REQUEST is exactly WANT.
answer_is() {
	local got
	got=$(ask "$2")
	if [ "$got" = "$3" ]; then pass "$1"
	else fail "$1 (expected \"$3\", got \"$got\")"; fi
}
# after_round [EGRESS]: waits until the first health round is over (5 s):
# the last egress's first state change is logged.
after_round() {
	local i
	for i in $(seq 50); do
		grep -q "egress ${1:-b} (.*): unknown -> " "$MLOG" && return 0
		sleep 0.1
	done
}

MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
A="Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a"
B="Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b"
C="Egress c 203.0.113.212 helo=mail-c.route.test transport=smtp-c"

# Before the first round: NOTFOUND (no preference), never a deferral.
NS=127.0.0.1:$(dead_port) milter first "$A" "$B"
answer_is "before the first health round the route is NOTFOUND" \
    "route alice@both.route.test" "NOTFOUND "
NS=

milter healthy "$A" "$B"
after_round
answer_is "healthy default egress: DUNNO (default_transport, and Postfix asks no more)" \
    "route alice@both.route.test" "OK DUNNO"
answer_is "the null sender is judged by the HELO name's SPF" "route <>" "OK DUNNO"
answer_is "SPF fails from the default egress: the route is the other's transport" \
    "route alice@onlyb.route.test" "OK smtp-b:"
answer_is "SPF fails from every egress: no preference (DUNNO)" \
    "route alice@nobody.route.test" "OK DUNNO"
answer_is "... and for Postfix's partial key @domain, NOTFOUND" \
    "route @nobody.route.test" "NOTFOUND "
answer_is "Postfix's partial key @domain is judged like the address" \
    "route @onlyb.route.test" "OK smtp-b:"
answer_is "a bare localpart (partial key) gets no preference" "route alice" "NOTFOUND "
# Postfix's own socketmap client (dict_sockmap), as trivial-rewrite uses it.
echo "compatibility_level = 3.6" >"$TMPDIR_TEST/main.cf"
got=$(postmap -c "$TMPDIR_TEST" -q alice@onlyb.route.test "socketmap:inet:127.0.0.1:$MAPPORT:route" 2>&1)
check "Postfix's postmap gets the route through its socketmap client (got \"$got\")" [ "$got" = "smtp-b:" ]
got=$(postmap -c "$TMPDIR_TEST" -q alice@both.route.test "socketmap:inet:127.0.0.1:$MAPPORT:route" 2>&1; echo "rc=$?")
got=$(echo $got)
check "Postfix's postmap: the default egress is DUNNO (got \"$got\")" [ "$got" = "DUNNO rc=0" ]

milter listed "$C nexthop=[127.0.0.1]:2525" "$A" "$B nexthop=[192.0.2.1]"
after_round
answer_is "listed default egress: the first healthy one in configuration order" \
    "route alice@both.route.test" "OK smtp-a:"
answer_is "the nexthop= of an Egress line is part of the answer" \
    "route alice@onlyb.route.test" "OK smtp-b:[192.0.2.1]"

milter nohealthy "$C"
after_round c
got=$(ask "route alice@both.route.test")
case $got in
"OK retry:4.7.1 no healthy egress: c critical: 203.0.113.212 listed on bl.route.test"*)
	pass "no healthy egress: a retry: deferral with the reason" ;;
*)	fail "no healthy egress: a retry: deferral with the reason (got \"$got\")" ;;
esac

# The status map: a listing refusal is deferred and learned.
milter refusal "$A" "$B" "RefusalBackoff 60" \
    "ControlSocket unix:$TMPDIR_TEST/control"
after_round
REFUSAL='5.7.1 host mx.dest.test[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test; listed (in reply to RCPT TO command)'
answer_is "status map: an unknown user stays as it is (NOTFOUND)" \
    "status-a 5.1.1 host mx.dest.test[192.0.2.1] said: 550 5.1.1 <bob@dest.test>: Recipient address rejected: User unknown (in reply to RCPT TO command)" "NOTFOUND "
answer_is "status map: a delivery stays as it is (NOTFOUND)" \
    "status-a 2.0.0 host mx.dest.test[192.0.2.1] said: 250 2.0.0 Ok: queued as 1234" "NOTFOUND "
got=$(ask "status-a $REFUSAL")
case $got in
"OK 4.7.1 host mx.dest.test[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test"*"egress a is refused"*)
	pass "status map: a listing refusal turns 5.7.1 into 4.7.1, with the text and a note" ;;
*)	fail "status map: a listing refusal turns 5.7.1 into 4.7.1 (got \"$got\")" ;;
esac
check_contains "the refusal is logged once with the egress, destination and text" "$MLOG" \
    "egress a: refused by mx.dest.test[192.0.2.1], not used for 60 s"
answer_is "a refusal at one receiver does not reroute the sender's mail to others" \
    "route alice@both.route.test" "OK DUNNO"
# --status shows the refusal in force: egress, destination, text, until.
"$MILTER" --status --json -c "$TMPDIR_TEST/refusal.conf" >"$TMPDIR_TEST/status.json" 2>&1
check "--status: egress a's refusal names the destination" \
    [ "$(jq -r '.egress[] | select(.name == "a") | .refusals[0].destination' "$TMPDIR_TEST/status.json")" = "mx.dest.test[192.0.2.1]" ]
check "--status: ... with the remote's text and a back-off of 60 s" \
    [ "$(jq -r '.egress[] | select(.name == "a") | .refusals[0] | (.text | test("blocked using remote-bl.route.test")) and .backoff == 60' "$TMPDIR_TEST/status.json")" = true ]
check "--status: egress b has no refusal" \
    [ "$(jq -r '.egress[] | select(.name == "b") | .refusals | length' "$TMPDIR_TEST/status.json")" = 0 ]
check "--status: refusals[] names egress, receiver, cause, text and until" \
    [ "$(jq -r '.refusals[0] | [.egress, .receiver, .cause, (.text | test("remote-bl")), (.until | test("^20"))] | @tsv' "$TMPDIR_TEST/status.json")" = "a	dest.test	ip	true	true" ]
check "--status: a receiver avoided is a WARNING" \
    [ "$(jq -r '.status' "$TMPDIR_TEST/status.json")" = warning ]
check "--status: one refusal learned" \
    [ "$(jq -r '.refusals_learned' "$TMPDIR_TEST/status.json")" = 1 ]
"$MILTER" --status -c "$TMPDIR_TEST/refusal.conf" >"$TMPDIR_TEST/status.txt" 2>&1
check_contains "--status (text): the refusal, its receiver and until when" "$TMPDIR_TEST/status.txt" \
    "refused for dest.test by mx.dest.test[192.0.2.1] until "
check_contains "--status (text): WARNING while a receiver is avoided" "$TMPDIR_TEST/status.txt" \
    "EGRESS WARNING - 2 of 2 egresses ok"
"$MILTER" --status -c "$TMPDIR_TEST/refusal.conf" >/dev/null 2>&1
check "--status exits 1 (WARNING) while one egress avoids a receiver" [ $? -eq 1 ]
got=$(ask "status-b ${REFUSAL/203.0.113.210/203.0.113.211}")
case $got in "OK 4.7.1 "*"egress b is refused by dest.test"*) pass "egress b refused by the same receiver" ;;
*) fail "egress b refused by the same receiver (got \"$got\")" ;; esac
"$MILTER" --status --json -c "$TMPDIR_TEST/refusal.conf" >"$TMPDIR_TEST/status.json" 2>&1
rc=$?
check "--status: a receiver with no egress left is CRITICAL, exit 2 (rc $rc)" \
    [ "$rc" -eq 2 ] && [ "$(jq -r '.status, .receivers_without_egress' "$TMPDIR_TEST/status.json" | tr '\n' ' ')" = "critical 1 " ]
answer_is "a refusal of egress a never defers mail that left through b" \
    "status-b 5.1.1 host mx.dest.test[192.0.2.1] said: 550 5.1.1 User unknown" "NOTFOUND "
GMAIL='4.7.28 host gmail-smtp-in.l.google.com[192.0.2.5] said: 421-4.7.28 [203.0.113.211] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. (in reply to end of DATA command)'
answer_is "a Gmail 421-4.7.28 rate limit: the remote's 4xx stays as it is" "status-b $GMAIL" "NOTFOUND "
check_contains "the rate limit pauses b toward google, logged with its cause" "$MLOG" \
    "egress b: rate limited by gmail-smtp-in.l.google.com[192.0.2.5], paused for 600 s toward google (cause rate)"
answer_is "a rate limit at Gmail reroutes nothing" "route alice@both.route.test" "OK DUNNO"
# Texts that back off the egress of the round-2 code, and must not.
for text in "5.1.1 host mx.dest.test[192.0.2.1] said: 550 5.1.1 <cs01@example.test>: Recipient address rejected: User unknown (in reply to RCPT TO command)" \
    "4.2.0 host mx1.trendmicro-mail.test[192.0.2.7] said: 450 4.2.0 <bob@dest.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/dest.test.html" \
    "5.7.1 host mx.dest.test[192.0.2.1] said: 554 5.7.1 Service unavailable; Sender address [alice@spammy.test] blocked using dbl.spamhaus.org; https://www.spamhaus.org/query/domain/spammy.test" \
    "5.4.4 Host or domain name not found. Name service error for name=mx.spamhaus.invalid type=A: Host not found" \
    "5.7.1 host mx01.mail.icloud.test[192.0.2.9] said: 554 5.7.1 [CS01] Message rejected due to local policy"; do
	answer_is "never a refusal of the egress: ${text:0:90}" "status-b $text" "NOTFOUND "
done
"$MILTER" --status --json -c "$TMPDIR_TEST/refusal.conf" >"$TMPDIR_TEST/status.json" 2>&1
check "--status: egress b has no back-off after user unknown, greylisting, the DBL, a DNS error" \
    [ "$(jq -r '[.refusals[] | select(.egress == "b") | .receiver + ":" + .cause] | sort | join(",")' "$TMPDIR_TEST/status.json")" = "dest.test:ip,google:rate" ]
for text in "5.7.1 host x.test[192.0.2.9] said: 550 5.7.1 Mail from 203.0.113.210 blocked using Trend Micro RBL+. Please see http://www.mail-abuse.com/cgi-bin/lookup?ip_address=203.0.113.210" \
    "5.7.1 host x.test[192.0.2.9] said: 550 5.7.1 Service unavailable, Client host [203.0.113.210] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/203.0.113.210" \
    "5.7.606 host x.outlook.test[192.0.2.9] said: 550 5.7.606 Access denied, banned sending IP [203.0.113.210]" \
    "5.7.1 host x.outlook.test[192.0.2.9] said: 550 5.7.1 Unfortunately, messages from [203.0.113.210] weren't sent. Please contact your Internet service provider (S3150)" \
    "4.7.0 host mta5.am0.yahoodns.test[192.0.2.9] said: 421 4.7.0 [TSS04] Messages from 203.0.113.210 temporarily deferred due to unexpected volume or user complaints" \
    "5.7.25 host gmail.test[192.0.2.9] said: 550-5.7.25 [203.0.113.210] The IP address sending this message does not have a 550-5.7.25 PTR record setup"; do
	got=$(ask "status-a $text")
	case $got in "OK 4."*) pass "shipped pattern matches: ${text#* said: }" ;;
	*) fail "shipped pattern matches: ${text#* said: } (got \"$got\")" ;; esac
done

# route-rcpt (transport_maps): another egress only toward the receiver
# that backed the default egress off; MX from the cache, never waited on.
milter rcpt "$A" "$B"
after_round
answer_is "route-rcpt: an MX not in the cache is NOTFOUND at once" \
    "route-rcpt bob@gmail.route.test" "NOTFOUND "
ask "route-rcpt bob@outlook.route.test" "route-rcpt bob@yahoo.route.test" >/dev/null
sleep 1
answer_is "route-rcpt: no back-off, the route map decides (NOTFOUND)" \
    "route-rcpt bob@gmail.route.test" "NOTFOUND "
ask "status-a 5.7.1 host mx.gmail-mx.test[192.0.2.5] said: 550 5.7.1 Client host [203.0.113.210] blocked using bl.gmail-mx.test" >/dev/null
answer_is "route-rcpt: a backed off toward the receiver gmail-mx.test: b's transport" \
    "route-rcpt bob@gmail.route.test" "OK smtp-b:"
answer_is "route-rcpt: Postfix's partial key (the domain) gets the same answer" \
    "route-rcpt gmail.route.test" "OK smtp-b:"
answer_is "route-rcpt: mail to another receiver still leaves through a" \
    "route-rcpt bob@outlook.route.test" "NOTFOUND "
answer_is "route: the sender's route is untouched by one receiver's back-off" \
    "route alice@both.route.test" "OK DUNNO"
ask "status-a 4.7.28 host mx.yahoo-mx.test[192.0.2.7] said: 421-4.7.28 [203.0.113.210] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address." >/dev/null
got=$(ask "route-rcpt bob@yahoo.route.test")
case $got in "OK retry:4.7.1 egress a is paused toward yahoo-mx.test"*) pass "route-rcpt: a rate limit pauses mail to that receiver, no reroute" ;;
*) fail "route-rcpt: a rate limit pauses, no reroute (got \"$got\")" ;; esac
ask "status-b 5.7.1 host mx.gmail-mx.test[192.0.2.5] said: 550 5.7.1 Client host [203.0.113.211] blocked using bl.gmail-mx.test" >/dev/null
got=$(ask "route-rcpt bob@gmail.route.test")
case $got in "OK retry:4.7.1 no egress left for gmail-mx.test"*) pass "route-rcpt: every egress refused by the receiver: retry" ;;
*) fail "route-rcpt: every egress refused by the receiver: retry (got \"$got\")" ;; esac
# Three receivers refusing a for ip (the rate limit does not count)
# make a's back-off global.
ask "status-a 5.7.1 host mx.outlook-mx.test[192.0.2.6] said: 550 5.7.1 Unfortunately, messages from [203.0.113.210] weren't sent. (S3150)" >/dev/null
answer_is "two receivers refusing a (and one rate limit): not global yet" \
    "route alice@both.route.test" "OK DUNNO"
ask "status-a $REFUSAL" >/dev/null
answer_is "three receivers refusing a: the sender's route leaves a" \
    "route alice@both.route.test" "OK smtp-b:"
check_contains "the global back-off is logged" "$MLOG" \
    "egress a: refused by 3 receivers for ip or ptr"

# A ptr refusal gives the egress a fresh health round at once (one round
# logs the DNS cache's counters at LogLevel debug).
milter ptr "$A" "$B" "LogLevel debug" "CheckInterval 3600"
after_round
sleep 1
before=$(grep -c "dns cache: " "$MLOG")
ask "status-a 5.7.25 host gmail-smtp-in.l.google.com[192.0.2.5] said: 550-5.7.25 [203.0.113.210] The IP address sending this message does not have a 550-5.7.25 PTR record setup" >/dev/null
sleep 2
after=$(grep -c "dns cache: " "$MLOG")
check "a ptr refusal starts a health round at once ($before rounds, then $after)" [ "$after" -gt "$before" ]

# Only root and Postfix's mail owner change state; another local user's
# status-* request changes nothing, and its idle connections never lock
# Postfix's client out.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	milter peers "$A" "$B" "ControlSocket unix:$TMPDIR_TEST/control"
	after_round
	got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CLIENT" "$MAPPORT" query "status-a $REFUSAL")
	check "another local user's status-* request: NOTFOUND (got \"$got\")" [ "$got" = "NOTFOUND " ]
	"$MILTER" --status --json -c "$TMPDIR_TEST/peers.conf" >"$TMPDIR_TEST/status.json" 2>&1
	check "another local user's status-* request: no back-off learned" \
	    [ "$(jq -r '.refusals | length' "$TMPDIR_TEST/status.json")" = 0 ]
	check_contains "another local user's request is logged" "$MLOG" \
	    "map: status-* request from uid 65534 ignored"
	got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$CLIENT" "$MAPPORT" query "route alice@onlyb.route.test")
	check "another local user may still read the route (got \"$got\")" [ "$got" = "OK smtp-b:" ]
	# 70 idle connections of nobody, held for 8 s.
	setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c '
import socket, sys, time
s = []
for i in range(70):
    try:
        c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        c.sendall(b"27:route alice@both.route.test,")
        s.append(c)
    except OSError:
        pass
time.sleep(8)' "$MAPPORT" &
	HOG=$!
	sleep 2
	got=$(timeout 5 "$CLIENT" "$MAPPORT" query "status-a $REFUSAL")
	case $got in "OK 4.7.1 "*) pass "70 idle connections of another user: root's client still gets a slot and is heard" ;;
	*) fail "70 idle connections of another user: root's client still gets a slot (got \"$got\")" ;; esac
	n=$(ss -tn state established "( sport = :$MAPPORT )" | grep -c 127.0.0.1)
	check "another user keeps at most 8 connections (got $n)" [ "$n" -le 8 ]
	kill "$HOG" 2>/dev/null; wait "$HOG" 2>/dev/null
else
	echo "# not root: the peer checks need another local user"
fi

# RefusalPattern: the operator's own; "none" drops the shipped table.
milter patterns "$A" "$B" "RefusalPattern none" "RefusalPattern poor reputation [(]code [0-9]+[)]"
after_round
answer_is "RefusalPattern none: a Spamhaus refusal is no longer learned" \
    "status-a 5.7.1 host x.test[192.0.2.9] said: 554 5.7.1 blocked using zen.spamhaus.org" "NOTFOUND "
got=$(ask "status-a 5.7.1 host x.test[192.0.2.9] said: 550 5.7.1 POOR reputation (code 17)")
case $got in "OK 4.7.1 "*) pass "RefusalPattern: the operator's pattern matches, case-insensitively" ;;
*) fail "RefusalPattern: the operator's pattern matches (got \"$got\")" ;; esac

# Abuse: every bad request gets an answer or a close; serving goes on.
"$CLIENT" "$MAPPORT" abuse || TEST_FAILED=1
check "the daemon is still running after the abuse" kill -0 "$MILTER_PID"
stop_milter; rc=$?
check "the daemon stops cleanly with the socketmap server running" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || { echo "rc=$rc"; grep -v "^egress-milter: \(info\|notice\)" "$MLOG" | head -40; }
exit $TEST_FAILED
