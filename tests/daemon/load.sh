# load.sh - faults and load, each bounded in seconds: 500 concurrent
# connections dropped abruptly at every stage of the milter protocol
# (some with a TCP reset); DNS that answers SERVFAIL, times out or
# answers with wrong ids in the middle of a run, switched by SIGUSR1
# reloads while messages flow (never a 5xx, no message lost, each
# decided on a whole configuration); and a long run (scaled down from
# 100,000 messages to LOAD_MESSAGES, default 1000, after 800 to warm up
# the allocator) whose RSS and open file descriptors stay flat.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
# The sanitizer build: a small quarantine, or RSS grows by design.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
EGRESS="Egress primary 192.0.2.10 helo=mail.example.test"

fds() { ls "/proc/$MILTER_PID/fd" 2>/dev/null | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$MILTER_PID/status"; }
alive() { kill -0 "$MILTER_PID" 2>/dev/null; }

start_case drops "Dnsbl none" "$EGRESS" "MaxConnections 500"
base=$(fds)
out=$(timeout 60 "$MILTERCLIENT" -p "$PORT" -c 500 drop)
check "500 concurrent connections dropped at every stage ($out)" [ "$out" = "dropped 500" ]
check "the milter is still running" alive
for i in $(seq 50); do [ "$(fds)" -le "$base" ] && break; sleep 0.1; done
check "its open files are back to $base (now $(fds))" [ "$(fds)" -le "$base" ]
out=$(timeout 60 "$MILTERCLIENT" -p "$PORT" -c 4 message -n 20)
check "after the drops, messages are decided ($out)" \
    [ "$out" = "verdicts a=20 t=0 r=0 y4=0 y5=0 other=0 dropped=0" ]
# Every dropped connection was counted out: the cap is whole again.
out=$(timeout 60 "$MILTERCLIENT" -p "$PORT" -c 500 hold | tr '\n' ' ')
check "MaxConnections 500: after the drops, 500 fit again and the 501st is tempfailed ($out)" \
    [ "$out" = "held 500 extra: t " ]
# libmilter gets 3 s to stop, then the milter leaves without it
# (egress-milter(8), SIGTERM): 5 s in all.
MILTER_STOP_TENTHS=50 stop_milter
rc=$?
check "the milter stops cleanly after the drops (exit $rc)" [ $rc -eq 0 ]

# DNS faults while messages flow: each reload points at another server.
testns_start servfail.data || exit 1
servfail=$TESTNS_PORT
testns_start wrongid.data || exit 1
wrongid=$TESTNS_PORT
dead=$(dead_port)
conf=$TMPDIR_TEST/faults.conf
write_faults_conf() {
	# Answers live 1 s and are never served stale: the faults show.
	printf '%s\n' "Syslog no" "Nameservers 127.0.0.1:$1" "DNSTimeout 1" \
	    "DNSTries 1" "DNSMinTTL 0" "DNSMaxTTL 1" "DNSNegativeMaxTTL 1" \
	    "DNSServeStale 0" "Dnsbl bl.test" "$EGRESS" "AllowRoot yes" \
	    "On dns-error accept" "On spf-fail tempfail" >"$conf"
}
write_faults_conf "$DNS_PORT"
PORT=$("$FREEPORT")
start_milter "$TMPDIR_TEST/faults.log" -c "$conf" -p "inet:$PORT@127.0.0.1"
wait_for_tcp "$PORT" || fail "faults: the milter starts"
# Messages flow in batches of 40, paced, until the last reload has been
# made (a batch takes well under the 1.5 s between reloads when DNS
# answers; at most 1000 batches).
(
	for i in $(seq 1000); do
		timeout 60 "$MILTERCLIENT" -p "$PORT" -c 4 \
		    -s "<alice@fail.spf.test>" message -n 40
		[ -e "$TMPDIR_TEST/reloads.done" ] && break
		sleep 0.05
	done
) >"$TMPDIR_TEST/faults.out" &
client=$!
for server in "$servfail" "$dead" "$wrongid" "$DNS_PORT"; do
	sleep 1.5
	write_faults_conf "$server"
	kill -USR1 "$MILTER_PID"
done
touch "$TMPDIR_TEST/reloads.done"
wait "$client"
stop_milter
log=$TMPDIR_TEST/faults.log
reloads=$(grep -c "configuration reloaded" "$log")
check "four reloads while messages flowed ($reloads)" [ "$reloads" -eq 4 ]
batches=$(grep -c '^verdicts ' "$TMPDIR_TEST/faults.out")
clean=$(grep -cE '^verdicts a=[0-9]+ t=0 r=0 y4=[0-9]+ y5=0 other=0 dropped=0$' \
    "$TMPDIR_TEST/faults.out")
check "SERVFAIL, timeouts, wrong ids: never a 5xx, none dropped ($clean of $batches batches clean)" \
    [ "$batches" -gt 0 -a "$clean" -eq "$batches" ]
sent=$((batches * 40))
decided=$(grep -c " action=" "$log")
check "every one of the $sent messages has its decision line ($decided)" [ "$decided" -eq "$sent" ]
check "SERVFAIL was met and taken as dns-error" \
    grep -q "findings=dns-error.*the server failed (rcode 2)" "$log"
# A server that does not answer, or answers with wrong ids, is named
# once in the log (messages are still decided: never a 5xx, above).
check "the dead server was met: the log names it" \
    grep -q "dns: nameserver 127.0.0.1:$dead does not answer" "$log"
check "the server with wrong ids was met: the log names it" \
    grep -q "dns: nameserver 127.0.0.1:$wrongid does not answer" "$log"

# The long run: RSS and open files flat.
n=${LOAD_MESSAGES:-1000}
start_case long "Dnsbl bl.test" "$EGRESS"
timeout 120 "$MILTERCLIENT" -p "$PORT" -c 4 message -n 800 >/dev/null
rss0=$(rss_kb) fd0=$(fds)
t0=$(date +%s)
half=$((n / 2))
out1=$(timeout 300 "$MILTERCLIENT" -p "$PORT" -c 4 message -n "$half")
rss1=$(rss_kb)
out2=$(timeout 300 "$MILTERCLIENT" -p "$PORT" -c 4 message -n "$half")
t1=$(date +%s)
rss2=$(rss_kb) fd2=$(fds)
echo "# long run: $((2 * half)) messages in $((t1 - t0)) s; RSS $rss0 -> $rss1 -> $rss2 kB; fds $fd0 -> $fd2"
check "long run: all $((2 * half)) messages decided ($out1; $out2)" \
    [ "$out1" = "verdicts a=$half t=0 r=0 y4=0 y5=0 other=0 dropped=0" ] &&
    [ "$out2" = "$out1" ]
check "long run: RSS flat over the second half ($rss1 -> $rss2 kB, less than 2 MiB more)" \
    [ $((rss2 - rss1)) -lt 2048 ]
check "long run: open files flat ($fd0 -> $fd2)" [ "$fd2" -le "$fd0" ]
stop_milter
rc=$?
check "the milter stops cleanly after the long run (exit $rc)" [ $rc -eq 0 ]
exit $TEST_FAILED
