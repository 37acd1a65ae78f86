# e2e.sh - egress-milter in a real Postfix (a private instance, see
# tests/tools/postfix.sh) with the tests' NSD and smtp-sink destinations:
# Postfix routes, holds and defers exactly as the milter decides.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/postfix.sh"
if [ "$(id -u)" -ne 0 ]; then
	fail "the end-to-end test runs as root (it starts a private Postfix)"
	exit 1
fi
for cmd in postfix smtp-sink swaks postqueue; do
	command -v $cmd >/dev/null || { fail "$cmd is installed"; exit 1; }
done
dns_start || exit 1
MPORT=$("$FREEPORT")
postfix_start "$MPORT" || exit 1
MAILLOG=$(postfix_log)

# send NAME FROM: (Subject NAME; a spoofed X-Egress-Route is always sent) one message through Postfix's smtpd; swaks' transcript
# in $TMPDIR_TEST/NAME.swaks.
send() {
	swaks --server 127.0.0.1 --port "$PF_PORT" --from "$2" \
	    --to bob@example.net --header "From: $2" \
	    --header "Subject: $1" --header "X-Egress-Route: primary" \
	    --body "test $1" --timeout 30 >"$TMPDIR_TEST/$1.swaks" 2>&1
}

# delivered DIR SUBJECT: waits (15 s) for a message with SUBJECT in a sink.
delivered() {
	local i
	for i in $(seq 150); do
		grep -l "Subject: $2" "$PF_DIR/$1"/* 2>/dev/null | head -1 | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
file_of() { grep -l "Subject: $2" "$PF_DIR/$1"/* 2>/dev/null | head -1; }
# no_route_header FILE: FILE exists and carries no X-Egress-Route.
no_route_header() { [ -n "$1" ] && [ -f "$1" ] && ! grep -qi "^X-Egress-Route" "$1"; }

milter healthy "Egress primary 192.0.2.10 helo=mail.example.test route=primary transport=smtp" \
    "Egress backup 192.0.2.20 helo=mail2.example.test route=backup transport=smtp-backup"
send healthy alice@pass.spf.test
check_contains "healthy egress: the client's message is accepted" "$TMPDIR_TEST/healthy.swaks" "250 2.0.0 Ok: queued"
check "healthy egress: delivered through the default transport" delivered sink-main healthy
f=$(file_of sink-main healthy)
check "healthy egress: no route header in the delivered message" no_route_header "$f"

milter listed "Egress primary 192.0.2.20 helo=mail2.example.test route=primary transport=smtp" \
    "Egress backup 192.0.2.10 helo=mail.example.test route=backup transport=smtp-backup"
send listed alice@pass.spf.test
check "listed primary: the message leaves through the backup transport" delivered sink-backup listed
f=$(file_of sink-backup listed)
check "listed primary: the route header is stripped on the way out" no_route_header "$f"
check_contains "listed primary: Postfix logged the FILTER to smtp-backup" "$MAILLOG" "relay=127.0.0.1[127.0.0.1]:$SINK_BACKUP"

# Local submission: the sendmail command, pickup, non_smtpd_milters.
printf 'From: alice@pass.spf.test\nSubject: local\nX-Egress-Route: primary\n\nlocal test\n' |
    sendmail -C "$PF_DIR/etc" -f alice@pass.spf.test bob@example.net
check "sendmail command (non_smtpd_milters): rerouted through the backup" delivered sink-backup local
f=$(file_of sink-backup local)
check "sendmail command: the route header is stripped on the way out" no_route_header "$f"

milter nohealthy "Egress primary 192.0.2.20 helo=mail2.example.test route=primary" \
    "Egress other 192.0.2.30 route=other"
queued_before=$(postqueue -c "$PF_DIR/etc" -j | wc -l)
send nohealthy alice@pass.spf.test
check_contains "no healthy egress: the client gets 451 4.7.1" "$TMPDIR_TEST/nohealthy.swaks" "451 4.7.1"
check_contains "no healthy egress: the reply says why and what to do" "$TMPDIR_TEST/nohealthy.swaks" \
    "bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20"
check "no healthy egress: nothing is queued" [ "$(postqueue -c "$PF_DIR/etc" -j | wc -l)" -eq "$queued_before" ]

milter hold "Egress primary 192.0.2.20 helo=mail2.example.test route=primary" "On listed quarantine"
send hold alice@pass.spf.test
sleep 1
in_hold() { postqueue -c "$PF_DIR/etc" -j | grep -q '"queue_name": *"hold"'; }
check "quarantine: the message is in the hold queue" in_hold
check_contains "quarantine: Postfix logged the hold with the reason" "$MAILLOG" "milter triggers HOLD action"

stop_milter
send stopped alice@pass.spf.test
check_contains "milter stopped: Postfix answers 451 (milter_default_action = tempfail)" \
    "$TMPDIR_TEST/stopped.swaks" "451 4.7.1"

milter transport "Egress main 192.0.2.10 helo=mail.example.test route=main transport=smtp" \
    "Egress ip2 192.0.2.20 helo=mail2.example.test route=ip2 transport=smtp-ip2"
send ip2 ip2@pass.spf.test
check_contains "{rcpt_mailer}: the milter judged egress ip2, chosen by sender_dependent_default_transport_maps" \
    "$MLOG" "action=reroute egress=ip2 route=main"
check "{rcpt_mailer}: the message was rerouted to the main sink" delivered sink-main ip2
stop_milter
master_pid=$(cat "$PF_DIR/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
postfix_stop
dns_stop
gone() {
	[ -n "$1" ] || return 1
	for i in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
check "cleanup: the private Postfix has stopped" gone "$master_pid"
left=$(for p in $SINK_PIDS_STARTED; do kill -0 "$p" 2>/dev/null && echo "$p"; done)
check "cleanup: the sinks have stopped" [ -z "$left" ]
exit $TEST_FAILED
