# layering.sh - the project's own rules, checked on its sources: all DNS
# goes through dns/resolver.c, only mta/milter.c and main.c touch
# libmilter, only health/fleet.c talks to Redis (hiredis), and every
# module starts with the comment that says what it
# does. The layer order and the header rule: tests/lint/house.sh.
set -u
. "$SRCDIR/tests/lib.sh"
cd "$SRCDIR/milter" || exit 1
sources=$(find . -name '*.c' | sed 's|^\./||' | sort)

found=$(grep -lE '\b(res_query|res_search|res_nquery|res_init|gethostbyname|gethostbyaddr|getaddrinfo|getnameinfo|ldns_resolver_send|ldns_resolver_query|ldns_resolver_search)\b' $sources | grep -v '^dns/resolver\.c$')
check "no DNS API outside dns/resolver.c (found: ${found:-none})" [ -z "$found" ]
found=$(grep -l 'ldns/ldns.h' $sources | grep -v '^dns/resolver\.c$')
check "only dns/resolver.c includes ldns (found: ${found:-none})" [ -z "$found" ]
found=$(grep -l 'libmilter/mfapi.h' $sources | grep -vE '^(mta/milter|main)\.c$')
check "only mta/milter.c and main.c use libmilter (found: ${found:-none})" [ -z "$found" ]
found=$(grep -lE '#include <hiredis|\b(redis[A-Z][A-Za-z]*|freeReplyObject)\(' $sources | grep -v '^health/fleet\.c$')
check "only health/fleet.c uses hiredis (found: ${found:-none})" [ -z "$found" ]
missing=
for f in $(find . -name '*.[ch]' | sed 's|^\./||' | sort); do
	head -3 "$f" | grep -q "^ \* $(basename "$f" | sed 's/\./\\./') - " ||
	    missing="$missing $f"
done
check "every module opens with its name and what it does (missing:${missing:- none})" [ -z "$missing" ]
exit $TEST_FAILED
