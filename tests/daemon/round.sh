# round.sh - "egress-milter --round": a health round now, through the
# control socket. A listing added to the tests' DNS is seen right after
# --round, long before CheckInterval (3600 s); a request from a user who
# is not root, the daemon's user or Postfix's mail owner changes nothing
# (the socket is 0600; and when it is opened to everyone by mistake, the
# daemon refuses such a peer, answers so and logs it).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
zone=$TMPDIR_TEST/round-bl.test.zone
# write_zone SERIAL [LISTING]: the DNSBL with its RFC 5782 test point.
write_zone() {
	cat >"$zone" <<ZONE
\$ORIGIN round-bl.test.
\$TTL 300
@	60 IN SOA ns.example.test. hostmaster.example.test. $1 3600 600 86400 30
@	IN NS	ns.example.test.
2.0.0.127	IN A	127.0.0.2
${2:-}
ZONE
}
write_zone 1
DNS_EXTRA_ZONE=round-bl.test DNS_EXTRA_ZONE_FILE=$zone
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
port=$("$FREEPORT")
log=$TMPDIR_TEST/milter.log
conf=$TMPDIR_TEST/m.conf
cat >"$conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
DNSTimeout 1
ControlSocket unix:$TMPDIR_TEST/control
CheckInterval 3600
Dnsbl round-bl.test
Egress primary 192.0.2.20 helo=mail2.example.test
CONF
start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"
check "the first round is over" wait_log "egress primary (192.0.2.20): unknown -> ok" 10

# status_of: the egress's state in --status --json.
status_of() { "$MILTER" --status --json -c "$conf" | jq -r '.egress[0].status'; }
check "before the listing: ok" [ "$(status_of)" = ok ]

# The listing appears in the DNS; CheckInterval is an hour away.
write_zone 2 "20.2.0.192	IN A	127.0.0.2"
kill -HUP "$NSD_PID"
for i in $(seq 50); do
	drill -p "$DNS_PORT" @127.0.0.1 20.2.0.192.round-bl.test A 2>/dev/null | grep -q "127.0.0.2" && break
	sleep 0.1
done
check "the tests' DNS lists 192.0.2.20 now" eval "drill -p $DNS_PORT @127.0.0.1 20.2.0.192.round-bl.test A | grep -q 127.0.0.2"

# Another local user: the socket (0600) does not even let it connect.
chmod 711 "$TMPDIR_TEST"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$MILTER" --round -c "$conf" 2>&1)
rc=$?
check "another user's --round cannot reach the 0600 socket: exit 3 (rc $rc: $out)" [ "$rc" -eq 3 ]
# The socket opened to everyone by mistake: the daemon refuses the peer.
chmod 666 "$TMPDIR_TEST/control"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$MILTER" --round -c "$conf" 2>&1)
rc=$?
check "another user's --round through an open socket: refused, exit 1 (rc $rc)" [ "$rc" -eq 1 ]
check "... and told so (\"$out\")" eval "echo \"\$out\" | grep -q '^refused: only root'"
check_contains "... and logged" "$log" "control: round request from uid 65534 refused"
chmod 600 "$TMPDIR_TEST/control"
chmod 700 "$TMPDIR_TEST"
sleep 2
check "another user's request started no round: still ok" [ "$(status_of)" = ok ]
check "... and logged no round" eval "! grep -q 'health round of every egress started' '$log'"

# root asks: the round starts at once and sees the listing.
start=$(date +%s%N)
out=$("$MILTER" --round -c "$conf" 2>&1)
rc=$?
check "--round: exit 0 (rc $rc)" [ "$rc" -eq 0 ]
check "--round: says the round starts (\"$out\")" eval "echo \"\$out\" | grep -q '^a health round of every egress starts now'"
check_contains "--round: logged" "$log" "control: health round of every egress started now (asked by uid 0)"
seen=
for i in $(seq 100); do
	[ "$(status_of)" = critical ] && { seen=$(( ($(date +%s%N) - start) / 1000000 )); break; }
	sleep 0.1
done
check "the listing is seen right after --round (${seen:-never} ms; CheckInterval 3600 s)" [ -n "$seen" ] && [ "$seen" -lt 10000 ]
check_contains "the state change names the zone" "$log" "egress primary (192.0.2.20): ok -> critical"
out=$("$MILTER" --round -T 5 -c "$TMPDIR_TEST/none.conf" 2>&1)
check "--round without a daemon's socket: exit 3" [ $? -eq 3 ]
stop_milter
