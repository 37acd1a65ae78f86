# hostile.sh - one escaping rule for every text that leaves the process:
# bytes outside printable ASCII (CR, LF, NUL, ESC, C1 0x80-0x9f, invalid
# UTF-8) from a DNSBL TXT reason, an SPF explanation, a DMARC tag, a PTR
# name (zones hostile.test and 100.51.198.in-addr.arpa), the HELO, the
# MAIL FROM and the From field show as \xHH in the log line, the 451
# text and the added header; no line can be forged, no escape sequence
# reaches a terminal.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
HOSTILE=$'\r\nFAKE\e[2J\x9b\xff'
ESCAPED='\x0d\x0aFAKE\x1b[2J'


# clean FILE WHAT: FILE has no byte outside printable ASCII but LF, and
# no line that starts with the forged text.
clean() {
	if LC_ALL=C grep -qaP '[^\x0a\x20-\x7e]' "$1"; then
		fail "$2: a raw control or 8-bit byte got out"
		LC_ALL=C grep -naP '[^\x0a\x20-\x7e]' "$1" | cat -v | head -3 | sed 's/^/#   /'
	else
		pass "$2: printable ASCII only"
	fi
	if grep -q '^FAKE' "$1"; then fail "$2: no forged line"
	else pass "$2: no forged line"; fi
}

start_case tempfail "Egress primary 192.0.2.10 helo=mail.example.test" \
    "Dnsbl bl.hostile.test" "On spf-fail tempfail"
out=$(timeout 30 "$MILTERCLIENT" -p "$PORT" -h "helo$HOSTILE.test" \
    -s "<al${HOSTILE}@hostile.test>" -f "Alice$HOSTILE <alice@hostile.test>" message)
echo "$out" >"$TMPDIR_TEST/tempfail.out"
# A usable sender: SPF fails with the explanation of exp.hostile.test.
timeout 30 "$MILTERCLIENT" -p "$PORT" -s "<bob@hostile.test>" message \
    >"$TMPDIR_TEST/spf.out"
stop_milter
log=$TMPDIR_TEST/tempfail.log
check "the message is tempfailed with a reply (never 5xx): $(head -1 "$TMPDIR_TEST/tempfail.out")" \
    grep -q "^verdicts a=0 t=0 r=0 y4=1 y5=0 " "$TMPDIR_TEST/tempfail.out"
check_contains "MAIL FROM: escaped in the decision line" "$log" \
    "sender=<al${ESCAPED}\\x9b\\xff@hostile.test>"
check_contains "DMARC record with hostile bytes (in ruf=): only the policy in force reaches the decision line" "$log" \
    'dmarc=p=reject dkim=-'
check_contains "DNSBL TXT reason with C1 bytes: escaped in the decision line" "$log" \
    "listed${ESCAPED}\\x80\\x9f\\xff"
check_contains "DNSBL TXT reason: escaped in the monitor's notice" "$log" \
    "listed on bl.hostile.test (127.0.0.2: listed${ESCAPED}\\x80\\x9f\\xff"
# The 451 gives the deciding findings and the advice (the TXT reason
# stays in the log); what reaches it from DNS is checked by "clean".
check_contains "451 text: the deciding findings and the advice" \
    "$TMPDIR_TEST/tempfail.out" "listed, dmarc-fail: bl.hostile.test lists 192.0.2.10 (127.0.0.2)"
check_contains "451 text: the reply is a 451 4.7.1" "$TMPDIR_TEST/tempfail.out" \
    "reply: 451 4.7.1 "
clean "$log" "the log"
clean "$TMPDIR_TEST/tempfail.out" "the 451 text"
check_contains "SPF fail with a hostile explanation: decided" "$log" \
    "findings=listed,spf-fail,dmarc-fail sender=<bob@hostile.test>"
clean "$TMPDIR_TEST/spf.out" "the 451 text with the SPF explanation"

start_case header "Egress primary 192.0.2.10 helo=mail.example.test" \
    "Dnsbl bl.hostile.test" "ReportHeader yes" "On listed tag" \
    "On spf-fail tag" "On dmarc-fail tag"
out=$(timeout 30 "$MILTERCLIENT" -p "$PORT" -h "helo$HOSTILE.test" \
    -s "<al${HOSTILE}@hostile.test>" -f "Alice$HOSTILE <alice@hostile.test>" message)
echo "$out" >"$TMPDIR_TEST/header.out"
stop_milter
check_contains "the added header is the report, printable" "$TMPDIR_TEST/header.out" \
    "header: X-Egress-Report: action=tag; egress=primary; findings=listed,spf-none,dmarc-fail"
clean "$TMPDIR_TEST/header.out" "the added header"
clean "$TMPDIR_TEST/header.log" "the log of a tagged message"

start_case ptr "Egress evil 198.51.100.201" "Dnsbl none"
for i in $(seq 50); do grep -q "unknown ->" "$TMPDIR_TEST/ptr.log" && break; sleep 0.1; done
stop_milter
# ldns hands over names in presentation form (\DDD for such bytes).
check_contains "PTR name with LF and ESC: escaped in the monitor's notice" \
    "$TMPDIR_TEST/ptr.log" 'PTR name evil\010fake\027x.hostile.test does not resolve back'
clean "$TMPDIR_TEST/ptr.log" "the log of a hostile PTR name"
exit $TEST_FAILED
