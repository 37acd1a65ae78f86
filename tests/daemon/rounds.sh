# rounds.sh - health rounds of a pool (issue 27, "a thousand egresses"):
# 120 egresses (192.0.2.100-219, documentation addresses asked only at
# the tests' NSD), two DNSBL zones, DnsblRate 20, CheckInterval 10. The
# daemon's stderr (LogLevel debug: one line per DNS question) is stamped
# with the time each line arrives, and the questions are counted per
# second: the first round (prompt) asks each zone, and the reverse zone,
# at most 20 a second (a burst would be 120 at once, and the tests' NSD,
# like many servers, drops answers past 200 a second: the "nameserver
# does not answer" warnings of a big pool's first round); the second
# round is spread over the 10 s interval (about 12 egresses a second,
# over at least 8 seconds), not asked all at once after a sleep. The
# daemon says no nameserver is down, and --status has the first
# egresses' answers before the first round ends.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1

N=120
RATE=20
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/milter.log
fifo=$TMPDIR_TEST/stderr
ctl=$TMPDIR_TEST/control
port=$("$FREEPORT")
{
	echo "Syslog no"
	echo "LogLevel debug"
	echo "Nameservers 127.0.0.1:$DNS_PORT"
	echo "DNSTimeout 1"
	echo "DNSTries 1"
	echo "Dnsbl bl.test"
	echo "Dnsbl bl2.test"
	echo "DnsblRate $RATE"
	echo "CheckInterval 10"
	echo "ControlSocket unix:$ctl"
	for i in $(seq 1 $N); do
		printf 'Egress e%04d 192.0.2.%d helo=mail.example.test\n' "$i" $((99 + i))
	done
} >"$conf"

"$MILTER" -t -c "$conf" >"$TMPDIR_TEST/t.out" 2>&1
check "-t accepts DnsblRate $RATE" [ $? -eq 0 ]
"$MILTER" -t -c "$conf" 2>&1 | grep -q "^DnsblRate $RATE" &&
    pass "-t prints DnsblRate $RATE" || fail "-t prints DnsblRate $RATE"

# Each line of the daemon's output, stamped with its arrival (seconds).
mkfifo "$fifo"
( while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done \
    <"$fifo" >"$log" ) &
stamper=$!
start_milter "$fifo" -c "$conf" -p "inet:$port@127.0.0.1"
check "the daemon starts" wait_for_tcp "$port" 100

# The first egresses are known while the first round goes on.
sleep 1
"$MILTER" --status --json -c "$conf" >"$TMPDIR_TEST/status" 2>&1
known=$(jq '[.egress[] | select(.since != null)] | length' \
    "$TMPDIR_TEST/status" 2>/dev/null)
check "--status has answers 1 s after the start, before the round ends ($known of $N)" \
    [ "${known:-0}" -ge 5 -a "${known:-0}" -lt $N ]

# Two rounds: the first, prompt (120 / 20 a second: 6 s), the second
# spread over 10 s; the "dns cache:" line ends each round.
for i in $(seq 400); do
	[ "$(grep -c 'dns cache:' "$log")" -ge 2 ] && break
	sleep 0.1
done
check "two rounds end within 40 s" [ "$(grep -c 'dns cache:' "$log")" -ge 2 ]
MILTER_STOP_TENTHS=100 stop_milter
wait "$stamper" 2>/dev/null

# per_second ROUND PATTERN: "SECOND COUNT" of the questions matching
# PATTERN in round ROUND (1 or 2), by whole second since the first.
per_second() {
	awk -v round="$1" -v pat="$2" '
	    / dns cache: / { r++; next }
	    r + 1 == round && $0 ~ pat { s = int($1); if (t0 == "") t0 = s; n[s - t0]++ }
	    END { for (s in n) print s, n[s] }' "$log" | sort -n
}
most() { awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }'; }
total() { awk '{ t += $2 } END { print t + 0 }'; }

for zone in bl.test bl2.test; do
	pat="dns: [0-9]+\\.2\\.0\\.192\\.$zone A: "
	per_second 1 "$pat" >"$TMPDIR_TEST/r1.$zone"
	check "round 1 asks $zone about every egress ($(total <"$TMPDIR_TEST/r1.$zone") of $N)" \
	    [ "$(total <"$TMPDIR_TEST/r1.$zone")" -eq $N ]
	check "round 1 asks $zone at most $RATE+1 a second (most: $(most <"$TMPDIR_TEST/r1.$zone"))" \
	    [ "$(most <"$TMPDIR_TEST/r1.$zone")" -le $((RATE + 1)) ]
done
per_second 1 "dns: [0-9]+\\.2\\.0\\.192\\.in-addr\\.arpa PTR: " >"$TMPDIR_TEST/r1.ptr"
check "round 1 asks the reverse zone at most $RATE+1 a second (most: $(most <"$TMPDIR_TEST/r1.ptr"))" \
    [ "$(most <"$TMPDIR_TEST/r1.ptr")" -le $((RATE + 1)) ]

per_second 2 "dns: [0-9]+\\.2\\.0\\.192\\.in-addr\\.arpa PTR: " >"$TMPDIR_TEST/r2.ptr"
check "round 2 checks every egress ($(total <"$TMPDIR_TEST/r2.ptr") of $N)" \
    [ "$(total <"$TMPDIR_TEST/r2.ptr")" -eq $N ]
check "round 2 is spread over the interval: at least 8 seconds ($(wc -l <"$TMPDIR_TEST/r2.ptr"))" \
    [ "$(wc -l <"$TMPDIR_TEST/r2.ptr")" -ge 8 ]
check "round 2: at most 20 egresses in any second (most: $(most <"$TMPDIR_TEST/r2.ptr"))" \
    [ "$(most <"$TMPDIR_TEST/r2.ptr")" -le 20 ]
check "no nameserver is reported down" [ "$(grep -c 'does not answer' "$log")" -eq 0 ]
exit $TEST_FAILED
