# e2e-receivers.sh - refusals by cause and by receiver end to end (the
# setting of tests/e2e/routing.sh, with MX delivery): the sending
# Postfix finds each recipient domain's MX in the tests' DNS (gmail-mx,
# outlook-mx, yahoo-mx, other-mx: four receivers, all on the remote
# Postfix's port) and asks egress-milter's route, route-rcpt and status
# maps. The remote Postfix answers per recipient domain and client with
# the texts real receivers send. A listing at one receiver reroutes only
# that receiver's mail; a rate limit pauses; auth, DBL, user unknown,
# greylisting and Postfix's own DNS error never touch the egress; three
# receivers refusing for ip make the back-off global; --status follows.
set -u
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/tools/routing.sh"
routing_namespace "$0" || exit 1
make_tmpdir

# rules FILE LINES...: a texthash access table of the remote.
rules() { local f=$TMPDIR_TEST/$1; shift; printf '%s\n' "$@" >"$f"; }

receivers_setup() {
	local cmd pf
	for cmd in postfix postconf smtp-sink swaks postqueue jq; do
		command -v $cmd >/dev/null || { fail "$cmd is installed"; return 1; }
	done
	routing_dns || return 1
	MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
	S_PORT=$("$FREEPORT"); R_PORT=$("$FREEPORT"); SINK_DEST=$("$FREEPORT")
	MAP=socketmap:inet:127.0.0.1:$MAPPORT
	# Egress a is 127.0.0.2, b 127.0.0.3.
	rules gmail "127.0.0.2 554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.2"
	rules yahoo "127.0.0.2 450 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address"
	rules outlook "127.0.0.2 DUNNO"
	rules other "127.0.0.2 554 5.7.1 Client host [127.0.0.2] blocked using bl.other-mx.test"
	rules rcpt \
	    "gmail.route.test gmail_rules" "yahoo.route.test yahoo_rules" \
	    "other.route.test other_rules" \
	    "cs01@outlook.route.test 550 5.1.1 <cs01@outlook.route.test>: user unknown" \
	    "grey@outlook.route.test 450 4.2.0 Greylisted, see http://postgrey.schweikert.ch/help/outlook.route.test.html" \
	    "dbl@outlook.route.test 554 5.7.1 Service unavailable; Sender address [alice@both.route.test] blocked using dbl.spamhaus.org" \
	    "auth@outlook.route.test 550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM." \
	    "outlook.route.test outlook_rules"
	instance remote "$R_PORT" "myhostname = mx.remote.test" \
	    "relay_domains = gmail.route.test outlook.route.test yahoo.route.test other.route.test" \
	    "relayhost = [127.0.0.1]:$SINK_DEST" \
	    "smtpd_restriction_classes = gmail_rules yahoo_rules outlook_rules other_rules" \
	    "gmail_rules = check_client_access texthash:$TMPDIR_TEST/gmail" \
	    "yahoo_rules = check_client_access texthash:$TMPDIR_TEST/yahoo" \
	    "outlook_rules = check_client_access texthash:$TMPDIR_TEST/outlook" \
	    "other_rules = check_client_access texthash:$TMPDIR_TEST/other" \
	    "smtpd_recipient_restrictions = check_recipient_access texthash:$TMPDIR_TEST/rcpt, permit_auth_destination, reject"
	instance sender "$S_PORT" "myhostname = relay.route.test" \
	    "smtp_tcp_port = $R_PORT" \
	    "default_transport = smtp-a" \
	    "sender_dependent_default_transport_maps = $MAP:route" \
	    "transport_maps = $MAP:route-rcpt" \
	    "smtpd_milters = inet:127.0.0.1:$MPORT" \
	    "milter_default_action = tempfail" \
	    "milter_protocol = 6"
	postconf -c "$TMPDIR_TEST/sender/etc" -e "smtp_dns_support_level = enabled"
	egress_transport a 127.0.0.2 mail-a.route.test
	egress_transport b 127.0.0.3 mail-b.route.test
	SLOG=$TMPDIR_TEST/sender/log/maillog
	RLOG=$TMPDIR_TEST/remote/log/maillog
	mkdir -p "$TMPDIR_TEST/dest"
	chown postfix "$TMPDIR_TEST/dest"
	smtp-sink -u postfix -d "$TMPDIR_TEST/dest/%M." 127.0.0.1:$SINK_DEST 10 &
	at_exit "kill $!"
	at_exit 'postfix -c "$TMPDIR_TEST/sender/etc" stop >/dev/null 2>&1'
	at_exit 'postfix -c "$TMPDIR_TEST/remote/etc" stop >/dev/null 2>&1'
	for pf in remote sender; do
		postfix -c "$TMPDIR_TEST/$pf/etc" start >"$TMPDIR_TEST/$pf.start" 2>&1 ||
		    { fail "the $pf Postfix starts"; sed 's/^/#   /' "$TMPDIR_TEST/$pf.start"; return 1; }
	done
	wait_for_tcp "$R_PORT" && wait_for_tcp "$S_PORT" ||
	    { fail "both private Postfix instances listen"; return 1; }
}

# through QID EGRESS STATUS: the sending Postfix's line for QID says so.
through() {
	grep -F " $1: " "$SLOG" | grep "postfix/smtp-$2/smtp\[" | grep -q "status=$3"
}
# status_json: --status --json into status.json; its exit code in SRC.
status_json() {
	"$MILTER" --status --json -c "$TMPDIR_TEST/milter.conf" >"$TMPDIR_TEST/status.json" 2>&1
	SRC=$?
}

receivers_setup || exit 1
routing_milter "Dnsbl bl.route.test" "ControlSocket unix:$TMPDIR_TEST/control"
# The MX of each recipient domain in egress-milter's cache (route-rcpt
# answers NOTFOUND to a miss and fetches it in the background).
for d in gmail outlook yahoo other badmx; do
	"$BUILDDIR/tests/tools/socketmap_client" "$MAPPORT" query "route-rcpt x@$d.route.test" >/dev/null
done
sleep 1

# 1. A listing at gmail-mx.test: deferred, rerouted only there.
Q1=$(send listed bob@gmail.route.test)
check "listing: refused through egress a and deferred" \
    wait_for "$SLOG" "$Q1: to=<bob@gmail.route.test>, relay=mx.gmail-mx.test[127.0.0.1]:$R_PORT"
check "listing: deferred, not bounced, the note names the receiver" \
    sh -c "grep -F ' $Q1: ' '$SLOG' | grep 'status=deferred' | grep -q 'egress a is refused by gmail-mx.test'"
check_contains "listing: logged with cause and receiver" "$MLOG" \
    "egress a: refused by mx.gmail-mx.test[127.0.0.1], not used for 3600 s (cause ip, receiver gmail-mx.test)"
Q2=$(send other-receiver carol@outlook.route.test)
check "another receiver: delivered" delivered other-receiver dest
check "another receiver: still through egress a" through "$Q2" a sent
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "listing: the retry is delivered" delivered listed dest
check "listing: the retry left through egress b" through "$Q1" b sent

# 2. A rate limit at yahoo-mx.test: a pause, no reroute.
Q3=$(send rate dave@yahoo.route.test)
check "rate limit: refused through a" \
    wait_for "$SLOG" "$Q3: to=<dave@yahoo.route.test>, relay=mx.yahoo-mx.test[127.0.0.1]:$R_PORT"
check_contains "rate limit: a pause of egress a toward yahoo-mx.test" "$MLOG" \
    "egress a: rate limited by mx.yahoo-mx.test[127.0.0.1], paused for 600 s toward yahoo-mx.test (cause rate)"
send filler erin@outlook.route.test >/dev/null
postqueue -c "$TMPDIR_TEST/sender/etc" -f
sleep 3
check "rate limit: the message waits, never rerouted through b" \
    sh -c "! grep -F ' $Q3: ' '$SLOG' | grep -q 'postfix/smtp-b/'"
check "rate limit: the retry is held by route-rcpt's retry:" \
    sh -c "grep -F ' $Q3: ' '$SLOG' | grep -q 'egress a is paused toward yahoo-mx.test'"

# 3. Never the egress's fault.
for r in cs01 grey dbl auth; do
	send "never-$r" "$r@outlook.route.test" >/dev/null
done
send never-dns frank@badmx.route.test >/dev/null
for r in cs01 grey dbl auth; do
	wait_for "$SLOG" "to=<$r@outlook.route.test>, relay=mx.outlook-mx.test" >/dev/null
done
wait_for "$SLOG" "to=<frank@badmx.route.test>" >/dev/null
sleep 1
status_json
check "user unknown, greylisting, DBL, auth and Postfix's DNS error: no back-off" \
    [ "$(jq -r '[.refusals[] | .egress + ":" + .receiver + ":" + .cause] | sort | join(",")' "$TMPDIR_TEST/status.json")" = "a:gmail-mx.test:ip,a:yahoo-mx.test:rate" ]
check "--status: WARNING (exit 1) while receivers are avoided" [ "$SRC" -eq 1 ]
check_contains "the auth refusal is logged, the egress not at fault" "$MLOG" \
    "(cause auth, receiver outlook-mx.test, sender domain not named)"
Q4=$(send still-a grace@outlook.route.test)
check "after them, mail to outlook-mx.test is delivered" delivered still-a dest
check "... still through egress a" through "$Q4" a sent

# 4. Three receivers refusing a for ip: global.
rules outlook "127.0.0.2 550 5.7.1 Unfortunately, messages from [127.0.0.2] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)"
postfix -c "$TMPDIR_TEST/remote/etc" reload >/dev/null 2>&1
sleep 1
Q5=$(send s3150 heidi@outlook.route.test)
check "second receiver (Outlook.com S3150): refused" \
    wait_for "$SLOG" "$Q5: to=<heidi@outlook.route.test>, relay=mx.outlook-mx.test"
Q6=$(send third ivan@other.route.test)
check "third receiver: refused" wait_for "$SLOG" "$Q6: to=<ivan@other.route.test>, relay=mx.other-mx.test"
check "three receivers: the back-off is global" \
    wait_for "$MLOG" "egress a: refused by 3 receivers for ip or ptr"
Q7=$(send global judy@outlook.route.test)
check "global: new mail leaves through b" delivered global dest
check "global: through egress b" through "$Q7" b sent
status_json
check "--status: egress a is not ok, still WARNING (b is left for every receiver)" \
    [ "$SRC" -eq 1 ] && [ "$(jq -r '.refusals | map(select(.global)) | length' "$TMPDIR_TEST/status.json")" -ge 3 ]
stop_milter
exit $TEST_FAILED
