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

# -p is checked as the Socket key is: no socket named "bogus" in the
# working directory, no port 99999 (that would listen on 34463).
{ cat "$TMPDIR_TEST/good.conf"; echo "AllowRoot yes"; } >"$TMPDIR_TEST/p.conf"
mkdir "$TMPDIR_TEST/cwd"
(cd "$TMPDIR_TEST/cwd" && timeout 5 "$MILTER" -f -c "$TMPDIR_TEST/p.conf" -p bogus) >"$out" 2>&1
check "-p bogus: refused, exit 1" [ $? -eq 1 ]
check_contains "-p bogus: says what a socket looks like" "$out" \
    "egress-milter: -p bogus: expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST"
check "-p bogus: no socket file in the working directory" [ ! -e "$TMPDIR_TEST/cwd/bogus" ]
timeout 5 "$MILTER" -f -c "$TMPDIR_TEST/p.conf" -p inet:99999@127.0.0.1 >"$out" 2>&1
check "-p inet:99999@...: refused, exit 1" [ $? -eq 1 ]
check_contains "-p inet:99999@...: names the port range" "$out" \
    "port must be a number from 1 to 65535"
"$MILTER" -t -c "$TMPDIR_TEST/good.conf" -p local:relative >"$out" 2>&1
check "-p with a relative unix path: refused, exit 1" [ $? -eq 1 ]

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
