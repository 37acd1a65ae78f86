# sendmail.sh - egress-milter in a real Sendmail (a private daemon, see
# tests/tools/sendmail.sh, configured with the INPUT_MAIL_FILTER line of
# contrib/sendmail/egress-milter.mc) with the tests' NSD and an
# smtp-sink as the smart host: Sendmail delivers, tempfails and
# quarantines exactly as the milter decides, and tempfails on its own
# (F=T) when the milter is down; Sendmail's own log (read from a private
# /dev/log) names the same queue ids as the milter's log lines.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/sendmail.sh"
sendmail_require || exit 1
# The system's MTA: Postfix's sendmail command, no Sendmail directories.
system_mta() { readlink -f /usr/sbin/sendmail; ls -d /etc/mail /var/spool/mqueue 2>&1; }
system_before=$(system_mta)
dns_start || exit 1
MPORT=$("$FREEPORT")
sendmail_start "$MPORT" || exit 1

# send NAME: one message (Subject NAME) from alice@pass.spf.test through
# Sendmail's SMTP server; swaks' transcript in $TMPDIR_TEST/NAME.swaks.
send() { sendmail_send "$1" alice@pass.spf.test; }

# delivered SUBJECT: waits (15 s) for a message with SUBJECT in the sink.
delivered() { sendmail_in "$SM_DIR/sink" "$1"; }
# not_delivered SUBJECT: no message with SUBJECT in the sink.
not_delivered() { ! grep -lq "Subject: $1" "$SM_DIR/sink"/* 2>/dev/null; }
# not_queued SUBJECT: no queue file holds a message with SUBJECT.
not_queued() { ! grep -lq "Subject: $1" "$SM_DIR/mqueue"/* 2>/dev/null; }
# queue_id NAME: the id in Sendmail's "250 2.0.0 ID Message accepted".
queue_id() {
	sed -n 's/^<- *250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' \
	    "$TMPDIR_TEST/$1.swaks" | head -1
}
# logged_id ID: the milter's decision line starts with Sendmail's queue id.
logged_id() { [ -n "$1" ] && grep -q "egress-milter.*: $1 action=" "$MLOG"; }
# milter_qid: the queue id of the milter's last decision line.
milter_qid() { sed -n 's/.*: \([0-9A-Za-z]*\) action=.*/\1/p' "$MLOG" | tail -1; }
# sm_logged ID TEXT: Sendmail's own log (SM_LOG) has "sendmail[PID]: ID:
# ...TEXT..." (waits 5 s: delivery runs in the background).
SM_LOG=$SM_DIR/maillog
sm_logged() {
	local i
	[ -n "$1" ] || return 1
	for i in $(seq 50); do
		grep -F -- "]: $1: " "$SM_LOG" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

HEALTHY="Egress primary 192.0.2.10 helo=mail.example.test route=primary"
LISTED="Egress primary 192.0.2.20 helo=mail2.example.test route=primary"
BACKUP="Egress backup 192.0.2.10 helo=mail.example.test route=backup"

milter healthy "$HEALTHY"
send healthy
check_contains "healthy egress: Sendmail accepts the message" "$TMPDIR_TEST/healthy.swaks" "250 2.0.0"
check "healthy egress: Sendmail delivers it to the smart host" delivered healthy
qid=$(queue_id healthy)
check "healthy egress: the message came through Sendmail (its Received line has id $qid)" \
    grep -q "with ESMTP id $qid" $(grep -l "Subject: healthy" "$SM_DIR/sink"/* 2>/dev/null) /dev/null
check_contains "healthy egress: the milter accepted it" "$MLOG" "action=accept egress=primary"
check "healthy egress: the log line names Sendmail's queue id ($qid)" logged_id "$qid"
check "healthy egress: Sendmail's own log has $qid sent to the smart host" \
    sm_logged "$qid" "to=<bob@example.net>, delay="
check "healthy egress: ... with stat=Sent" sm_logged "$qid" "stat=Sent"

milter listed "$LISTED" "$BACKUP" "On listed reroute" "Fallback tempfail"
send listed
check_contains "listed egress, Fallback tempfail: the client gets 451 4.7.1" "$TMPDIR_TEST/listed.swaks" "451 4.7.1"
check_contains "listed egress: the reply says why" "$TMPDIR_TEST/listed.swaks" "listed, spf-fail, dmarc-fail: bl.test lists 192.0.2.20"
check_contains "listed egress: no reroute under Sendmail, Fallback applies" "$MLOG" "action=tempfail egress=primary route=-"
qid=$(milter_qid)
check "listed egress: Sendmail's own log has the milter's 451 for the milter's queue id ($qid)" \
    sm_logged "$qid" "Milter: data, reject=451 4.7.1 listed, spf-fail, dmarc-fail: bl.test lists 192.0.2.20"
check "listed egress: nothing is delivered" not_delivered listed
check "listed egress: nothing is queued" not_queued listed

milter hold "$LISTED" "On listed quarantine"
send hold
qid=$(queue_id hold)
check "quarantine: Sendmail accepts the message (queue id $qid)" [ -n "$qid" ]
# Sendmail renames a quarantined envelope from qfID to hfID.
hf=$SM_DIR/mqueue/hf$qid
check "quarantine: the envelope is in Sendmail's quarantine (hf$qid)" [ -n "$qid" -a -f "$hf" ]
check "quarantine: the envelope has a q line with the reason" \
    grep -q '^qlisted, spf-fail, dmarc-fail: bl\.test lists 192\.0\.2\.20' "$hf"
sendmail_cmd -bp -qQ >"$TMPDIR_TEST/mailq.out" 2>&1
check_contains "quarantine: mailq -qQ lists the message" "$TMPDIR_TEST/mailq.out" "$qid"
check_contains "quarantine: mailq -qQ shows the reason" "$TMPDIR_TEST/mailq.out" "QUARANTINE:"
sleep 1
check "quarantine: nothing is delivered" not_delivered hold
check "quarantine: the log line names Sendmail's queue id" logged_id "$qid"
check "quarantine: Sendmail's own log has $qid quarantined by egress-milter" \
    sm_logged "$qid" "milter=egress-milter, quarantine=listed, spf-fail, dmarc-fail: bl.test lists 192.0.2.20"
sendmail_cmd -qQ -Q -qI"$qid" >"$TMPDIR_TEST/release.out" 2>&1
check "quarantine: sendmail -qQ -Q -qIID releases it (qf$qid again)" \
    [ -f "$SM_DIR/mqueue/qf$qid" -a ! -f "$hf" ]
sendmail_cmd -q -qI"$qid" >"$TMPDIR_TEST/run.out" 2>&1
check "quarantine: a queue run then delivers the released message" delivered hold

# transport= against Sendmail's {rcpt_mailer}: the smart host's mailer
# is esmtp, so the milter judges egress "main", not the first one.
milter mailer "Egress other 192.0.2.20 helo=mail2.example.test route=other transport=relay" \
    "Egress main 192.0.2.10 helo=mail.example.test route=main transport=esmtp"
send mailer
check_contains "{rcpt_mailer}: the milter judged the egress of Sendmail's mailer (esmtp)" \
    "$MLOG" "action=accept egress=main"
check "{rcpt_mailer}: Sendmail delivers the message" delivered mailer

stop_milter
lines=$(wc -l <"$SM_LOG")
send stopped
tail -n +$((lines + 1)) "$SM_LOG" >"$TMPDIR_TEST/stopped.maillog"
check_contains "milter stopped: Sendmail logs that it cannot reach egress-milter" \
    "$TMPDIR_TEST/stopped.maillog" "Milter (egress-milter): error connecting to filter"
check_contains "milter stopped: ... and tempfails (F=T)" \
    "$TMPDIR_TEST/stopped.maillog" "Milter: initialization failed, temp failing commands"
check_contains "milter stopped: Sendmail tempfails (F=T)" "$TMPDIR_TEST/stopped.swaks" "451 4.3.2"
check "milter stopped: nothing is delivered" not_delivered stopped

pid=$SM_PID
sendmail_stop
dns_stop
left=$(ps -eo pgid=,pid= | awk -v g="$pid" '$1 == g { print $2 }')
check "cleanup: the private Sendmail and its children have stopped" [ -z "$left" ]
check "the system's MTA is untouched (/usr/sbin/sendmail, /etc/mail, /var/spool/mqueue)" \
    [ "$(system_mta)" = "$system_before" ]
exit $TEST_FAILED
