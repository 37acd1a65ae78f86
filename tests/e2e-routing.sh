# e2e-routing.sh - routing that follows health, end to end: a sending
# Postfix with two egress transports bound to 127.0.0.2 (egress a) and
# 127.0.0.3 (egress b) asks egress-milter's socketmap for the route and
# the delivery status filter; a second Postfix, the "remote provider",
# refuses clients listed on remote-bl.route.test (which lists 127.0.0.2
# and which egress-milter never queries). Both run in a private mount
# namespace whose /etc/resolv.conf names the tests' NSD on port 53 of a
# free loopback address, so no query reaches the system's resolver.
set -u
. "$SRCDIR/tests/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	fail "the routing end-to-end test runs as root (private Postfix, unshare -m)"
	exit 1
fi
if [ -z "${EM_PRIVATE_MOUNTS:-}" ]; then
	exec env EM_PRIVATE_MOUNTS=1 unshare -m --propagation private \
	    bash "$0" "$@"
fi
make_tmpdir
. "$SRCDIR/tests/dns/nsd.sh"
. "$SRCDIR/tests/e2e/postfix.sh"
for cmd in postfix postconf smtp-sink swaks postqueue ss; do
	command -v $cmd >/dev/null || { fail "$cmd is installed"; exit 1; }
done

# A free 127.53.X.Y for NSD on port 53, and resolv.conf naming it.
for i in $(seq 20); do
	NSADDR=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
	ss -lnu | grep -q "$NSADDR:53 " || break
done
DNS_EXTRA_ADDRESS=$NSADDR@53 dns_start || exit 1
printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NSADDR" >"$TMPDIR_TEST/resolv.conf"
mount --bind "$TMPDIR_TEST/resolv.conf" /etc/resolv.conf ||
    { fail "resolv.conf is bind-mounted in the private namespace"; exit 1; }
check "Postfix's resolver sees only the tests' NSD" \
    sh -c "getent hosts mail-a.route.test | grep -q 203.0.113.10"

MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
S_PORT=$("$FREEPORT"); R_PORT=$("$FREEPORT")
SINK_DEST=$("$FREEPORT"); SINK_INTERNAL=$("$FREEPORT")
MAP=socketmap:inet:127.0.0.1:$MAPPORT

# instance NAME SMTPD-PORT MAIN.CF-LINES...: writes a private Postfix.
instance() {
	local dir=$TMPDIR_TEST/$1 port=$2; shift 2
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/log"
	chown postfix "$dir/data"
	{
		postfix_private_main "$dir"
		cat <<CF
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
CF
		printf '%s\n' "$@"
	} >"$dir/etc/main.cf"
	postfix_private_master "$port" >"$dir/etc/master.cf"
}

# egress_transport NAME BIND HELO: a master.cf egress with the status map.
egress_transport() {
	printf '%s unix - - n - - smtp\n  -o syslog_name=postfix/%s\n  -o smtp_bind_address=%s\n  -o smtp_helo_name=%s\n  -o smtp_delivery_status_filter=%s:status-%s\n' \
	    "smtp-$1" "smtp-$1" "$2" "$3" "$MAP" "$1" >>"$TMPDIR_TEST/sender/etc/master.cf"
}

instance remote "$R_PORT" "myhostname = mx.dest.test" \
    "relay_domains = dest.test" \
    "transport_maps = inline:{ dest.test=smtp:[127.0.0.1]:$SINK_DEST }" \
    "smtpd_client_restrictions = reject_rbl_client remote-bl.route.test"
instance sender "$S_PORT" "myhostname = relay.route.test" \
    "relayhost = [127.0.0.1]:$R_PORT" \
    "default_transport = smtp-a" \
    "sender_dependent_default_transport_maps = $MAP:route" \
    "transport_maps = inline:{ internal.test=relay:[127.0.0.1]:$SINK_INTERNAL }" \
    "smtpd_milters = inet:127.0.0.1:$MPORT" \
    "milter_default_action = tempfail" \
    "milter_protocol = 6"
egress_transport a 127.0.0.2 mail-a.route.test
egress_transport b 127.0.0.3 mail-b.route.test
SLOG=$TMPDIR_TEST/sender/log/maillog
RLOG=$TMPDIR_TEST/remote/log/maillog

mkdir -p "$TMPDIR_TEST/dest" "$TMPDIR_TEST/internal"
chown postfix "$TMPDIR_TEST/dest" "$TMPDIR_TEST/internal"
smtp-sink -u postfix -d "$TMPDIR_TEST/dest/%M." 127.0.0.1:$SINK_DEST 10 &
at_exit "kill $!"
smtp-sink -u postfix -d "$TMPDIR_TEST/internal/%M." 127.0.0.1:$SINK_INTERNAL 10 &
at_exit "kill $!"
at_exit 'postfix -c "$TMPDIR_TEST/sender/etc" stop >/dev/null 2>&1'
at_exit 'postfix -c "$TMPDIR_TEST/remote/etc" stop >/dev/null 2>&1'
for pf in remote sender; do
	postfix -c "$TMPDIR_TEST/$pf/etc" start >"$TMPDIR_TEST/$pf.start" 2>&1 ||
	    { fail "the $pf Postfix starts"; sed 's/^/#   /' "$TMPDIR_TEST/$pf.start"; exit 1; }
done
wait_for_tcp "$R_PORT" && wait_for_tcp "$S_PORT" ||
    { fail "both private Postfix instances listen"; exit 1; }

{
	echo "Syslog no"
	echo "Nameservers 127.0.0.1:$DNS_PORT"
	echo "Dnsbl bl.route.test"
	echo "MapSocket inet:$MAPPORT@127.0.0.1"
	echo "RefusalBackoff 8"
	echo "Egress a 203.0.113.10 helo=mail-a.route.test transport=smtp-a"
	echo "Egress b 203.0.113.11 helo=mail-b.route.test transport=smtp-b"
} >"$TMPDIR_TEST/milter.conf"
MLOG=$TMPDIR_TEST/milter.log
start_milter "$MLOG" -c "$TMPDIR_TEST/milter.conf" -p "inet:$MPORT@127.0.0.1"
wait_for_tcp "$MAPPORT" || fail "the milter's socketmap server starts"
# wait_for FILE TEXT [TENTHS]: until FILE contains TEXT (default 15 s).
wait_for() {
	local i
	for i in $(seq "${3:-150}"); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
wait_for "$MLOG" "egress b (203.0.113.11): unknown -> ok" 50
wait_for "$MLOG" "egress a (203.0.113.10): unknown -> ok" 50 ||
    fail "egress a's first health round is ok"

# send SUBJECT TO: one message from alice@both.route.test; its queue id.
send() {
	swaks --server 127.0.0.1 --port "$S_PORT" --from alice@both.route.test \
	    --to "$2" --header "Subject: $1" --body "test $1" --timeout 30 \
	    >"$TMPDIR_TEST/$1.swaks" 2>&1
	sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' "$TMPDIR_TEST/$1.swaks"
}
# delivered SUBJECT DIR: the message has reached sink DIR (15 s).
delivered() {
	local i
	for i in $(seq 150); do
		grep -lq "Subject: $1" "$TMPDIR_TEST/$2"/* 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
# log_of QID: the sender Postfix's lines for QID.
log_of() { grep -F " $1: " "$SLOG"; }

# 1. The first message leaves through a, is refused with Postfix's own
#    "blocked using" text, is deferred and retried through b.
Q1=$(send first bob@dest.test)
check "first message: queued by the sending Postfix" [ -n "$Q1" ]
check "first message: refused at the remote through egress a and deferred" \
    wait_for "$SLOG" "$Q1: to=<bob@dest.test>, relay=127.0.0.1[127.0.0.1]:$R_PORT"
log_of "$Q1" >"$TMPDIR_TEST/q1.log"
check_contains "first message: deferred, with the remote's own text" \
    "$TMPDIR_TEST/q1.log" "status=deferred (host 127.0.0.1[127.0.0.1] said: 554 5.7.1 Service unavailable; Client host [127.0.0.2] blocked using remote-bl.route.test"
check_contains "first message: the deferral says egress a is refused" \
    "$TMPDIR_TEST/q1.log" "egress a is refused"
check_contains "first message: it left through egress a" "$TMPDIR_TEST/q1.log" "postfix/smtp-a/smtp["
check_contains "egress-milter logged the learned refusal" "$MLOG" \
    "egress a: refused by 127.0.0.1[127.0.0.1], not used for 8 s"
# 2. The next message goes through b at once.
Q2=$(send second carol@dest.test)
check "next message: delivered at once" delivered second dest
log_of "$Q2" >"$TMPDIR_TEST/q2.log"
check "next message: it left through egress b" \
    sh -c "grep 'postfix/smtp-b/smtp\\[' '$TMPDIR_TEST/q2.log' | grep -q status=sent"
check_contains "next message: the remote saw egress b's address" "$RLOG" "client=unknown[127.0.0.3]"
grep -F "$Q2 action=" "$MLOG" >"$TMPDIR_TEST/m2.log"
check_contains "next message: the milter judged the egress the route map chose ({rcpt_mailer} smtp-b)" \
    "$TMPDIR_TEST/m2.log" "action=accept egress=b route=- findings=-"
check "next message: no route header with MapSocket (no FILTER pinned in the queue file)" \
    sh -c "! grep -qi '^X-Egress-Route' \$(grep -l 'Subject: second' '$TMPDIR_TEST/dest'/*)"
# 3. The deferred message's retry leaves through b.
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "first message: its retry is delivered" delivered first dest
log_of "$Q1" >"$TMPDIR_TEST/q1.log"
check "first message: the retry left through egress b" \
    sh -c "grep 'postfix/smtp-b/smtp\\[' '$TMPDIR_TEST/q1.log' | grep -q status=sent"
check "first message: never bounced, no DSN to the sender" \
    sh -c "! grep -Eq 'status=bounced|sender non-delivery notification' '$SLOG'"
# 4. Internal mail (transport_maps to a relay) is never rerouted.
Q3=$(send internal boss@internal.test)
check "internal mail: delivered to the internal relay" delivered internal internal
log_of "$Q3" >"$TMPDIR_TEST/q3.log"
check_contains "internal mail: by the relay transport, not an egress" "$TMPDIR_TEST/q3.log" "postfix/relay/smtp["
check_contains "internal mail: the milter did not judge it (relay is no egress)" "$MLOG" \
    "$Q3 action=accept egress=a route=- findings=-"
# 5. After the back-off, egress a is tried again (and refused again: the
#    back-off doubles).
check "the end of the back-off is logged" \
    wait_for "$MLOG" "egress a: refusal back-off of 8 s is over" 120
Q4=$(send again dave@dest.test)
check "after the back-off: egress a is tried again" \
    wait_for "$SLOG" "$Q4: to=<dave@dest.test>, relay=127.0.0.1[127.0.0.1]:$R_PORT, delay"
check_contains "after the back-off: the second refusal doubles it" "$MLOG" \
    "egress a: refused by 127.0.0.1[127.0.0.1], not used for 16 s"
# Another message first: Postfix's resolve_clnt keeps its last answer
# for 30 s, for the same sender and recipient.
send later erin@dest.test >/dev/null
check "after the second refusal: the next message is delivered through b" delivered later dest
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "after the second refusal: the refused message's retry is delivered" delivered again dest
check "after the second refusal: the retry left through egress b" \
    sh -c "grep -F ' $Q4: ' '$SLOG' | grep 'postfix/smtp-b/smtp\\[' | grep -q status=sent"
check "the remote refused only egress a's address" \
    sh -c "! grep -q 'Client host \[127.0.0.3\]' '$RLOG'"
stop_milter
exit $TEST_FAILED
