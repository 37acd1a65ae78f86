# cli.sh - the command line: -V, -h, -t on good and bad files, --check.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
out=$TMPDIR_TEST/out

"$MILTER" -V >"$out" 2>&1
check "-V exits 0" [ $? -eq 0 ]
check_contains "-V prints the version" "$out" "egress-milter "

"$MILTER" -h >"$out" 2>&1
check "-h exits 0" [ $? -eq 0 ]
for word in -c -p -f -t --check --json -V SIGUSR1; do
	check_contains "-h names $word" "$out" "$word"
done

"$MILTER" -x >"$out" 2>&1
check "an unknown option exits 1" [ $? -eq 1 ]
check_contains "an unknown option prints usage" "$out" "usage:"

printf 'Socket inet:8895@127.0.0.1\nDNSTimeout 2\nEgres primary 192.0.2.10\n' \
    >"$TMPDIR_TEST/f.conf"
(cd "$TMPDIR_TEST" && "$MILTER" -t -c f.conf) >"$out" 2>&1
check "-t on a bad file exits 1" [ $? -eq 1 ]
check_contains "-t names f.conf:3 and the unknown key" "$out" \
    'f.conf:3: unknown key "Egres" (did you mean "Egress"?)'

# Nothing answers on this port: no DNS question leaves the machine.
dead=$("$FREEPORT" -u)
printf 'Egress primary 192.0.2.10 helo=mail.example.test\nSyslog no\nNameservers 127.0.0.1:%s\nDNSTimeout 1\nDNSTries 1\nDnsbl none\n' \
    "$dead" >"$TMPDIR_TEST/good.conf"
"$MILTER" -t -c "$TMPDIR_TEST/good.conf" >"$out" 2>&1
check "-t on a good file exits 0" [ $? -eq 0 ]
check_contains "-t says the file is good" "$out" "configuration OK (1 egress)"

"$MILTER" -t -c "$SRCDIR/contrib/egress-milter.conf" >"$out" 2>&1
check "the shipped example configuration passes -t" [ $? -eq 0 ]

"$MILTER" -t -c "$TMPDIR_TEST/none.conf" >"$out" 2>&1
check "-t on a missing file exits 1" [ $? -eq 1 ]
check_contains "-t names the missing file" "$out" "none.conf:0: cannot open"

"$MILTER" --check -c "$TMPDIR_TEST/good.conf" >"$out" 2>&1
check "--check with no DNS server answering exits 3 (UNKNOWN)" [ $? -eq 3 ]
check_contains "--check says UNKNOWN on its first line" "$out" "EGRESS UNKNOWN"

"$MILTER" --check --json -c "$TMPDIR_TEST/f.conf" >"$out" 2>&1
check "--check on a bad configuration exits 3 (UNKNOWN)" [ $? -eq 3 ]

"$MILTER" -c "$TMPDIR_TEST/f.conf" -f >"$out" 2>&1
check "a bad file stops the milter from starting (exit 1)" [ $? -eq 1 ]
check_contains "refusing to start names the line" "$out" "f.conf:3:"
exit $TEST_FAILED
