# check.sh - "egress-milter --check [--json]" against the tests' NSD:
# every egress finding on IPv4 and IPv6, DNSBL codes, weights and
# threshold, sentinels, suspended zones, TXT reasons, and the Nagios exit
# codes. JSON is read with jq, as a monitoring script would.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1

# check_egress NAME EXPECTED_EXIT CONFIG_LINES...: runs --check --json
# on a configuration of the tests' DNS plus the lines given.
run_check() {
	local conf=$TMPDIR_TEST/check.conf
	{
		echo "Nameservers 127.0.0.1:$DNS_PORT"
		echo "DNSTimeout 1"
		echo "DNSTries 1"
		printf '%s\n' "$@"
	} >"$conf"
	"$MILTER" --check --json -c "$conf" >"$TMPDIR_TEST/out.json" \
	    2>"$TMPDIR_TEST/err"
	CHECK_RC=$?
}

run_check "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl bl.test"
check "healthy egress: exit 0 (OK)" [ $CHECK_RC -eq 0 ]
jq_is "healthy: status ok" .status '"ok"'
jq_is "healthy: PTR names" '.egress[0].ptr' '["mail.example.test"]'
jq_is "healthy: FCrDNS, HELO, not generic" \
    '[.egress[0].fcrdns, .egress[0].helo_ok, .egress[0].generic_ptr]' \
    '[true,true,false]'
jq_is "healthy: zone checked, not listed" \
    '.egress[0].dnsbl[0] | [.zone, .listed, .error]' '["bl.test",false,null]'
jq_is "healthy: no findings" '.egress[0].findings' '[]'

run_check "Egress e 192.0.2.20 helo=mail2.example.test" "Dnsbl bl.test"
check "listed egress: exit 2 (CRITICAL)" [ $CHECK_RC -eq 2 ]
jq_is "listed: finding" '.egress[0].findings' '["listed"]'
jq_is "listed: the code" '.egress[0].dnsbl[0].codes' '["127.0.0.2"]'
jq_is "listed: the TXT reason" '.egress[0].dnsbl[0].reason' \
    '"listed: see https://bl.test/lookup?192.0.2.20"'

run_check "Egress e 192.0.2.20 helo=mail2.example.test" \
    "Dnsbl bl.test codes=127.0.0.3-127.0.0.9"
check "a code outside codes= does not count: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "code filter: answer shown, not a listing" \
    '.egress[0].dnsbl[0] | [.listed, .codes]' '[false,["127.0.0.2"]]'

run_check "Egress e 192.0.2.20 helo=mail2.example.test" \
    "Dnsbl bl.test weight=1" "Dnsbl bl2.test weight=1" "DnsblThreshold 3"
check "score 2 under threshold 3: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "weights add up" '.egress[0].dnsbl_score' '2'
run_check "Egress e 192.0.2.20 helo=mail2.example.test" \
    "Dnsbl bl.test weight=1" "Dnsbl bl2.test weight=2" "DnsblThreshold 3"
check "score 3 reaches threshold 3: exit 2" [ $CHECK_RC -eq 2 ]
jq_is "threshold reached: listed" '.egress[0].findings' '["listed"]'

run_check "Egress e 192.0.2.40" "Dnsbl none"
check "no PTR: exit 2" [ $CHECK_RC -eq 2 ]
jq_is "no PTR: finding" '.egress[0].findings' '["no-ptr"]'

run_check "Egress e 192.0.2.30" "Dnsbl none"
check "FCrDNS mismatch: exit 2" [ $CHECK_RC -eq 2 ]
jq_is "FCrDNS mismatch: finding and PTR" \
    '[.egress[0].findings, .egress[0].ptr, .egress[0].fcrdns]' \
    '[["fcrdns-mismatch"],["mismatch.example.test"],false]'

run_check "Egress e 192.0.2.50" "Dnsbl none"
check "generic PTR: exit 1 (WARNING)" [ $CHECK_RC -eq 1 ]
jq_is "generic PTR: finding" '.egress[0].findings' '["generic-ptr"]'
jq_is "generic PTR: the reason names the rule and the PTR name" \
    '.egress[0].reasons | test("generic-ptr: the address is written in the name \\(dashed\\) \\(PTR name 192-0-2-50.dyn.example.test\\)")' 'true'
jq_is "generic PTR: the reason advises an operator-chosen name" \
    '.egress[0].reasons | test("set an operator-chosen PTR name")' 'true'

run_check "Egress e 192.0.2.10 helo=mail2.example.test" "Dnsbl none"
check "HELO mismatch: exit 1" [ $CHECK_RC -eq 1 ]
jq_is "HELO mismatch: finding" '[.egress[0].findings, .egress[0].helo_ok]' \
    '[["helo-mismatch"],false]'

run_check "Egress e 192.0.2.60 helo=smtp-out.example.test" "Dnsbl none"
check "two PTR names, one confirmed and used as HELO: exit 0" [ $CHECK_RC -eq 0 ]

run_check "Egress v6 2001:db8::10 helo=mail.example.test" "Dnsbl bl.test"
check "IPv6 healthy: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "IPv6: PTR through ip6.arpa" '.egress[0].ptr' '["mail.example.test"]'
run_check "Egress v6 2001:db8::20 helo=mail2.example.test" "Dnsbl bl.test"
check "IPv6 listed (32 nibbles): exit 2" [ $CHECK_RC -eq 2 ]
jq_is "IPv6 listed: finding" '.egress[0].findings' '["listed"]'
run_check "Egress v6 2001:db8::40" "Dnsbl none"
jq_is "IPv6 without PTR: no-ptr" '.egress[0].findings' '["no-ptr"]'

run_check "Egress e 192.0.2.66" "Dnsbl bl.test"
check "sentinel 127.255.255.254: exit 3 (UNKNOWN), not listed" [ $CHECK_RC -eq 3 ]
jq_is "sentinel: dns-error, not listed" \
    '[.egress[0].findings, .egress[0].dnsbl[0].listed]' '[["dns-error"],false]'
jq_is "sentinel: the error says what to do" \
    '.egress[0].dnsbl[0].error | test("use a recursive resolver of your own")' 'true'
run_check "Egress e 192.0.2.67" "Dnsbl bl.test"
jq_is "an answer outside 127/8 is an error, not a listing" \
    '[.egress[0].findings, (.egress[0].dnsbl[0].error | test("outside 127.0.0.0/8"))]' \
    '[["dns-error"],true]'

run_check "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl world.test" \
    "Dnsbl dead.test"
check "suspended zones do not make a healthy egress bad: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "a zone listing 127.0.0.1 is suspended" \
    '.egress[0].dnsbl[0] | [.suspended, .listed, (.error | test("lists the world"))]' \
    '[true,false,true]'
jq_is "a zone not listing 127.0.0.2 is suspended" \
    '.egress[0].dnsbl[1] | [.suspended, (.error | test("does not list its test point"))]' \
    '[true,true]'
check_contains "suspending a zone is logged" "$TMPDIR_TEST/err" \
    "world.test lists its test point 127.0.0.1"
check_contains "... with the resolver it was asked through" "$TMPDIR_TEST/err" \
    "(resolver: Nameservers 127.0.0.1:$DNS_PORT)"

# Not one zone answers for its test point: the resolver is at fault
# (here it answers NXDOMAIN for both test points), not the zones.
run_check "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl dead.test" \
    "Dnsbl example.test"
jq_is "no zone answers its test point: none is suspended" \
    '[.egress[0].dnsbl[].suspended]' '[false,false]'
check_contains "... and one line names the resolver" "$TMPDIR_TEST/err" \
    "dnsbl: not one of the 2 zones answers for its test point through Nameservers 127.0.0.1:$DNS_PORT"
check "... not a zone's suspension" sh -c "! grep -q 'suspended (resolver' '$TMPDIR_TEST/err'"
# Nothing answers at all (a nameserver that is not there).
dead=$("$FREEPORT" -u)
conf=$TMPDIR_TEST/check.conf
printf '%s\n' "Nameservers 127.0.0.1:$dead" "DNSTimeout 1" "DNSTries 1" \
    "Egress primary 192.0.2.10" "Dnsbl bl.test" "Dnsbl bl2.test" >"$conf"
"$MILTER" --check --json -c "$conf" >"$TMPDIR_TEST/out.json" 2>"$TMPDIR_TEST/err"
check_contains "DNS down: the resolver is named" "$TMPDIR_TEST/err" \
    "dnsbl: not one of the 2 zones answers for its test point through Nameservers 127.0.0.1:$dead"
jq_is "DNS down: no zone is suspended" '[.egress[0].dnsbl[].suspended]' '[false,false]'

run_check "Egress a 192.0.2.10 helo=mail.example.test" \
    "Egress b 192.0.2.50" "Egress c 192.0.2.40" "Dnsbl none"
check "the worst egress decides: exit 2" [ $CHECK_RC -eq 2 ]
jq_is "three egresses, three states" '[.egress[].status]' \
    '["ok","warning","critical"]'

run_check "Dnsbl none"
jq_is "no Egress line: the host's primary address is checked" \
    '[(.egress | length), .egress[0].name]' '[1,"primary"]'
status=$(jq -r .status "$TMPDIR_TEST/out.json")
case "$status" in ok) want=0 ;; warning) want=1 ;; critical) want=2 ;; *) want=3 ;; esac
check "the exit code matches the status ($status)" [ $CHECK_RC -eq $want ]

testns_start servfail.data
printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 1\nDNSTries 1\nEgress e 192.0.2.10 helo=mail.example.test\nDnsbl bl.test\n' \
    "$TESTNS_PORT" >"$TMPDIR_TEST/sf.conf"
"$MILTER" --check -c "$TMPDIR_TEST/sf.conf" >"$TMPDIR_TEST/out.txt" 2>&1
check "SERVFAIL everywhere: exit 3 (UNKNOWN), never OK" [ $? -eq 3 ]
check_contains "text output: a Nagios-style first line" "$TMPDIR_TEST/out.txt" \
    "EGRESS UNKNOWN - 1 of 1 egress not ok"
exit $TEST_FAILED
