# advice.sh - every finding comes with what to do, names filled in:
# in --check (text and the "advice" list of --check --json), in
# --status, in the daemon's state-change line, in the decision log line
# and (short) in the 451 text; SPF that refuses every egress is said as
# such, not as "no healthy egress".
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
out=$TMPDIR_TEST/out.json

# advice_is NAME EGRESS-LINE TEXT: --check --json's advice holds TEXT.
advice_is() {
	printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 1\nEgress %s\nDnsbl bl.test\n' \
	    "$DNS_PORT" "$2" >"$TMPDIR_TEST/c.conf"
	"$MILTER" --check --json -c "$TMPDIR_TEST/c.conf" >"$out" 2>"$TMPDIR_TEST/err"
	if jq -e --arg t "$3" '.egress[0].advice | index($t) != null' "$out" >/dev/null; then
		pass "$1"
	else
		fail "$1 (expected \"$3\" in $(jq -c '.egress[0].advice' "$out" 2>&1))"
	fi
}

advice_is "no PTR: ask the holder of the reverse zone (its SOA) for the PTR, naming the HELO" \
    "a 192.0.2.40 helo=mail.example.test" \
    "ask the holder of 2.0.192.in-addr.arpa (SOA: ns.example.test) to set the PTR of 192.0.2.40 to mail.example.test, which resolves back to it"
advice_is "no PTR, HELO not resolving: the A record to add" \
    "a 192.0.2.40 helo=mail.example.test" "add \`mail.example.test A 192.0.2.40\`"
advice_is "no PTR on IPv6: the ip6.arpa zone that holds it" "a 2001:db8::40" \
    "ask the holder of 8.b.d.0.1.0.0.2.ip6.arpa (SOA: ns.example.test) to set the PTR of 2001:db8::40 to a name of your domain, which resolves back to it"
advice_is "generic PTR: names the generic name and whom to ask" "a 192.0.2.50" \
    "the PTR name 192-0-2-50.dyn.example.test looks generic: ask the holder of 2.0.192.in-addr.arpa (SOA: ns.example.test) to set the PTR of 192.0.2.50 to a name of your domain, which resolves back to it"
advice_is "FCrDNS: the A record to add" "a 192.0.2.30" \
    "add \`mismatch.example.test A 192.0.2.30\` (the PTR name must resolve back to the address), or have the PTR of 192.0.2.30 changed to a name that does"
advice_is "HELO: smtp_helo_name on the egress's transport" \
    "a 192.0.2.10 helo=mail2.example.test transport=smtp-out1" \
    "set \`-o smtp_helo_name=mail.example.test\` on transport smtp-out1 in master.cf (and helo=mail.example.test on its Egress line), or add \`mail2.example.test A 192.0.2.10\`"
advice_is "listed: the delisting address from the zone's TXT record" \
    "a 192.0.2.20 helo=mail2.example.test" \
    "bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed"
advice_is "listed without a TXT record: says so" "a 192.0.2.30" \
    "bl.test lists 192.0.2.30 (127.0.0.4): follow the zone's delisting procedure on its web site (its TXT record gives no address)"
advice_is "DNS error: check the nameservers" "a 192.0.2.66" \
    "make sure the Nameservers answer (and, for DNSBLs, that they are resolvers of your own): until they do, this egress's health is not known"
printf 'Nameservers 127.0.0.1:%s\nEgress a 192.0.2.10 helo=mail.example.test\nDnsbl bl.test\n' \
    "$DNS_PORT" >"$TMPDIR_TEST/c.conf"
"$MILTER" --check --json -c "$TMPDIR_TEST/c.conf" >"$out" 2>&1
check "a healthy egress: an empty advice list" [ "$(jq -c '.egress[0].advice' "$out")" = "[]" ]
printf 'Nameservers 127.0.0.1:%s\nEgress a 192.0.2.20 helo=mail2.example.test\nDnsbl bl.test\n' \
    "$DNS_PORT" >"$TMPDIR_TEST/c.conf"
"$MILTER" --check -c "$TMPDIR_TEST/c.conf" >"$TMPDIR_TEST/out.txt" 2>&1
check_contains "--check text: an advice line under the egress" "$TMPDIR_TEST/out.txt" \
    "    advice: bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20"

# The daemon: two egresses, the first listed; then SPF refusing both.
port=$("$FREEPORT")
log=$TMPDIR_TEST/milter.log
cat >"$TMPDIR_TEST/d.conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
ControlSocket unix:$TMPDIR_TEST/control
Egress primary 192.0.2.20 helo=mail2.example.test route=primary
Egress backup 192.0.2.60 helo=smtp-out.example.test route=backup
Dnsbl bl.test
CONF
start_milter "$log" -c "$TMPDIR_TEST/d.conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"
send_one "$port" alice@fail.spf.test reply
check_contains "the state-change line carries the advice" "$log" \
    "egress primary (192.0.2.20): unknown -> critical: 192.0.2.20 listed on bl.test (127.0.0.2: listed: see https://bl.test/lookup?192.0.2.20); to fix: bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed"
check_contains "the decision line carries the advice" "$log" \
    "advice=\"bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed"
send_one "$port" alice@helo.spf.test reply
"$MILTER" --status --json -c "$TMPDIR_TEST/d.conf" >"$out" 2>&1
check "--status: the advice of the listed egress" \
    [ "$(jq -r '.egress[0].advice[0]' "$out")" = "bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed" ]
"$MILTER" --status -c "$TMPDIR_TEST/d.conf" >"$TMPDIR_TEST/out.txt" 2>&1
check_contains "--status text: the advice line" "$TMPDIR_TEST/out.txt" \
    "    advice: bl.test lists 192.0.2.20"
stop_milter

# Both egresses healthy; fail.spf.test allows neither.
sed -i 's/^Egress primary .*/Egress primary 192.0.2.10 helo=mail.example.test route=primary/' "$TMPDIR_TEST/d.conf"
: >"$log"
start_milter "$log" -c "$TMPDIR_TEST/d.conf" -p "inet:$port@127.0.0.1"
check "the milter listens again" wait_for_tcp "$port"
send_one "$port" alice@fail.spf.test reply
check_contains "SPF refusing every egress: said so, with the terms to add" "$log" \
    "every egress is healthy, but SPF of fail.spf.test does not allow 192.0.2.10 or 192.0.2.60: add \`ip4:192.0.2.10 ip4:192.0.2.60\` (or the include of the egresses' provider) to its SPF record (Fallback tempfail)"
check "SPF refusing every egress: not \"no healthy egress\"" \
    eval "! grep -q 'no healthy egress' '$log'"
check_contains "SPF refusing every egress: the 451 text is the advice, after the deciding findings" "$log" \
    "reply=\"spf-fail, dmarc-fail: SPF of fail.spf.test does not allow 192.0.2.10 or 192.0.2.60: add \`ip4:192.0.2.10 ip4:192.0.2.60\` (or the include"
check "SPF reasons no longer point at openspf.org" eval "! grep -q openspf '$log'"
check_contains "SPF reasons say what the record does not allow" "$log" \
    "the SPF record of fail.spf.test does not permit 192.0.2.10 to send its mail"
stop_milter
exit $TEST_FAILED
