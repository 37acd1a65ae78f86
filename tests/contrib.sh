# contrib.sh - the files an administrator copies from contrib/ do what
# the README says: the example configurations pass -t (the one installed
# has every key of the key table), and Postfix reads
# the route tables as intended (postmap -q against a private config dir).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
out=$TMPDIR_TEST/out

for f in contrib/egress-milter.conf contrib/postfix/egress-milter.conf.example; do
	"$MILTER" -t -c "$SRCDIR/$f" >"$out" 2>&1
	check "$f passes egress-milter -t" [ $? -eq 0 ]
done
check_contains "the Postfix example defines the backup egress" "$out" \
    "Egress backup 192.0.2.20 helo=mail2.example.com route=backup transport=smtp-backup"

# contrib/egress-milter.conf is installed as the configuration "with every
# key": each key of the key table (milter/conf_keys.c) is in it, set or
# commented out, and it names no key that does not exist.
sed -n '/^const struct conf_key conf_keys\[\] = {/,/^};/p' \
    "$SRCDIR/milter/conf_keys.c" |
    sed -n 's/^[[:space:]]*\({ *\|NUMBER(\)"\([A-Za-z]*\)".*/\2/p' |
    sort >"$TMPDIR_TEST/table"
sed -n 's/^#\{0,1\}\([A-Z][A-Za-z]*\)[[:space:]].*/\1/p' \
    "$SRCDIR/contrib/egress-milter.conf" | sort -u >"$TMPDIR_TEST/example"
check "the key table lists keys" [ "$(wc -l <"$TMPDIR_TEST/table")" -ge 20 ]
while read -r key; do
	check "contrib/egress-milter.conf has the key $key" \
	    grep -qx -- "$key" "$TMPDIR_TEST/example"
done <"$TMPDIR_TEST/table"
while read -r key; do
	check "contrib/egress-milter.conf's key $key is in the key table" \
	    grep -qx -- "$key" "$TMPDIR_TEST/table"
done <"$TMPDIR_TEST/example"

echo "compatibility_level = 3.6" >"$TMPDIR_TEST/main.cf"
q() { postmap -c "$TMPDIR_TEST" -q "$1" "regexp:$SRCDIR/contrib/postfix/$2" 2>&1; }
check "milter_header_checks: route backup becomes FILTER smtp-backup:" \
    [ "$(q 'X-Egress-Route: backup' egress_routes)" = "FILTER smtp-backup:" ]
check "milter_header_checks: route relay gives an explicit nexthop" \
    [ "$(q 'X-Egress-Route: relay' egress_routes)" = "FILTER smtp-relay:[relay.example.net]:587" ]
check "milter_header_checks: an unknown route changes nothing" \
    [ -z "$(q 'X-Egress-Route: primary' egress_routes)" ]
check "smtp_header_checks: the route header is removed on the way out" \
    [ "$(q 'X-Egress-Route: backup' egress_strip)" = "IGNORE" ]
check "smtp_header_checks: the report header is removed on the way out" \
    [ "$(q 'X-Egress-Report: action=tag' egress_strip)" = "IGNORE" ]
unit=$BUILDDIR/contrib/systemd/egress-milter.service
check "the systemd unit is built" [ -f "$unit" ]
check_contains "the unit starts the installed milter in the foreground" "$unit" "/egress-milter -f"
for key in User=egress-milter RuntimeDirectory=egress-milter NoNewPrivileges=yes \
    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes ReadWritePaths=/run/egress-milter \
    'ExecReload=/bin/kill -HUP'; do
	check_contains "the unit sets $key" "$unit" "$key"
done
substituted() { ! grep -q '@[A-Z]*@' "$1"; }
check "the unit has no unsubstituted @VARIABLES@" substituted "$unit"

for page in egress-milter.8 egress-milter.conf.5; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$SRCDIR/man/$page" \
	    >/dev/null 2>"$out"
	check "man page $page renders without warnings" [ ! -s "$out" ]
done
exit $TEST_FAILED
