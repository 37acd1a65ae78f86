# status.sh - "egress-milter --status [--json]" against a running
# daemon: its state follows a DNSBL listing that appears and clears in
# the tests' NSD (the zone file is changed and NSD reloaded), matches
# the daemon's own log lines, and carries the message counters; the
# control socket is mode 0600; exit codes as --check.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
# A private copy of the zones, so that this test can change bl.test.
cp -r "$DNS_ZONES" "$TMPDIR_TEST/zones"
DNS_ZONES=$TMPDIR_TEST/zones
dns_start || exit 1

port=$("$FREEPORT")
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/milter.log
ctl=$TMPDIR_TEST/control
cat >"$conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
DNSTimeout 1
CheckInterval 10
ControlSocket unix:$ctl
Egress primary 192.0.2.10 helo=mail.example.test route=primary
Egress backup 192.0.2.60 helo=smtp-out.example.test route=backup
Dnsbl bl.test
CONF

status() { "$MILTER" --status "$@" -c "$conf" >"$TMPDIR_TEST/status.out" 2>&1; STATUS_RC=$?; }
jq_is() {
	local got
	got=$(jq -c "$2" "$TMPDIR_TEST/status.out" 2>&1)
	if [ "$got" = "$3" ]; then pass "$1"
	else fail "$1 (jq '$2' gave $got, expected $3)"; sed 's/^/#   /' "$TMPDIR_TEST/status.out"; fi
}
# logged_state EGRESS: the state of the daemon's last change line for it.
logged_state() {
	grep -o "egress $1 ([^)]*): [a-z]* -> [a-z]*" "$log" | tail -1 |
	    sed 's/.* -> //'
}

status
check "no daemon: exit 3 (UNKNOWN)" [ $STATUS_RC -eq 3 ]
check_contains "no daemon: the first line says which socket" "$TMPDIR_TEST/status.out" \
    "EGRESS UNKNOWN - cannot reach the daemon at unix:$ctl"

start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"
check "both egresses are checked" wait_log "egress backup (192.0.2.60): unknown -> ok" 10
check "the control socket is mode 0600" [ "$(stat -c %a "$ctl")" = 600 ]

send_one "$port" alice@pass.spf.test accept
status
check "healthy: exit 0 (OK)" [ $STATUS_RC -eq 0 ]
check_contains "healthy: Nagios first line with perfdata" "$TMPDIR_TEST/status.out" \
    "EGRESS OK - 2 of 2 egresses ok"
check_contains "healthy: perfdata" "$TMPDIR_TEST/status.out" "| egresses_ok=2;;;0;2 dnsbl_listed=0"
status --json
jq_is "healthy: JSON status and states" '[.status, [.egress[].status]]' '["ok",["ok","ok"]]'
jq_is "healthy: one message accepted, counted" '[.messages.accept, .messages.tempfail]' '[1,0]'
jq_is "healthy: the learned refusals are listed (none)" '.egress[0].refusals' '[]'

# The listing appears: 192.0.2.10 on bl.test.
zone=$DNS_ZONES/bl.test.zone
cp "$zone" "$TMPDIR_TEST/bl.test.zone.orig"
sed -i 's/hostmaster.example.test. 1 /hostmaster.example.test. 2 /' "$zone"
printf '10.2.0.192\t1 IN A\t127.0.0.2\n10.2.0.192\t1 IN TXT\t"listed: see https://bl.test/lookup?192.0.2.10"\n' >>"$zone"
touch -d '+2 seconds' "$zone"
kill -HUP "$NSD_PID"
check "the daemon logs the listing, at warning" \
    wait_log "warning: egress primary (192.0.2.10): ok -> critical" 30
status
check "listed: exit 2 (CRITICAL)" [ $STATUS_RC -eq 2 ]
check_contains "listed: the text names the egress, its state and finding" "$TMPDIR_TEST/status.out" \
    "findings=listed"
status --json
jq_is "listed: state and findings per egress" \
    '[.status, .egress[0].status, .egress[0].findings, .egress[1].status]' \
    '["critical","critical",["listed"],"ok"]'
jq_is "listed: the state is the one the daemon logged" '.egress[0].status' "\"$(logged_state primary)\""
jq_is "listed: since when, as a UTC time" '.egress[0].since | test("^20[0-9-]+T[0-9:]+Z$")' true
jq_is "listed: the reason names the zone" '.egress[0].reasons | test("192.0.2.10 listed on bl.test")' true
send_one "$port" alice@pass.spf.test reply
status --json
jq_is "listed: the tempfailed message is counted by action and finding" \
    '[.messages.accept, .messages.tempfail, .findings.listed]' '[1,1,1]'

# The listing clears: two clean rounds bring the egress back.
cp "$TMPDIR_TEST/bl.test.zone.orig" "$zone"
sed -i 's/hostmaster.example.test. 1 /hostmaster.example.test. 3 /' "$zone"
touch -d '+4 seconds' "$zone"
kill -HUP "$NSD_PID"
check "the daemon logs the recovery, at notice" \
    wait_log "notice: egress primary (192.0.2.10): critical -> ok" 40
status --json
check "cleared: exit 0" [ $STATUS_RC -eq 0 ]
jq_is "cleared: ok again, as logged" '[.egress[0].status, .egress[0].findings]' \
    "[\"$(logged_state primary)\",[]]"
jq_is "no reload has failed: last_reload_failed is null" '.last_reload_failed' null

# A typo in the file on disk, and a reload that keeps the old
# configuration: --status still asks the daemon (its ControlSocket line
# is read all the same) and the daemon says the last reload failed.
cp "$conf" "$TMPDIR_TEST/em.conf.good"
echo "ControlSokcet unix:$ctl" >>"$conf"
kill -HUP "$MILTER_PID"
check "the daemon logs the failed reload" wait_log "configuration not reloaded" 10
"$MILTER" --status -c "$conf" >"$TMPDIR_TEST/status.out" 2>"$TMPDIR_TEST/status.err"
STATUS_RC=$?
check "a typo in the file: --status gives the daemon's exit code (0, got $STATUS_RC)" [ $STATUS_RC -eq 0 ]
check_contains "a typo in the file: the daemon's Nagios line" "$TMPDIR_TEST/status.out" \
    "EGRESS OK - 2 of 2 egresses ok"
check_contains "a typo in the file: the daemon says its last reload failed" "$TMPDIR_TEST/status.out" \
    "reload: the last one failed at"
check_contains "a typo in the file: stderr says the file has errors" "$TMPDIR_TEST/status.err" \
    "$conf has errors (egress-milter -t shows them); asking the running daemon all the same"
"$MILTER" --status --json -c "$conf" >"$TMPDIR_TEST/status.out" 2>/dev/null
jq_is "a failed reload: last_reload_failed is a UTC time" \
    '.last_reload_failed | test("^20[0-9-]+T[0-9:]+Z$")' true
cp "$TMPDIR_TEST/em.conf.good" "$conf"
kill -HUP "$MILTER_PID"
check "the fixed file reloads" wait_log "configuration reloaded" 10
status --json
jq_is "a good reload clears last_reload_failed" '.last_reload_failed' null

stop_milter
rc=$?
check "the daemon stops cleanly (status $rc)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -30 "$log" | sed 's/^/#   /'
check "the control socket is removed at exit" [ ! -e "$ctl" ]
status
check "after the stop: exit 3" [ $STATUS_RC -eq 3 ]
exit $TEST_FAILED
