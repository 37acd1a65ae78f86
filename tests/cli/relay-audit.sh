# relay-audit.sh - the open-relay audit in --check: a private Postfix
# configuration directory (read with postconf -c DIR; Postfix is not
# started) with a bad and a good configuration; each problem is named
# with its fix, and a bad one makes the result WARNING.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
command -v postconf >/dev/null || { fail "postconf is installed"; exit 1; }
pf=$TMPDIR_TEST/postfix
mkdir -p "$pf"
out=$TMPDIR_TEST/out

# postfix_conf MAIN-LINES: main.cf with the egress the tests' DNS knows.
postfix_conf() {
	{
		echo "compatibility_level = 3.6"
		echo "smtp_bind_address = 192.0.2.10"
		echo "smtp_helo_name = mail.example.test"
		printf '%s\n' "$@"
	} >"$pf/main.cf"
}
cat >"$pf/master.cf" <<'MASTER'
smtp       inet  n       -       n       -       -       smtpd
submission inet  n       -       n       -       -       smtpd
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup     unix  n       -       n       60      1       pickup
smtp       unix  -       -       n       -       -       smtp
MASTER
printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 1\nEgressFrom postfix:%s\nDnsbl none\n' \
    "$DNS_PORT" "$pf" >"$TMPDIR_TEST/c.conf"
run() { "$MILTER" --check "$@" -c "$TMPDIR_TEST/c.conf" >"$out" 2>&1; RC=$?; }

postfix_conf "mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.10/32 10.0.0.0/8" \
    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination" \
    "smtpd_recipient_restrictions = permit" "smtpd_sasl_auth_enable = yes" "smtpd_tls_auth_only = yes"
run
check "a good configuration: exit 0 (OK)" [ $RC -eq 0 ]
check_contains "a good configuration: no problem" "$out" "relay audit (Postfix): 0 problems"
run --json
check "a good configuration: JSON relay_audit ran, no problems" \
    [ "$(jq -c '[.relay_audit.ran, (.relay_audit.problems | length)]' "$out")" = "[true,0]" ]

postfix_conf "mynetworks = 127.0.0.0/8 0.0.0.0/0 198.51.100.0/22 2001:db8::/32 [2001:db8:1::]/64" \
    "smtpd_relay_restrictions = permit_mynetworks, permit, reject_unauth_destination" \
    "smtpd_recipient_restrictions = permit_mynetworks" "smtpd_sasl_auth_enable = yes"
run
check "a bad configuration: exit 1 (WARNING)" [ $RC -eq 1 ]
check_contains "the first line counts the relay problems" "$out" \
    "EGRESS WARNING - 0 of 1 egress not ok, 8 relay problems"
check_contains "open relay: names both lists" "$out" \
    "open-relay smtp: open relay: neither smtpd_relay_restrictions (permit_mynetworks, permit, reject_unauth_destination) nor smtpd_recipient_restrictions (permit_mynetworks) has reject_unauth_destination"
check_contains "open relay: the fix" "$out" \
    "fix: set \`smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination\`"
check_contains "mynetworks 0.0.0.0/0" "$out" "mynetworks smtp: mynetworks: 0.0.0.0/0 is every address: anyone may relay"
check_contains "mynetworks: a public /22" "$out" \
    "mynetworks smtp: mynetworks: 198.51.100.0/22 is a public range wider than /24"
check_contains "mynetworks: a public IPv6 /32" "$out" \
    "mynetworks: 2001:db8::/32 is a public range wider than /48"
check "mynetworks: a /64 and private ranges are fine" eval "! grep -q '2001:db8:1::\|127.0.0.0/8 is' '$out'"
check_contains "SASL without TLS on smtp" "$out" \
    "sasl-no-tls smtp: smtpd_sasl_auth_enable = yes without smtpd_tls_auth_only = yes"
check_contains "SASL without TLS: the fix" "$out" "fix: set \`smtpd_tls_auth_only = yes\`"
check "the submission service (TLS enforced, own relay rules) is not an open relay" \
    eval "! grep -q 'open-relay submission\|sasl-no-tls submission' '$out'"
check_contains "but submission inherits mynetworks" "$out" "mynetworks submission: mynetworks: 0.0.0.0/0"
run --json
check "JSON: the problems with rule, service, problem and fix" \
    [ "$(jq -r '.relay_audit.problems[0] | [.rule, .service, (.fix | length > 0)] | @tsv' "$out")" = "$(printf 'open-relay\tsmtp\ttrue')" ]

printf 'Nameservers 127.0.0.1:%s\nEgress a 192.0.2.10 helo=mail.example.test\nDnsbl none\n' \
    "$DNS_PORT" >"$TMPDIR_TEST/c.conf"
run --json
check "without EgressFrom postfix: no relay audit" [ "$(jq -c 'has("relay_audit")' "$out")" = false ]
exit $TEST_FAILED
