# sendmail-relay.sh - a real Sendmail whose smart host is defined as
# Sendmail's documentation has it (SMART_HOST `[host]', here spelled
# `relay:[127.0.0.1]', see tests/fixtures/sendmail/test.mc), so its outbound
# mail goes through the relay mailer: {rcpt_mailer} is "relay"
# and the milter judges it as leaving through an egress (Sendmail's
# outbound mailers are esmtp, smtp, smtp8, dsmtp and relay; Postfix's
# "relay" transport stays local).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/sendmail.sh"
sendmail_require || exit 1
dns_start || exit 1
MPORT=$("$FREEPORT")
SM_RELAY=1
sendmail_start "$MPORT" || exit 1
check "the test's sendmail.cf has the relay mailer as the smart host's" \
    grep -q '^DSrelay:\[127\.0\.0\.1\]$' "$SM_DIR/sendmail.cf"

send() { sendmail_send "$1" alice@pass.spf.test; }
delivered() { sendmail_in "$SM_DIR/sink" "$1"; }
not_delivered() { ! grep -lq "Subject: $1" "$SM_DIR/sink"/* 2>/dev/null; }

milter healthy "Egress primary 192.0.2.10 helo=mail.example.test"
send healthy
check "healthy egress: Sendmail delivers to the smart host" delivered healthy
check "healthy egress: ... through the relay mailer (Sendmail's log)" \
    grep -q 'mailer=relay, .*stat=Sent' "$SM_DIR/maillog"
check_contains "healthy egress: the milter judged egress primary" "$MLOG" \
    "action=accept egress=primary"
check "healthy egress: not taken for local delivery" \
    sh -c "! grep -q 'no recipient leaves through an egress' '$MLOG'"

milter listed "Egress primary 192.0.2.20 helo=mail2.example.test" \
    "On listed tempfail"
send listed
check_contains "listed egress behind SMART_HOST: the client gets 451 4.7.1" \
    "$TMPDIR_TEST/listed.swaks" "451 4.7.1"
check_contains "listed egress behind SMART_HOST: the milter tempfails" "$MLOG" \
    "action=tempfail egress=primary"
check "listed egress behind SMART_HOST: nothing is delivered" not_delivered listed

# transport= names a mailer of the smart host's kind: relay is matched.
milter mailer "Egress other 192.0.2.20 helo=mail2.example.test transport=esmtp" \
    "Egress main 192.0.2.10 helo=mail.example.test transport=relay"
send mailer
check_contains "{rcpt_mailer} relay: the egress whose transport=relay is judged" \
    "$MLOG" "action=accept egress=main"
check "{rcpt_mailer} relay: Sendmail delivers the message" delivered mailer
exit $TEST_FAILED
