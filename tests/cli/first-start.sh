# first-start.sh - a safe first start behind NAT. An egress whose address
# remote servers cannot see (private, loopback, CGNAT, ...; documentation
# ranges outside the tests) is reported as "not a public address" with
# the fix, in the log and in --check, and no mail is tempfailed for what
# the milter cannot know; public= (or PublicAddress for EgressFrom and
# the built-in egress) gives the address it leaves as, and the checks
# judge that address. The 451 names the deciding reasons first.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
T=$TMPDIR_TEST
MILTERTEST=$(command -v miltertest) || { fail "miltertest is installed"; exit 1; }
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
PHRASE="is not a public address: the checks need the address remote servers see"

# conf NAME LINES...: a configuration of the tests' DNS plus LINES.
conf() {
	local f=$T/$1.conf; shift
	{ echo "Syslog no"; echo "Nameservers 127.0.0.1:$DNS_PORT"; echo "DNSTimeout 1"
	  printf '%s\n' "$@"; } >"$f"
}
# session NAME MILTERTEST-DEFINES...: the milter on NAME.conf, one
# firststart.lua session; the log is left in NAME.log.
session() {
	local name=$1 port; shift
	port=$("$FREEPORT")
	start_milter "$T/$name.log" -c "$T/$name.conf" -p "inet:$port@127.0.0.1"
	wait_for_tcp "$port" || { fail "$name: the milter starts"; return; }
	"$MILTERTEST" -D socket="inet:$port@127.0.0.1" -D lib="$SRCDIR/tests/milter/lib.lua" "$@" \
	    -s "$SRCDIR/tests/milter/firststart.lua" >"$T/$name.out" 2>&1
	local rc=$?
	sed "s/^\(PASS\|FAIL\): /\1: $name: /" "$T/$name.out"
	check "$name: the miltertest session completes" [ $rc -eq 0 ]
	stop_milter
}

# A private address, as a cloud machine has behind NAT; SPF fail would
# tempfail mail if the milter judged that address.
conf private "Egress primary 10.0.0.5 helo=mail.example.test" "Dnsbl bl.test" \
    "On spf-fail tempfail" "On listed tempfail"
session private -D expect=accept
log=$T/private.log
check_contains "private: the start warns that it is not public" "$log" \
    "warning: egress primary: 10.0.0.5 (private range) $PHRASE"
check_contains "private: the warning gives the fix" "$log" \
    'give it as "Egress primary 10.0.0.5 public=203.0.113.7"'
check_contains "private: the log says what it does instead" "$log" \
    "Until then its PTR, DNSBLs, SPF and DMARC are not checked and no mail is held for them"
check_contains "private: the message is accepted, with the finding not-public" "$log" \
    "action=accept egress=primary route=- findings=not-public sender=<alice@fail.spf.test>"
"$MILTER" --check -c "$T/private.conf" >"$T/check.out" 2>&1
check "private: --check exits 1 (WARNING)" [ $? -eq 1 ]
check_contains "private: --check says why" "$T/check.out" "10.0.0.5 (private range) $PHRASE"
check_contains "private: --check gives the fix" "$T/check.out" "public=203.0.113.7"
"$MILTER" --check --json -c "$T/private.conf" >"$T/check.json" 2>&1
check "private: --check --json lists not-public, asks no PTR" \
    [ "$(jq -c '.egress[0] | [.status, .findings, .ptr]' "$T/check.json")" = '["warning",["not-public"],[]]' ]
"$MILTER" -t -c "$T/private.conf" >"$T/t.out" 2>&1
check_contains "private: -t warns too" "$T/t.out" "# warning: 10.0.0.5 is not a public address (private)"

for a in 127.0.0.2:loopback 169.254.10.10:link-local 100.64.1.1:CGNAT 172.20.0.1:private; do
	conf other "Egress primary ${a%%:*}" "Dnsbl none"
	"$MILTER" --check -c "$T/other.conf" >"$T/check.out" 2>&1
	check "${a%%:*} is not public (${a#*:}): --check WARNING" [ $? -eq 1 ]
	check_contains "${a%%:*}: the reason names its range" "$T/check.out" "${a%%:*} (${a#*:}"
done
conf doc "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl none"
env -u EGRESS_MILTER_DOCUMENTATION_PUBLIC "$MILTER" --check -c "$T/doc.conf" >"$T/check.out" 2>&1
check "outside the tests a documentation address is not public: WARNING" [ $? -eq 1 ]
check_contains "... named as such" "$T/check.out" "192.0.2.10 (documentation range) $PHRASE"
check_contains "... with the way to run a lab on such addresses" "$T/check.out" \
    "set EGRESS_MILTER_DOCUMENTATION_PUBLIC=1 in the environment"
check "... not for other ranges" sh -c "! grep -q EGRESS_MILTER '$T/private.conf' && \
    ! '$MILTER' -t -c '$T/private.conf' 2>&1 | grep -q EGRESS_MILTER_DOCUMENTATION_PUBLIC"
env -u EGRESS_MILTER_DOCUMENTATION_PUBLIC "$MILTER" -t -c "$T/doc.conf" >"$T/t.out" 2>&1
check_contains "-t's warning on a documentation address names EGRESS_MILTER_DOCUMENTATION_PUBLIC" \
    "$T/t.out" "# warning: 192.0.2.10 is not a public address (documentation): the checks need the address remote servers see; give it with public=ADDRESS (or PublicAddress 192.0.2.10 ADDRESS) (a lab on documentation addresses: set EGRESS_MILTER_DOCUMENTATION_PUBLIC=1"
conf docpub "Egress primary 192.0.2.10 public=198.51.100.7" "Dnsbl none"
env -u EGRESS_MILTER_DOCUMENTATION_PUBLIC "$MILTER" -t -c "$T/docpub.conf" >"$T/t.out" 2>&1
check "-t refuses a documentation public= outside the tests: exit 1" [ $? -eq 1 ]
check_contains "... and its error names EGRESS_MILTER_DOCUMENTATION_PUBLIC" "$T/t.out" \
    "198.51.100.7 is not a public address either (documentation); give the address remote servers see (a lab on documentation addresses: set EGRESS_MILTER_DOCUMENTATION_PUBLIC=1"
"$MILTER" --check -c "$T/doc.conf" >"$T/check.out" 2>&1
check "in the tests (EGRESS_MILTER_DOCUMENTATION_PUBLIC=1) it is judged: OK" [ $? -eq 0 ]

# public=: the checks judge the address the egress leaves as.
conf nat "Egress primary 10.0.0.5 helo=mail.example.test public=192.0.2.10" "Dnsbl bl.test"
"$MILTER" --check --json -c "$T/nat.conf" >"$T/check.json" 2>&1
check "public=192.0.2.10: --check OK" [ $? -eq 0 ]
check "public=: the public address is judged (its PTR and FCrDNS)" \
    [ "$(jq -c '.egress[0] | [.ip, .ptr, .fcrdns, .status]' "$T/check.json")" = '["192.0.2.10",["mail.example.test"],true,"ok"]' ]
conf natlisted "Egress primary 10.0.0.5 helo=mail2.example.test public=192.0.2.20" "Dnsbl bl.test"
"$MILTER" --check --json -c "$T/natlisted.conf" >"$T/check.json" 2>&1
check "public=192.0.2.20: listed, CRITICAL" [ $? -eq 2 ]
check "public=: the DNSBL is asked for the public address" \
    [ "$(jq -c '.egress[0] | [.ip, .dnsbl[0].listed]' "$T/check.json")" = '["192.0.2.20",true]' ]
"$MILTER" -t -c "$T/nat.conf" >"$T/t.out" 2>&1
check_contains "-t prints public= on the Egress line" "$T/t.out" \
    "Egress primary 10.0.0.5 helo=mail.example.test route=primary public=192.0.2.10"
conf pubaddr "Egress primary 10.0.0.5 helo=mail.example.test" "PublicAddress 10.0.0.5 192.0.2.10" "Dnsbl none"
"$MILTER" --check --json -c "$T/pubaddr.conf" >"$T/check.json" 2>&1
check "PublicAddress 10.0.0.5 192.0.2.10: the egress bound to 10.0.0.5 is judged as 192.0.2.10" \
    [ "$(jq -c '.egress[0] | [.ip, .status]' "$T/check.json")" = '["192.0.2.10","ok"]' ]
conf bad1 "Egress primary 10.0.0.5 public=10.0.0.6"
"$MILTER" -t -c "$T/bad1.conf" >"$T/t.out" 2>&1
check_contains "public= must itself be public" "$T/t.out" \
    "bad1.conf:4: Egress public=: 10.0.0.6 is not a public address either (private)"
conf bad2 "Egress primary 192.0.2.10" "PublicAddress 10.0.0.7 192.0.2.10"
"$MILTER" -t -c "$T/bad2.conf" >"$T/t.out" 2>&1
check_contains "a PublicAddress no egress binds to is an error" "$T/t.out" \
    "bad2.conf:5: PublicAddress: no egress binds to 10.0.0.7"

# The 451: the deciding finding first, then what to do about it (the
# first line of the advice); the zones that did
# not decide stay in the log: dead.test is suspended (it lists nothing),
# the tests' NSD refuses questions about nowhere.test (a dns-error).
conf reply "Egress primary 192.0.2.20 helo=mail2.example.test" "Dnsbl bl.test" \
    "Dnsbl dead.test" "Dnsbl nowhere.test" "On listed tempfail"
session reply -D expect=tempfail -D from="<alice@helo.spf.test>" \
    -D reply="listed: bl.test lists 192.0.2.20 (127.0.0.2): ask for delisting at https://bl.test/lookup?192.0.2.20 once the cause is fixed"
check_contains "reply: the log has the suspended zone" "$T/reply.log" "dead.test"
check_contains "reply: the log has the zone that failed" "$T/reply.log" "nowhere.test: "
check_contains "reply: the message's log line has it too" "$T/reply.log" \
    "findings=listed,dns-error sender=<alice@helo.spf.test>"
exit $TEST_FAILED
