# egresses-1024.sh - a relay with 1,024 egresses (issue 27: "a thousand
# egresses"): the configuration passes -t, which prints every egress;
# --check --json judges all of them; a started daemon lists all of them
# in --status --json and /metrics (its first round is under way), and
# the first round completes without a burst that the DNS server drops. The
# addresses are documentation ones (2001:db8::/32), asked about only
# at the tests' NSD.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1

N=1024
conf=$TMPDIR_TEST/em.conf
out=$TMPDIR_TEST/out
ctl=$TMPDIR_TEST/control
log=$TMPDIR_TEST/milter.log
port=$("$FREEPORT")
mport=$("$FREEPORT")
{
	echo "Syslog no"
	echo "Nameservers 127.0.0.1:$DNS_PORT"
	echo "DNSTimeout 1"
	echo "DNSTries 1"
	echo "Dnsbl none"
	echo "CheckInterval 300"
	echo "ControlSocket unix:$ctl"
	echo "MetricsListen 127.0.0.1:$mport"
	for i in $(seq 1 $N); do
		printf 'Egress e%04d 2001:db8:27::%x helo=mail.example.test\n' "$i" "$i"
	done
} >"$conf"

"$MILTER" -t -c "$conf" >"$out" 2>&1
rc=$?
check "-t: 1,024 egresses pass (exit 0)" [ $rc -eq 0 ]
check_contains "-t: the summary counts them" "$out" "configuration OK ($N egresses)"
check "-t prints every egress" [ "$(grep -c '^Egress e[0-9]* 2001:db8:27::' "$out")" -eq $N ]
check_contains "-t prints the last one" "$out" "Egress e1024 2001:db8:27::400 helo=mail.example.test"

"$MILTER" --check --json -c "$conf" >"$out" 2>"$TMPDIR_TEST/err"
check "--check --json: all 1,024 egresses judged" [ "$(jq '.egress|length' "$out")" = $N ]
check "--check --json: the last is e1024 at 2001:db8:27::400" \
    [ "$(jq -r '.egress[-1] | "\(.name) \(.ip)"' "$out")" = "e1024 2001:db8:27::400" ]

start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the daemon with 1,024 egresses starts" wait_for_tcp "$port" 100
check "it says it starts with 1,024 egresses" wait_log "with $N egresses" 10
"$MILTER" --status --json -c "$conf" >"$out" 2>&1
check "--status --json lists all 1,024 egresses" [ "$(jq '.egress|length' "$out")" = $N ]
check "--status --json: the last is e1024 at 2001:db8:27::400" \
    [ "$(jq -r '.egress[-1] | "\(.name) \(.ip)"' "$out")" = "e1024 2001:db8:27::400" ]
curl -s "http://127.0.0.1:$mport/metrics" >"$out" 2>&1
check "/metrics has a state for each of the 1,024 egresses" \
    [ "$(grep -c '^egress_milter_egress_state{egress="e[0-9]*"}' "$out")" -eq $N ]
# The first round completes well within the interval (1,024 egresses
# at DnsblRate 50 a second: about 20 s), and without a burst: the tests'
# NSD, like many servers, drops answers past 200 a second to one zone,
# which a burst of the first round (30 SOA questions an egress through
# the advice's walk up the reverse name) used to meet as "nameserver
# does not answer" warnings.
for i in $(seq 600); do
	"$MILTER" --status --json -c "$conf" >"$out" 2>/dev/null
	[ "$(jq '[.egress[] | select(.since != null)] | length' "$out" 2>/dev/null)" = $N ] && break
	sleep 0.1
done
check "the first round checks all 1,024 egresses within 60 s" \
    [ "$(jq '[.egress[] | select(.since != null)] | length' "$out")" = $N ]
check "no nameserver is reported down during it" \
    [ "$(grep -c 'does not answer' "$log")" -eq 0 ]
MILTER_STOP_TENTHS=100 stop_milter
check "the daemon stops cleanly" [ $? -eq 0 ]
exit $TEST_FAILED
