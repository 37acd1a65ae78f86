# milter-preflight.sh - the pre-flight findings (the rules Gmail, Yahoo,
# Outlook.com and Apple publish): each shown for a message that breaks
# it, with the receiver's code in its reason and the fix, in the
# decision line's preflight= and preflight_reasons= fields; none holds
# mail by default; an On line makes one act, its reason in the reply.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
/usr/bin/python3 -c 'import dkim' 2>/dev/null ||
    { fail "python3-dkim is installed"; exit 1; }
WEAKSIG=$(printf 'From: w@dkim.test\r\nSubject: weak\r\nMessage-ID: <w@dkim.test>\r\n\r\nHello.\r\n' |
    /usr/bin/python3 "$SRCDIR/tests/tools/dkim_verify.py" sign \
    "$SRCDIR/tests/fixtures/dkim-weak.private" relaxed/relaxed weak dkim.test |
    sed -n '/^DKIM-Signature:/,/^[^ \t]/p' | sed '$d' | sed 's/^DKIM-Signature: //' |
    tr -d '\r' | tr '\n' ' ')

MPORT=$("$FREEPORT")
start_case pre "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl bl.test" \
    "MetricsListen 127.0.0.1:$MPORT"
out=$TMPDIR_TEST/pre.out
miltertest -D socket="inet:$PORT@127.0.0.1" -D lib="$SRCDIR/tests/milter/lib.lua" \
    -D weaksig="$WEAKSIG" -s "$SRCDIR/tests/milter/preflight.lua" >"$out" 2>&1
cat "$out"
log=$TMPDIR_TEST/pre.log
wait_for "$log" "sender=<w@strict.dmarc.test>" 50
curl -sS "http://127.0.0.1:$MPORT/metrics" >"$TMPDIR_TEST/metrics" 2>&1
check_contains "metrics: messages with dkim-missing are counted" "$TMPDIR_TEST/metrics" \
    'egress_milter_message_findings_total{finding="dkim-missing"} 7'
check_contains "metrics: messages with unsubscribe-missing are counted" "$TMPDIR_TEST/metrics" \
    'egress_milter_message_findings_total{finding="unsubscribe-missing"} 1'
stop_milter

# line SENDER: the decision line of the message from SENDER.
line() { grep -F "sender=<$1>" "$log" | head -1; }
# has SENDER LABEL TEXT...: the line has every TEXT.
has() {
	local l s=$1 label=$2
	shift 2
	l=$(line "$s")
	for t in "$@"; do
		case $l in
		*"$t"*) ;;
		*) fail "$label (no \"$t\" in: $l)"; return ;;
		esac
	done
	pass "$label"
}
has a@strict.dmarc.test "aligned SPF, no DKIM: dkim-missing alone, with Gmail's 5.7.30 and the fix" \
    "action=accept" "preflight=dkim-missing " "5.7.30" "sign the mail with DKIM as d=strict.dmarc.test"
has b@strict.dmarc.test "two From fields, two Subjects, no Message-ID: header-invalid (Gmail 5.7.1)" \
    "header-invalid: 2 From fields" "no Message-ID" "Subject 2 times" "550 5.7.1"
has d@strict.dmarc.test "two addresses in From, an invalid Message-ID: header-invalid" \
    "header-invalid: 2 addresses in From" "an invalid Message-ID"
has f@pass.spf.test "no DMARC policy: dmarc-missing (Gmail 5.7.40), From not aligned: unaligned (Gmail 5.7.32)" \
    "action=accept" "dmarc-missing" "mail.example.test and its organizational domain publish no DMARC policy" \
    "5.7.40" "unaligned" "neither SPF (pass.spf.test) nor a passing DKIM signature is aligned" "5.7.32" \
    "publish a DMARC record at _dmarc.mail.example.test"
has g@strict.dmarc.test "bulk (List-Id) with a mailto unsubscribe only: unsubscribe-missing" \
    "action=accept" "unsubscribe-missing" "RFC 8058"
l=$(line h@strict.dmarc.test)
check "bulk with List-Unsubscribe (https) and One-Click: no unsubscribe-missing" \
    eval 'case "$l" in *unsubscribe-missing*|"") false ;; *) true ;; esac'
has w@strict.dmarc.test "a 512-bit DKIM key: dkim-weak with its size" \
    "dkim-weak" "the DKIM key weak of dkim.test has 512 bits" "dkim=dkim.test:fail"
held=$(grep -c 'action=\(quarantine\|tempfail\|reject\)' "$log")
check "no message is held or refused by default (accept, or tag for the older findings)" \
    test "$(grep -c ' action=' "$log")" -eq 7 -a "$held" -eq 0
l=$(line a@strict.dmarc.test)
check "pre-flight findings are not in findings= (they have their own field)" \
    eval 'case "$l" in *findings=*dkim-missing*preflight=*) false ;; "") false ;; *) true ;; esac'

"$MILTER" --summary "$log" >"$TMPDIR_TEST/summary.out" 2>&1
check "--summary counts the pre-flight findings (dkim-missing 7, header-invalid 2, unsubscribe-missing 1)" \
    eval 'grep -Eq "^  dkim-missing +7\$" "$TMPDIR_TEST/summary.out" &&
    grep -Eq "^  header-invalid +2\$" "$TMPDIR_TEST/summary.out" &&
    grep -Eq "^  unsubscribe-missing +1\$" "$TMPDIR_TEST/summary.out"'

# An operator acts on one: the reply gives the receiver's rule.
start_case act "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl bl.test" \
    "On header-invalid reject"
out=$TMPDIR_TEST/act.out
miltertest -D socket="inet:$PORT@127.0.0.1" -D lib="$SRCDIR/tests/milter/lib.lua" \
    -D weaksig="$WEAKSIG" -s "$SRCDIR/tests/milter/preflight.lua" >"$out" 2>&1
log=$TMPDIR_TEST/act.log
wait_for "$log" "sender=<w@strict.dmarc.test>" 50
stop_milter
has b@strict.dmarc.test "On header-invalid reject: rejected, the reply names the rule" \
    "action=reject" 'reply="header-invalid' "550 5.7.1: not RFC 5322 compliant"
has a@strict.dmarc.test "On header-invalid reject: a well-formed message is still accepted" \
    "action=accept"
exit $TEST_FAILED
