# layering.sh - the project's own rules, checked on its sources: all DNS
# goes through resolver.c, only milter.c and main.c touch libmilter, and
# every module starts with the comment that says what it does.
set -u
. "$SRCDIR/tests/lib.sh"
cd "$SRCDIR/milter" || exit 1

found=$(grep -lE '\b(res_query|res_search|res_nquery|res_init|gethostbyname|gethostbyaddr|getaddrinfo|getnameinfo|ldns_resolver_send|ldns_resolver_query|ldns_resolver_search)\b' *.c | grep -v '^resolver\.c$')
check "no DNS API outside resolver.c (found: ${found:-none})" [ -z "$found" ]
found=$(grep -l 'ldns/ldns.h' *.c | grep -v '^resolver\.c$')
check "only resolver.c includes ldns (found: ${found:-none})" [ -z "$found" ]
found=$(grep -l 'libmilter/mfapi.h' *.c | grep -vE '^(milter|main)\.c$')
check "only milter.c and main.c use libmilter (found: ${found:-none})" [ -z "$found" ]
missing=
for f in *.c *.h; do
	head -3 "$f" | grep -q "^ \* $(basename "$f" | sed 's/\./\\./') - " ||
	    missing="$missing $f"
done
check "every module opens with its name and what it does (missing:${missing:- none})" [ -z "$missing" ]
exit $TEST_FAILED
