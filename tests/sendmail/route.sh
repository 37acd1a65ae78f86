# sendmail-route.sh - the rules of contrib/sendmail/egress-route.mc
# (tests/sendmail/socketmap.sh runs them against the route map itself),
# as the private tree's Sendmail resolves addresses with them
# (sendmail -bt): the route map's answers come from a text map standing
# in for the socketmap, also in an SMTP session (sendmail -bs); the
# tempfail from a socketmap with no server. No daemon is started and no
# mail moves.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/sendmail.sh"
if [ "$(id -u)" -ne 0 ]; then
	fail "the Sendmail route test runs as root (a mount namespace)"
	exit 1
fi
if ! [ -x "$SM_BIN" ]; then
	fail "Sendmail is unpacked in $SM_ROOT (contrib/install-test-sendmail.sh)"
	exit 1
fi
SM_DIR=$TMPDIR_TEST/sendmail
SM_PORT=$("$FREEPORT"); SM_SINK=$("$FREEPORT"); DEAD=$("$FREEPORT")
sendmail_files "$("$FREEPORT")" || { fail "the test's sendmail.cf builds"; exit 1; }
check "egress-route.mc builds into the test's .cf" \
    sendmail_cf "$SM_DIR/route.cf" 1 "inet:$DEAD@127.0.0.1"
check "egress-route.mc declares the socketmap route" \
    grep -qx "Kroute socket -T<TMPF> inet:$DEAD@127.0.0.1" "$SM_DIR/route.cf"
printf '%s\n' 'alice@pass.spf.test esmtp:[198.51.100.1]' \
    'bad@pass.spf.test relay:[198.51.100.2]:[198.51.100.3]' >"$SM_DIR/route.txt"
sed "s|^Kroute socket .*|Kroute text -T<TMPF> -k0 -v1 $SM_DIR/route.txt|" \
    "$SM_DIR/route.cf" >"$SM_DIR/route-text.cf"

# resolve CF SENDER ADDR_TYPE ADDRESS: the mailer triple ruleset 0 gives.
resolve() {
	printf '.Df%s\n.D{addr_type}%s\n3,0 %s\n' "$2" "$3" "$4" |
	    sendmail_ns "$SM_BIN" -C "$SM_DIR/$1" -bt 2>&1 |
	    sed -n 's/^parse  *returns: //p' | tr -d ' '
}
r=$(resolve route-text.cf alice@pass.spf.test "e r" bob@example.net)
check "a route answer sends the recipient through its mailer and host ($r)" \
    [ "$r" = '$#esmtp$@[198.51.100.1]$:bob<@example.net.>' ]
r=$(resolve route-text.cf bad@pass.spf.test "e r" bob@example.net)
check "a nexthop with colons is Sendmail's list of hosts ($r)" \
    [ "$r" = '$#relay$@[198.51.100.2]:[198.51.100.3]$:bob<@example.net.>' ]
r=$(resolve route-text.cf carol@example.test "e r" bob@example.net)
check "NOTFOUND leaves the smart host ($r)" \
    [ "$r" = '$#esmtp$@[127.0.0.1]$:bob<@example.net.>' ]
r=$(resolve route-text.cf alice@pass.spf.test "e s" bob@example.net)
check "sender addresses are not routed ($r)" \
    [ "$r" = '$#esmtp$@[127.0.0.1]$:bob<@example.net.>' ]
r=$(resolve route-text.cf alice@pass.spf.test "e r" bob)
check "local recipients are not routed ($r)" [ "$r" = '$#local$:bob' ]
# In an SMTP session (sendmail -bs through swaks, the code a daemon's
# child runs; without the milter): $f is the envelope sender at RCPT.
grep -v '^Xegress-milter\|^O InputMailFilters' "$SM_DIR/route-text.cf" \
    >"$SM_DIR/route-smtp.cf"
cat >"$SM_DIR/smtp.sh" <<EOF
exec unshare -m sh -c '$SM_NS_SCRIPT' sh "$SM_DIR" "" "$SM_BIN" \\
    -C "$SM_DIR/route-smtp.cf" -bs -D "$SM_DIR/debug.out" -d21.12
EOF
swaks --pipe "sh $SM_DIR/smtp.sh" --from alice@pass.spf.test \
    --to bob@example.net --quit-after RCPT >"$SM_DIR/smtp.swaks" 2>&1
check "SMTP session: RCPT is routed by the envelope sender" \
    grep -q 'ruleset parse  *returns: \$# esmtp \$@ \[ 198 \. 51 \. 100 \. 1 \] \$: bob' \
    "$SM_DIR/debug.out"
r=$(resolve route.cf alice@pass.spf.test "e r" bob@example.net)
check "the route map down: the recipient is tempfailed ($r)" \
    [ "$r" = '$#error$@4.3.0$:"451egressroutemapunavailable"' ]
exit $TEST_FAILED
