# init.sh - "egress-milter --init DIR" on a stock Debian Postfix
# (tests/fixtures/postfix/master.cf.debian) with two added transports: it prints
# a configuration whose Egress lines are that Postfix's, and postconf
# commands (as comment lines) after which "egress-milter -t" on the
# printed file passes; milters already in smtpd_milters are kept.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/postfix.sh"
PF=$TMPDIR_TEST/postfix
mkdir -p "$PF"
{
	postfix_private_main "$TMPDIR_TEST/spool"
	echo "smtp_bind_address = 203.0.113.209"
	echo "smtp_helo_name = mail.example.test"
	echo "smtpd_milters = inet:127.0.0.1:8891"
} >"$PF/main.cf"
cp "$SRCDIR/tests/fixtures/postfix/master.cf.debian" "$PF/master.cf"
postconf -c "$PF" -M 'smtp-a/unix=smtp-a unix - - y - - smtp' \
    'smtp-b/unix=smtp-b unix - - y - - smtp'
postconf -c "$PF" -P 'smtp-a/unix/smtp_bind_address=203.0.113.210' \
    'smtp-a/unix/smtp_helo_name=a.example.test' \
    'smtp-b/unix/smtp_bind_address=203.0.113.211'
conf=$TMPDIR_TEST/em.conf

"$MILTER" --init "$PF" >"$conf" 2>"$TMPDIR_TEST/err"
check "--init DIR exits 0" [ $? -eq 0 ]
check "... and prints nothing on stderr" [ ! -s "$TMPDIR_TEST/err" ]
check_contains "the default transport's egress" "$conf" \
    "Egress          smtp 203.0.113.209 helo=mail.example.test transport=smtp"
check_contains "the first added transport's egress, with its own HELO" "$conf" \
    "Egress          smtp-a 203.0.113.210 helo=a.example.test transport=smtp-a"
check_contains "the second added transport's egress" "$conf" \
    "Egress          smtp-b 203.0.113.211 helo=mail.example.test transport=smtp-b"
check_contains "map mode" "$conf" "MapSocket       inet:8896@127.0.0.1"
check_contains "the milter already in smtpd_milters is kept" "$conf" \
    "'smtpd_milters = inet:127.0.0.1:8891, inet:127.0.0.1:8895'"
check_contains "Debian's master.cf has the retry service: no command for it" "$conf" \
    "master.cf has the retry service"

"$MILTER" -t -c "$conf" >"$TMPDIR_TEST/before" 2>&1
check "before the postconf commands, -t shows what is missing (exit 1)" [ $? -eq 1 ]
sed -n 's/^#   postconf /postconf /p' "$conf" >"$TMPDIR_TEST/cmds"
check "--init prints postconf commands" [ "$(wc -l <"$TMPDIR_TEST/cmds")" -ge 4 ]
while read -r cmd; do eval "$cmd" || fail "runs: $cmd"; done <"$TMPDIR_TEST/cmds"
"$MILTER" -t -c "$conf" >"$TMPDIR_TEST/after" 2>&1
rc=$?
check "after them, -t on the printed file passes (exit $rc)" [ $rc -eq 0 ]
grep ':[0-9]*: ' "$TMPDIR_TEST/after" | sed 's/^/#   /'
check "no master.cf service is defined twice" \
    [ -z "$(postconf -c "$PF" -M | awk '{ print $1, $2 }' | sort | uniq -d)" ]

"$MILTER" --init "$TMPDIR_TEST/nothing-here" >"$TMPDIR_TEST/none" 2>&1
check "--init on a directory without Postfix exits 1" [ $? -eq 1 ]
"$MILTER" --init relative/dir >"$TMPDIR_TEST/rel" 2>&1
check "--init on a relative directory exits 1" [ $? -eq 1 ]
check_contains "... saying why" "$TMPDIR_TEST/rel" "not an absolute directory"
exit $TEST_FAILED
