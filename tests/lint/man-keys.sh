# man-keys.sh - egress-milter.conf(5) documents every key of the key
# table and no key that does not exist. Both lists are read at run time:
# the table from milter/conf/conf_keys.c (its { "Name", ... } and
# NUMBER("Name", ...) entries), the man page from the .TP entries of its
# KEYS section. Also: every egress transport of the Postfix example has
# its own syslog_name, so the mail log tells the egresses apart.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir

sed -n '/^const struct conf_key conf_keys\[\] = {/,/^};/p' \
    "$SRCDIR/milter/conf/conf_keys.c" |
    sed -n 's/^[[:space:]]*\({ *\|NUMBER(\)"\([A-Za-z]*\)".*/\2/p' |
    sort >"$TMPDIR_TEST/table"
sed -n '/^\.SH KEYS/,/^\.SH /p' "$SRCDIR/man/egress-milter.conf.5" |
    awk '/^\.TP/ { tp = 1; next } tp && /^\.B[IR]? / { print $2 } { tp = 0 }' |
    sed 's/"//g' | sort >"$TMPDIR_TEST/man"
check "the key table of conf_keys.c lists keys" [ "$(wc -l <"$TMPDIR_TEST/table")" -ge 20 ]
check "the KEYS section of egress-milter.conf(5) lists keys" [ "$(wc -l <"$TMPDIR_TEST/man")" -ge 20 ]
while read -r key; do
	check "egress-milter.conf(5) documents the key $key" \
	    grep -qx -- "$key" "$TMPDIR_TEST/man"
done <"$TMPDIR_TEST/table"
while read -r key; do
	check "egress-milter.conf(5) key $key is in the key table" \
	    grep -qx -- "$key" "$TMPDIR_TEST/table"
done <"$TMPDIR_TEST/man"

# Each "NAME unix ... smtp" service of master.cf.example carries
# -o syslog_name=postfix/NAME in its own -o lines.
awk '
/^[a-z][-a-z0-9]* +unix .* smtp$/ { if (svc != "") print svc, ok; svc = $1; ok = "no"; next }
/^[ \t]+-o / { if (svc != "" && $0 ~ "syslog_name=postfix/" svc "$") ok = "yes"; next }
{ if (svc != "") print svc, ok; svc = "" }
END { if (svc != "") print svc, ok }' "$SRCDIR/contrib/postfix/master.cf.example" \
    >"$TMPDIR_TEST/services"
check "master.cf.example has smtp transports" [ -s "$TMPDIR_TEST/services" ]
while read -r svc ok; do
	check "master.cf.example: $svc has -o syslog_name=postfix/$svc" [ "$ok" = yes ]
done <"$TMPDIR_TEST/services"
exit $TEST_FAILED
