# egress-from.sh - "EgressFrom postfix:DIR" builds the egress table from
# a Postfix configuration (a private one here: the system's is untouched).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
command -v postconf >/dev/null || { fail "postconf is installed"; exit 1; }

pf=$TMPDIR_TEST/postfix
mkdir -p "$pf"
cat >"$pf/main.cf" <<'CF'
compatibility_level = 3.6
myhostname = mail.example.test
smtp_bind_address = 192.0.2.10
smtp_helo_name = $myhostname
CF
cat >"$pf/master.cf" <<'CF'
smtp      inet  n       -       n       -       -       smtpd
smtp      unix  -       -       n       -       -       smtp
smtp-ip2  unix  -       -       n       -       -       smtp
  -o smtp_bind_address=192.0.2.20
  -o smtp_helo_name=mail2.example.test
smtp-v6   unix  -       -       n       -       -       smtp
  -o smtp_bind_address6=2001:db8::10
CF
# The route header rules -t checks (each FILTER with an explicit nexthop).
echo "milter_header_checks = regexp:$pf/routes" >>"$pf/main.cf"
for r in smtp smtp-ip2 smtp-v6; do
	printf '/^X-Egress-Route: %s$/ FILTER %s:[192.0.2.1]:25\n' "$r" "$r"
done >"$pf/routes"
printf 'EgressFrom postfix:%s\nDnsbl none\n' "$pf" >"$TMPDIR_TEST/em.conf"
out=$TMPDIR_TEST/out
"$MILTER" -t -c "$TMPDIR_TEST/em.conf" >"$out" 2>&1
check "EgressFrom postfix: the configuration is good" [ $? -eq 0 ]
check_contains "three egresses found" "$out" "configuration OK (3 egresses)"
check_contains "the default transport, HELO from \$myhostname" "$out" \
    "Egress smtp 192.0.2.10 helo=mail.example.test route=smtp transport=smtp"
check "the default transport is the default egress, from EgressFrom" \
    grep -qx "# .*em.conf:1 (EgressFrom; the default egress)" "$out"
check_contains "a master.cf transport with its own address and HELO" "$out" \
    "Egress smtp-ip2 192.0.2.20 helo=mail2.example.test route=smtp-ip2 transport=smtp-ip2"
check_contains "an IPv6 transport keeps the default HELO" "$out" \
    "Egress smtp-v6 2001:db8::10 helo=mail.example.test route=smtp-v6 transport=smtp-v6"

printf 'EgressFrom postfix:%s/nowhere\n' "$pf" >"$TMPDIR_TEST/bad.conf"
"$MILTER" -t -c "$TMPDIR_TEST/bad.conf" >"$out" 2>&1
check "a missing Postfix directory is an error" [ $? -eq 1 ]
check_contains "the error names the line" "$out" "bad.conf:1: EgressFrom postfix: postconf failed"

printf 'Egress smtp 192.0.2.99\nEgressFrom postfix:%s\n' "$pf" >"$TMPDIR_TEST/dup.conf"
"$MILTER" -t -c "$TMPDIR_TEST/dup.conf" >"$out" 2>&1
check_contains "a name given twice is refused" "$out" \
    "dup.conf:2: EgressFrom postfix: egress \"smtp\" is also configured by an Egress line"
exit $TEST_FAILED
