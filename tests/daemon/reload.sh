# reload.sh - SIGHUP reloads the configuration as SIGUSR1 does (libmilter
# alone would stop on it), also when several arrive during a reload; a
# broken file fails the unit's ExecReload at its "-t" step with FILE:LINE
# and, when signalled anyway, leaves the running configuration in force.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
dead=$("$FREEPORT" -u)
port=$("$FREEPORT")
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/log
cat >"$conf" <<CONF
Egress primary 192.0.2.10 helo=mail.example.test
Dnsbl none
Syslog no
Nameservers 127.0.0.1:$dead
DNSTimeout 1
CONF
start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens on its socket" wait_for_tcp "$port"

# wait_log TEXT COUNT: waits up to 5 s for COUNT lines holding TEXT.
wait_log() {
	for i in $(seq 50); do
		[ "$(grep -cF -- "$1" "$log")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# The socket opens before the signals are set up; "starting" comes after.
check "the milter logs that it started" wait_log "starting on" 1
echo "Egress backup 192.0.2.20" >>"$conf"
kill -HUP "$MILTER_PID"
check "SIGHUP reloads the changed configuration (2 egresses)" \
    wait_log "configuration reloaded (2 egresses)" 1
check_contains "the reload names SIGHUP and the file" "$log" "SIGHUP: re-reading $conf"
check "the milter still runs after SIGHUP" kill -0 "$MILTER_PID"

# Signals during a reload: the main thread is back in sigwait at once,
# so none of them reaches libmilter's signal thread (which would stop).
for i in 1 2 3 4 5; do kill -HUP "$MILTER_PID"; done
check "five quick SIGHUPs are reloads" wait_log "configuration reloaded" 2
sleep 0.3
check "the milter still runs after five quick SIGHUPs" kill -0 "$MILTER_PID"
check "the milter still accepts connections" wait_for_tcp "$port" 10
if grep -q "stopping" "$log"; then fail "no SIGHUP stopped the milter"; else pass "no SIGHUP stopped the milter"; fi
kill -USR1 "$MILTER_PID"
check "SIGUSR1 still reloads" wait_log "SIGUSR1: re-reading" 1

# What systemctl reload runs: the unit's ExecReload lines, in order.
unit=$BUILDDIR/contrib/systemd/egress-milter.service
grep '^ExecReload=' "$unit" | sed 's/^ExecReload=//' >"$TMPDIR_TEST/reload-cmds"
check "the unit's first ExecReload runs -t" \
    grep -q -- "^[^ ]*/egress-milter -t" "$TMPDIR_TEST/reload-cmds"
check "the unit's last ExecReload sends SIGHUP" \
    [ "$(tail -1 "$TMPDIR_TEST/reload-cmds")" = '/bin/kill -HUP $MAINPID' ]
echo "Egres broken" >>"$conf"
# The -t step, with this test's file in place of the installed one.
"$MILTER" -t -c "$conf" >"$TMPDIR_TEST/t.out" 2>&1
check "-t on the broken file fails, so systemctl reload fails" [ $? -eq 1 ]
line=$(grep -n '^Egres broken' "$conf" | cut -d: -f1)
check_contains "-t names the broken line" "$TMPDIR_TEST/t.out" "em.conf:$line: unknown key \"Egres\""
before=$(grep -c "configuration reloaded" "$log")
kill -HUP "$MILTER_PID"
check "a bad SIGHUP reload is refused" wait_log "configuration not reloaded" 1
check "a bad reload keeps the running configuration" \
    [ "$(grep -c "configuration reloaded" "$log")" -eq "$before" ]
check "the milter still runs after a bad reload" kill -0 "$MILTER_PID"
stop_milter; rc=$?; [ "$rc" -eq 0 ] && [ "$TEST_FAILED" -eq 0 ] || sed "s/^/#   /" "$log"; (exit $rc)
check "SIGTERM after the reloads: exit status 0" [ $? -eq 0 ]
exit $TEST_FAILED
