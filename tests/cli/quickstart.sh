# quickstart.sh - docs/quickstart.md as a newcomer pastes it: its
# configuration file and its postconf commands, run against a private
# Postfix configuration directory made from Debian's stock master.cf
# (tests/fixtures/postfix/master.cf.debian), give a setup that "egress-milter -t"
# passes, with no master.cf service defined twice.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/postfix.sh"
Q=$SRCDIR/docs/quickstart.md
PF=$TMPDIR_TEST/postfix
mkdir -p "$PF"
postfix_private_main "$TMPDIR_TEST/spool" >"$PF/main.cf"
cp "$SRCDIR/tests/fixtures/postfix/master.cf.debian" "$PF/master.cf"

# The configuration: the indented block after "Replace ... with:".
awk '/^Replace `\/etc\/egress-milter.conf` with:/ { on = 1; next }
    on && /^    / { sub(/^    /, ""); print; got = 1; next }
    on && got && !/^$/ { exit }' "$Q" |
    sed "s|^PostfixConfig .*|PostfixConfig   $PF|" >"$TMPDIR_TEST/em.conf"
check "the quick start has a configuration file" grep -q '^Egress' "$TMPDIR_TEST/em.conf"
check "... in map mode" grep -q '^MapSocket' "$TMPDIR_TEST/em.conf"

"$MILTER" -t -c "$TMPDIR_TEST/em.conf" >"$TMPDIR_TEST/before" 2>&1
check "before the Postfix step, -t lists what is missing there (exit 1)" [ $? -eq 1 ]

# Section 3's commands, continuation lines joined, with -c PF.
sed -n '/^## 3\. Postfix/,/^The last command prints/p' "$Q" | sed -n 's/^    //p' |
    awk '{ line = line $0 } /\\$/ { sub(/\\$/, "", line); next } { print line; line = "" }' |
    sed "s|^postconf |postconf -c '$PF' |" >"$TMPDIR_TEST/cmds"
check "the quick start gives postconf commands" [ "$(grep -c '^postconf' "$TMPDIR_TEST/cmds")" -ge 4 ]
while read -r cmd; do
	case "$cmd" in postconf*) ;; *) continue ;; esac
	eval "$cmd" >>"$TMPDIR_TEST/cmds.out" 2>&1 || fail "runs: $cmd"
done <"$TMPDIR_TEST/cmds"
check_contains "postconf -M retry/unix prints Debian's retry service" "$TMPDIR_TEST/cmds.out" "retry"
check "no master.cf service is defined twice" \
    [ -z "$(postconf -c "$PF" -M | awk '{ print $1, $2 }' | sort | uniq -d)" ]
"$MILTER" -t -c "$TMPDIR_TEST/em.conf" >"$TMPDIR_TEST/after" 2>&1
rc=$?
check "after the Postfix step, -t passes (exit $rc)" [ $rc -eq 0 ]
grep ':[0-9]*: ' "$TMPDIR_TEST/after" | sed 's/^/#   /'
check "the route map is the sender-dependent default transport" \
    sh -c "postconf -c '$PF' -h sender_dependent_default_transport_maps | grep -q ':route'"
check "smtp-backup sends from the backup address" \
    sh -c "postconf -c '$PF' -P smtp-backup/unix/smtp_bind_address | grep -q '203.0.113.20'"
check "the quick start's picture is in docs/" [ -s "$SRCDIR/docs/quickstart-flow.svg" ]
check_contains "the README links the quick start" "$SRCDIR/README.md" "docs/quickstart.md"
exit $TEST_FAILED
