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
# key": each key of the key table (milter/conf/conf_keys.c) is in it, set or
# commented out, and it names no key that does not exist.
sed -n '/^const struct conf_key conf_keys\[\] = {/,/^};/p' \
    "$SRCDIR/milter/conf/conf_keys.c" |
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
# Every shipped example through -t with its Postfix side (PostfixConfig):
# Debian's stock master.cf as shipped with the contrib excerpts pasted as
# their comments say, main.cf with the contrib lines.
. "$SRCDIR/tests/tools/postfix.sh"
C=$SRCDIR/contrib/postfix
# pf_dir NAME MAIN-EXCERPT MASTER-EXCERPT: a Postfix config directory.
pf_dir() {
	PF=$TMPDIR_TEST/$1
	mkdir -p "$PF"
	{ postfix_private_main "$TMPDIR_TEST/spool"; sed "s|/etc/postfix|$PF|g" "$C/$2"; } >"$PF/main.cf"
	cat "$SRCDIR/tests/fixtures/postfix/master.cf.debian" "$C/$3" >"$PF/master.cf"
	cp "$C/egress_routes" "$C/egress_strip" "$PF/"
}
# unique_services DIR: no "name type" twice in DIR/master.cf.
unique_services() {
	[ -z "$(postconf -c "$1" -M 2>/dev/null | awk '{ print $1, $2 }' | sort | uniq -d)" ]
}
pf_dir header main.cf.example master.cf.example
{ cat "$C/egress-milter.conf.example"; echo "PostfixConfig $PF"; } >"$TMPDIR_TEST/header.conf"
"$MILTER" -t -c "$TMPDIR_TEST/header.conf" >"$out" 2>&1
check "header mode: egress-milter.conf.example, main.cf.example, master.cf.example and egress_routes pass -t" [ $? -eq 0 ]
grep ':[0-9]*: ' "$out" | sed 's/^/#   /'
check "header mode: master.cf.example pasted defines no service twice" unique_services "$PF"
check "main.cf.example leaves milter_content_timeout above MilterTimeout (120 s)" \
    [ "$(postconf -c "$PF" -h milter_content_timeout | tr -d s)" -gt 120 ]

pf_dir map main.cf.routing master.cf.routing
check "map mode: master.cf.routing pasted defines no service twice" unique_services "$PF"
# The postconf commands its comments give, with this directory.
sed -n "s/^#[[:space:]]*postconf -P '\(.*\)'$/\1/p" "$C/master.cf.routing" >"$TMPDIR_TEST/cmds"
check "master.cf.routing gives a postconf -P command" [ -s "$TMPDIR_TEST/cmds" ]
while read -r arg; do postconf -c "$PF" -P "$arg"; done <"$TMPDIR_TEST/cmds"
check "map mode: Debian's master.cf has the retry service already" \
    sh -c "postconf -c '$PF' -M retry/unix | grep -q error"
{ sed 's/^#MapSocket/MapSocket/' "$C/egress-milter.conf.example"; echo "PostfixConfig $PF"; } >"$TMPDIR_TEST/map.conf"
"$MILTER" -t -c "$TMPDIR_TEST/map.conf" >"$out" 2>&1
check "map mode: egress-milter.conf.example with MapSocket, main.cf.routing and master.cf.routing pass -t" [ $? -eq 0 ]
grep ':[0-9]*: ' "$out" | sed 's/^/#   /'
check "map mode: still no service twice" unique_services "$PF"
conf_default=$BUILDDIR/contrib/egress-milter.conf.default
"$MILTER" -t -c "$conf_default" >"$out" 2>&1
check "the installed default configuration (every key commented out) passes -t" [ $? -eq 0 ]

unit=$BUILDDIR/contrib/systemd/egress-milter.service
check "the systemd unit is built" [ -f "$unit" ]
check_contains "the unit starts the installed milter in the foreground" "$unit" "/egress-milter -f"
for key in User=egress-milter RuntimeDirectory=egress-milter StateDirectory=egress-milter NoNewPrivileges=yes \
    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes ReadWritePaths=/run/egress-milter \
    'ExecReload=/bin/kill -HUP'; do
	check_contains "the unit sets $key" "$unit" "$key"
done
# systemd-analyze rates the unit's hardening (offline: no systemd needed).
if command -v systemd-analyze >/dev/null; then
	systemd-analyze security --offline=true "$unit" >"$out" 2>&1
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$out")
	check "systemd-analyze security rates the unit OK, below 2.0 (got ${level:-nothing})" \
	    awk -v l="${level:-99}" 'BEGIN { exit !(l < 2.0) }'
else
	fail "systemd-analyze is installed"
fi
substituted() { ! grep -q '@[A-Z]*@' "$1"; }
check "the unit has no unsubstituted @VARIABLES@" substituted "$unit"

for page in egress-milter.8 egress-milter.conf.5; do
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$SRCDIR/man/$page" \
	    >/dev/null 2>"$out"
	check "man page $page renders without warnings" [ ! -s "$out" ]
done
exit $TEST_FAILED
