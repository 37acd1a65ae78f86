# milter-basic.sh - the milter over the milter protocol (miltertest):
# accepts, deletes spoofed route headers, logs one line per message,
# reloads on SIGUSR1 (keeping the old file when the new one is bad) and
# exits 0 on SIGTERM within 2 seconds.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }

port=$("$FREEPORT")
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/milter.log
cat >"$conf" <<CONF
Socket inet:1@127.0.0.1
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
Egress primary 192.0.2.10 helo=mail.example.test
Dnsbl bl.test
CONF

start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens on its socket" wait_for_tcp "$port"

"$MILTERTEST" -D socket="inet:$port@127.0.0.1" -D lib="$SRCDIR/tests/milter/lib.lua" -s "$SRCDIR/tests/milter/basic.lua" \
    >"$TMPDIR_TEST/mt.out" 2>&1
rc=$?
cat "$TMPDIR_TEST/mt.out"
check "the miltertest session completes" [ $rc -eq 0 ]

check_contains "one log line per message, with queue id, action, egress, findings and sender" \
    "$log" "4AbCdE1 action=accept egress=primary route=- findings=spf-none sender=<alice@example.test>"
check_contains "the first message waited for the first health round" "$log" \
    "egress primary (192.0.2.10): unknown -> ok"
check_contains "the log line counts removed route headers" "$log" \
    "sender=<mallory@example.test> rcpts=1 client=198.51.100.7 dmarc=- dkim=- route_headers_removed=2"
check_contains "the null sender is logged as <>" "$log" "sender=<> rcpts=1"

# Reload: a new RouteHeader applies to new connections.
sed -i 's/^Syslog no$/Syslog no\nRouteHeader X-Other-Route/' "$conf"
kill -USR1 "$MILTER_PID"
for i in $(seq 20); do grep -q "configuration reloaded" "$log" && break; sleep 0.1; done
check_contains "SIGUSR1 reloads the configuration" "$log" "configuration reloaded"
"$MILTERTEST" -D socket="inet:$port@127.0.0.1" -D header=X-Other-Route \
    -D lib="$SRCDIR/tests/milter/lib.lua" \
    -s "$SRCDIR/tests/milter/basic.lua" >"$TMPDIR_TEST/mt2.out" 2>&1
rc=$?
sed 's/^PASS: /PASS: after reload: /; s/^FAIL: /FAIL: after reload: /' "$TMPDIR_TEST/mt2.out"
check "after reload the new RouteHeader is deleted" [ $rc -eq 0 ]

# A bad file on reload is logged and the running configuration kept.
bad_line=$(($(wc -l <"$conf") + 1))
echo "Egres broken" >>"$conf"
kill -USR1 "$MILTER_PID"
for i in $(seq 20); do grep -q "not reloaded" "$log" && break; sleep 0.1; done
check_contains "a bad reload names file and line" "$log" "em.conf:$bad_line: unknown key \"Egres\""
check_contains "a bad reload keeps the running configuration" "$log" \
    "configuration not reloaded: the running configuration stays in force"
check "the milter still runs after a bad reload" kill -0 "$MILTER_PID"
"$MILTERTEST" -D socket="inet:$port@127.0.0.1" -D header=X-Other-Route \
    -D lib="$SRCDIR/tests/milter/lib.lua" \
    -s "$SRCDIR/tests/milter/basic.lua" >"$TMPDIR_TEST/mt3.out" 2>&1
check "after a bad reload the milter still answers" [ $? -eq 0 ]

start=$(date +%s%N)
stop_milter
rc=$?
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
check "SIGTERM: exit status 0 (got $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -20 "$log" | sed 's/^/#   /'
check "SIGTERM: stopped within 2 seconds (${elapsed} ms)" [ $elapsed -lt 2000 ]
check_contains "SIGTERM is logged" "$log" "stopping"
exit $TEST_FAILED
