# log-severity.sh - the daemon logs at the severity an operator filters
# on: a change to critical at warning, at crit when no egress is
# healthy; recovery at notice; the first round always, also when it is
# unknown (DNS down at start), with why; one line for a nameserver that
# stops answering and one when it is back, not one per name; a held
# message carries its reason.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
log=$TMPDIR_TEST/milter.log

# daemon NAME LINES...: starts the milter with the tests' defaults + LINES.
daemon() {
	local name=$1; shift
	port=$("$FREEPORT")
	log=$TMPDIR_TEST/$name.log
	{ echo "Syslog no"; echo "DNSTimeout 1"; echo "DNSTries 1"; echo "ControlSocket none"
	  printf '%s\n' "$@"; } >"$TMPDIR_TEST/$name.conf"
	start_milter "$log" -c "$TMPDIR_TEST/$name.conf" -p "inet:$port@127.0.0.1"
	check "$name: the milter listens" wait_for_tcp "$port"
}

# DNS down at start: the first round is logged, unknown, with why.
daemon dnsdown "Nameservers 127.0.0.1:$(dead_port)" "Egress a 192.0.2.10 helo=mail.example.test" "Dnsbl none"
check "DNS down at start: the first round's result is logged" \
    wait_log "warning: egress a (192.0.2.10): unknown -> unknown: PTR lookup for 192.0.2.10 failed" 10
check_contains "DNS down at start: the dead nameserver is named once, at warning" "$log" \
    "warning: dns: nameserver 127.0.0.1:"
stop_milter

# Only egress listed: crit, and the line says no egress is healthy.
daemon alone "Nameservers 127.0.0.1:$DNS_PORT" "Egress a 192.0.2.20 helo=mail2.example.test" "Dnsbl bl.test"
check "the only egress critical: logged at crit" \
    wait_log "crit: egress a (192.0.2.20): unknown -> critical: 192.0.2.20 listed on bl.test" 10
check_contains "crit: the line says no egress is healthy" "$log" "; no egress is healthy"
stop_milter

# One of two listed: warning; the healthy one at notice; quarantine.
daemon two "Nameservers 127.0.0.1:$DNS_PORT" "Egress a 192.0.2.20 helo=mail2.example.test route=a" \
    "Egress b 192.0.2.10 helo=mail.example.test route=b" "Dnsbl bl.test" "On listed quarantine"
check "one of two critical: logged at warning" \
    wait_log "warning: egress a (192.0.2.20): unknown -> critical: 192.0.2.20 listed on bl.test" 10
check "the healthy egress's first round: at notice" \
    wait_log "notice: egress b (192.0.2.10): unknown -> ok" 10
check "no crit line while an egress is healthy" eval "! grep -q 'crit: egress' '$log'"
send_one "$port" alice@pass.spf.test hold \
    "listed, spf-fail, dmarc-fail: bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed"
check_contains "the hold is logged with its reason" "$log" \
    "action=quarantine egress=a route=- findings=listed"
check_contains "the hold's reason is in the log line (reply=)" "$log" \
    "reply=\"listed, spf-fail, dmarc-fail: bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20"
stop_milter

# A nameserver dies while many names are cached, and comes back.
daemon nsdeath "Nameservers 127.0.0.1:$DNS_PORT" "CheckInterval 10" \
    "Egress a 192.0.2.10 helo=mail.example.test" "Egress b 192.0.2.60 helo=smtp-out.example.test" \
    "Dnsbl bl.test" "Dnsbl bl2.test"
check "nsdeath: first rounds done" wait_log "egress b (192.0.2.60): unknown -> ok" 10
dns_stop
check "a dead nameserver: one warning line naming it" \
    wait_log "warning: dns: nameserver 127.0.0.1:$DNS_PORT does not answer" 25
sleep 1
check "a dead nameserver: exactly one line, not one per name" \
    [ "$(grep -c "nameserver 127.0.0.1:$DNS_PORT does not answer" "$log")" -eq 1 ]
nsd -d -c "$TMPDIR_TEST/nsd/nsd.conf" >"$TMPDIR_TEST/nsd/nsd2.out" 2>&1 &
NSD_PID=$!
check "a nameserver back: one notice line" \
    wait_log "notice: dns: nameserver 127.0.0.1:$DNS_PORT answers again" 25
stop_milter
exit $TEST_FAILED
