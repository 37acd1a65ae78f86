# e2e-health.sh - the route follows the health the monitor sees, at
# every delivery attempt (the setting is in tests/tools/routing.sh): a
# message deferred while egress a was healthy (the destination was down)
# is retried through b once a is listed on a zone egress-milter queries,
# and one deferred then goes back through a when b is listed and a has
# recovered. No FILTER is pinned in the queue file.
set -u
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/tools/routing.sh"
routing_namespace "$0" || exit 1
make_tmpdir
. "$SRCDIR/tests/tools/live.sh"
routing_setup || exit 1
# Here the remote refuses no one: only egress-milter's own zone counts.
postconf -c "$TMPDIR_TEST/remote/etc" -e "smtpd_client_restrictions ="
routing_milter "Dnsbl live.route.test" "CheckInterval 10"
remote() { postfix -c "$TMPDIR_TEST/remote/etc" "$1" >/dev/null 2>&1; }
# hold QID / release QID: no retries (each would be a resolve_clnt cache
# entry of up to 30 s) until the test asks for one.
hold() { postsuper -c "$TMPDIR_TEST/sender/etc" -h "$1" >/dev/null 2>&1; }
release() { postsuper -c "$TMPDIR_TEST/sender/etc" -H "$1" >/dev/null 2>&1; }
# through QID EGRESS: the sending Postfix delivered QID through EGRESS.
through() { grep -F " $1: " "$SLOG" | grep "postfix/smtp-$2/smtp\[" | grep -q status=sent; }

# 1. Deferred while a is healthy: the destination is down.
remote stop
Q1=$(send down-1 frank@dest.test)
check "destination down: the message is deferred through a" \
    wait_for "$SLOG" "$Q1: to=<frank@dest.test>, relay=none"
hold "$Q1"
# 2. a is listed on a zone egress-milter queries.
live 210
check "egress a listed: the monitor sees it" \
    wait_for "$MLOG" "egress a (203.0.113.210): ok -> critical" 150
remote start
wait_for_tcp "$R_PORT" || fail "the remote Postfix is back"
send next-1 grace@dest.test >/dev/null	# and resolve_clnt's cache is not Q1's
check "a listed: a new message is delivered" delivered next-1 dest
release "$Q1"
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "a listed: the deferred message's retry is delivered" delivered down-1 dest
check "a listed: the retry left through b" through "$Q1" b
# 3. Deferred while b is used; then b is listed and a recovers.
remote stop
Q3=$(send down-2 heidi@dest.test)
check "destination down again: the message is deferred through b" \
    wait_for "$SLOG" "$Q3: to=<heidi@dest.test>, relay=none"
hold "$Q3"
live 211
check "egress b listed: the monitor sees it" \
    wait_for "$MLOG" "egress b (203.0.113.211): ok -> critical" 150
check "egress a delisted: it recovers after two clean rounds" \
    wait_for "$MLOG" "egress a (203.0.113.210): critical -> ok" 300
remote start
wait_for_tcp "$R_PORT" || fail "the remote Postfix is back"
send next-2 ivan@dest.test >/dev/null
check "b listed, a recovered: a new message is delivered" delivered next-2 dest
release "$Q3"
postqueue -c "$TMPDIR_TEST/sender/etc" -f
check "b listed, a recovered: the deferred message's retry is delivered" delivered down-2 dest
check "b listed, a recovered: the retry left through a" through "$Q3" a
stop_milter
exit $TEST_FAILED
