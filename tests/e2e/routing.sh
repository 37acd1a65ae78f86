# e2e-routing.sh - the seed scenario end to end (the setting is in
# tests/tools/routing.sh): a listing refusal at the remote provider
# through egress a is deferred, never bounced, and learned; the retry
# and the next messages leave through egress b; after the back-off a is
# tried again; internal mail is never rerouted, with MapSocket and in
# header mode.
set -u
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/tools/routing.sh"
routing_namespace "$0" || exit 1
make_tmpdir
routing_setup || exit 1
routing_milter "Dnsbl bl.route.test" "RefusalBackoff 8"

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

# 6. Header mode (no MapSocket; milter_header_checks FILTERs): SPF of
#    onlyb.route.test fails from egress a, so mail to dest.test is
#    rerouted to b; mail to internal.test (relay) is neither judged nor
#    rerouted.
printf '/^X-Egress-Route: b$/ FILTER smtp-b:[127.0.0.1]:%s\n' "$R_PORT" >"$TMPDIR_TEST/routes"
postconf -c "$TMPDIR_TEST/sender/etc" -e "sender_dependent_default_transport_maps =" \
    "milter_header_checks = regexp:$TMPDIR_TEST/routes"
postfix -c "$TMPDIR_TEST/sender/etc" reload >/dev/null 2>&1
ROUTING_HEADER_MODE=1 routing_milter "Dnsbl bl.route.test"
Q5=$(send hdr-internal boss@internal.test alice@onlyb.route.test)
check "header mode, internal mail: delivered to the internal relay" delivered hdr-internal internal
check "header mode, internal mail: no route header was added" \
    sh -c "! grep -qi '^X-Egress-Route' \$(grep -l 'Subject: hdr-internal' '$TMPDIR_TEST/internal'/*)"
check "header mode, internal mail: by the relay transport" \
    sh -c "grep -F ' $Q5: ' '$SLOG' | grep -q 'postfix/relay/smtp\\[.*status=sent'"
check_contains "header mode, internal mail: the milter did not judge it" "$MLOG" \
    "$Q5 action=accept egress=a route=- findings=-"
Q6=$(send hdr-out erin@dest.test alice@onlyb.route.test)
check "header mode, SPF fails from a: delivered" delivered hdr-out dest
check "header mode, SPF fails from a: the FILTER sent it through b" \
    sh -c "grep -F ' $Q6: ' '$SLOG' | grep -q 'postfix/smtp-b/smtp\\[.*status=sent'"
stop_milter
exit $TEST_FAILED
