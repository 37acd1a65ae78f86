# generic-shared.sh - generic-ptr in --check against the tests' NSD (the
# lookups alone: tests/dns/neighbours.c): names shared by
# the neighbours of an egress (IPv4 /24, IPv6 /64), names that are not,
# and the reason --check shows for each rule (tests/fixtures/zones:
# 113.0.203.in-addr.arpa, 3.1.1.0.8.b.d.0.1.0.0.2.ip6.arpa, shared.test).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1

# run_check EGRESS: --check --json on one egress, no DNSBL.
run_check() {
	printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 1\nDNSTries 1\nDnsbl none\nEgress e %s\n' \
	    "$DNS_PORT" "$1" >"$TMPDIR_TEST/check.conf"
	"$MILTER" --check --json -c "$TMPDIR_TEST/check.conf" \
	    >"$TMPDIR_TEST/out.json" 2>"$TMPDIR_TEST/err"
	CHECK_RC=$?
}

run_check 203.0.113.10
check "shared name: exit 1 (WARNING)" [ $CHECK_RC -eq 1 ]
jq_is "shared name: finding generic-ptr" '.egress[0].findings' \
    '["generic-ptr"]'
jq_is "shared name: the reason says so" '.egress[0].reasons' \
    '"generic-ptr: one name shared by a whole range (4 of 4 neighbours in the same /24 carry it) (PTR name range.shared.test); set an operator-chosen PTR name (such as mail.<your domain>) that resolves back to the address"'

run_check 203.0.113.40
check "two addresses, one server name: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "two addresses, one server name: not generic" \
    '[.egress[0].generic_ptr, .egress[0].findings]' '[false,[]]'

run_check 203.0.113.70
check "own name among other names: exit 0" [ $CHECK_RC -eq 0 ]

run_check 2001:db8:113::10
check "IPv6 shared name: exit 1" [ $CHECK_RC -eq 1 ]
jq_is "IPv6 shared name: finding and /64" \
    '[.egress[0].findings, (.egress[0].reasons | test("in the same /64"))]' \
    '[["generic-ptr"],true]'

run_check 2001:db8:113::20
check "IPv6 own name: exit 0" [ $CHECK_RC -eq 0 ]

run_check 203.0.113.100
jq_is "address rule: the reason names it" '.egress[0].reasons' \
    '"generic-ptr: the address is written in the name (dashed, reversed) (PTR name 100-113-0-203.pool.shared.test); set an operator-chosen PTR name (such as mail.<your domain>) that resolves back to the address"'

run_check 2001:db8:113::30
jq_is "IPv6 address rule: the reason names it" \
    '.egress[0].reasons | test("^generic-ptr: the address is written in the name \\(compressed")' \
    'true'

run_check 203.0.113.150
check "mail fleet name with the address in it: exit 0" [ $CHECK_RC -eq 0 ]
jq_is "mail fleet name: not generic" '.egress[0].generic_ptr' 'false'

run_check 203.0.113.10
"$MILTER" --check -c "$TMPDIR_TEST/check.conf" >"$TMPDIR_TEST/out.txt" 2>&1
if grep -q '^    generic-ptr: one name shared by a whole range' "$TMPDIR_TEST/out.txt"
then pass "text --check: the reason line names the rule"
else fail "text --check: the reason line names the rule ($(cat "$TMPDIR_TEST/out.txt"))"; fi
exit $TEST_FAILED
