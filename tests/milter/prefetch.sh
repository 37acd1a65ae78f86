# prefetch.sh - the sender's SPF and DMARC records are asked at
# MAIL FROM, in the background, so the answers are cached by the time
# end-of-message needs them: a session that never reaches end-of-message
# still made both lookups, and MAIL FROM was answered at once.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }
port=$("$FREEPORT")
log=$TMPDIR_TEST/prefetch.log
cat >"$TMPDIR_TEST/prefetch.conf" <<CONF
Syslog no
LogLevel debug
Nameservers 127.0.0.1:$DNS_PORT
Dnsbl none
Egress primary 192.0.2.10 helo=mail.example.test
CONF
start_milter "$log" -c "$TMPDIR_TEST/prefetch.conf" -p "inet:$port@127.0.0.1"
wait_for_tcp "$port" || { fail "the milter starts"; exit 1; }
"$MILTERTEST" -D socket="inet:$port@127.0.0.1" \
    -D lib="$SRCDIR/tests/milter/lib.lua" \
    -s "$SRCDIR/tests/milter/prefetch.lua" >"$TMPDIR_TEST/prefetch.out" 2>&1
rc=$?
cat "$TMPDIR_TEST/prefetch.out"
check "the miltertest session completes" [ $rc -eq 0 ]
stop_milter
check_contains "MAIL FROM: the sender domain's SPF record was asked" "$log" \
    "dns: pass.spf.test TXT: answer"
check_contains "MAIL FROM: the sender domain's DMARC record was asked" "$log" \
    "dns: _dmarc.pass.spf.test TXT:"
check "no end-of-message ran (so the lookups came from MAIL FROM)" \
    sh -c "! grep -q ' action=' '$log'"
exit $TEST_FAILED
