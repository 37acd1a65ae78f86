# sendmail-socketmap.sh - contrib/sendmail/egress-route.mc in a real
# Sendmail (tests/tools/sendmail.sh) against egress-milter's route map
# (MapSocket): two egresses whose transport= are Sendmail mailers, esmtp
# to smart host A (the default, SMART_HOST) and relay to smart host B
# (two smtp-sinks on [127.0.0.1], each mailer with its own port). The
# monitor sees egress a listed on a zone the test rewrites: the next
# message goes to B; both listed: RCPT gets the route map's 451 4.7.1,
# and a queued message stays queued with that reason.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/sendmail.sh"
sendmail_require || exit 1
. "$SRCDIR/tests/tools/live.sh"
dns_start || exit 1
MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT"); SM_BACKUP=$("$FREEPORT")
mkdir -p "$TMPDIR_TEST/backup"
chown postfix "$TMPDIR_TEST/backup"
smtp-sink -u postfix -d "$TMPDIR_TEST/backup/%M." "127.0.0.1:$SM_BACKUP" 10 &
BACKUP_PID=$!
stop_backup() { kill "$BACKUP_PID" 2>/dev/null; wait "$BACKUP_PID" 2>/dev/null; }
at_exit stop_backup
sendmail_start "$MPORT" "inet:$MAPPORT@127.0.0.1" || exit 1
check "the .cf asks egress-milter's route map" \
    grep -qx "Kroute socket -T<TMPF> inet:$MAPPORT@127.0.0.1" "$SM_DIR/sendmail.cf"
{
	echo "Syslog no"
	echo "Nameservers 127.0.0.1:$DNS_PORT"
	echo "DNSTimeout 1"
	echo "Dnsbl live.route.test"
	echo "CheckInterval 10"
	echo "MapSocket inet:$MAPPORT@127.0.0.1"
	echo "Egress a 203.0.113.210 helo=mail-a.route.test transport=esmtp nexthop=[127.0.0.1]"
	echo "Egress b 203.0.113.211 helo=mail-b.route.test transport=relay nexthop=[127.0.0.1]"
} >"$TMPDIR_TEST/milter.conf"
MLOG=$TMPDIR_TEST/milter.log
start_milter "$MLOG" -c "$TMPDIR_TEST/milter.conf" -p "inet:$MPORT@127.0.0.1"
wait_for_tcp "$MPORT" || fail "the milter starts"
wait_for_tcp "$MAPPORT" || fail "the route map server starts"
wait_for "$MLOG" "egress b (203.0.113.211): unknown -> " 100
check "first health round: egress a is healthy" wait_for "$MLOG" "egress a (203.0.113.210): unknown -> ok" 10

# send NAME: a message (Subject NAME) from alice@both.route.test.
send() { sendmail_send "$1" alice@both.route.test; }
in_sink() { sendmail_in "$@"; }
not_in() { ! grep -lq "Subject: $2" "$1"/* 2>/dev/null; }
A=$SM_DIR/sink B=$TMPDIR_TEST/backup

send healthy
check "egress a healthy: delivered to smart host A (esmtp)" in_sink "$A" healthy
check "egress a healthy: ... not to B" not_in "$B" healthy
check_contains "egress a healthy: the milter judged egress a" "$MLOG" "action=accept egress=a"

live 210
check "egress a listed: the monitor sees it" \
    wait_for "$MLOG" "egress a (203.0.113.210): ok -> critical" 150
send backup
check "egress a listed: the next message is delivered to smart host B (relay)" \
    in_sink "$B" backup
check "egress a listed: ... not to A" not_in "$A" backup
qid=$(sed -n 's/^<- *250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' \
    "$TMPDIR_TEST/backup.swaks" | head -1)
check "egress a listed: Sendmail's own log has ${qid:-the message} sent by the relay mailer" \
    eval 'grep -F "]: $qid: to=<bob@example.net>" "$SM_DIR/maillog" | grep -q "mailer=relay, .*stat=Sent"'
check_contains "egress a listed: the milter judged the relay mailer's egress b" \
    "$MLOG" "action=accept egress=b"

live 210 211
check "egress b listed too: the monitor sees it" \
    wait_for "$MLOG" "egress b (203.0.113.211): ok -> critical" 150
send none
check_contains "no healthy egress: RCPT gets the route map's 451 4.7.1 with the reason" \
    "$TMPDIR_TEST/none.swaks" "451 4.7.1 no healthy egress"
check "no healthy egress: nothing delivered" eval 'not_in "$A" none && not_in "$B" none'
# A message already queued (submitted on the command line, queue only):
# the queue run resolves its recipient again, gets the same tempfail
# and keeps it queued.
printf 'Subject: queued\n\ntest queued\n' |
    sendmail_cmd -odq -f alice@both.route.test bob@example.net \
    >"$TMPDIR_TEST/queued.out" 2>&1
sendmail_cmd -q -v >"$TMPDIR_TEST/qrun.out" 2>&1
sendmail_cmd -bp >"$TMPDIR_TEST/mailq.out" 2>&1
check_contains "no healthy egress: the queue run asked the route map again" \
    "$TMPDIR_TEST/qrun.out" "no healthy egress:a critical:203.0.113.210 listed on live.route.test;b critical"
check_contains "no healthy egress: a queue run keeps the message queued (mailq)" \
    "$TMPDIR_TEST/mailq.out" "alice@both.route.test"
check_contains "no healthy egress: ... with the route map's reason" \
    "$TMPDIR_TEST/mailq.out" "(no healthy egress:a critical:203.0.113.210 listed"
check "no healthy egress: the queued message is not bounced or delivered" \
    eval 'not_in "$A" queued && not_in "$B" queued'

stop_milter
pid=$SM_PID
sendmail_stop
dns_stop
left=$(ps -eo pgid=,pid= | awk -v g="$pid" '$1 == g { print $2 }')
check "cleanup: the private Sendmail and its children have stopped" [ -z "$left" ]
exit $TEST_FAILED
