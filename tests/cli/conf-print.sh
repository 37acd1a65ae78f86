# conf-print.sh - "egress-milter -t" prints the whole effective
# configuration as a file: every key of the key table (read from
# milter/conf/conf_keys.c at run time) as "Key value" or, without a value,
# "#Key"; each after "# FILE:LINE" or "# default"; the output less its
# '#' lines reads back as a file whose -t output is the same; and it
# names the file it read, or the one it looked for.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
T=$TMPDIR_TEST
printf 'example.test primary\n.example.test backup\n' >"$T/map"
cat >"$T/em.conf" <<CONF
# every kind of value, with the lines the sources must name
Socket unix:$T/em.sock
Nameservers 127.0.0.1:5353 [::1]:5354 192.0.2.53
DNSTimeout 3
Egress primary 192.0.2.10 helo=mail.example.test
Egress backup 2001:db8::20 helo=mail2.example.test route=spare transport=smtp-backup
Dnsbl bl.test codes=127.0.0.2-127.0.0.11,127.0.0.20 weight=2
Dnsbl any.test
DnsblThreshold 2
DomainBl dbl.test codes=127.0.1.2
On listed tempfail
On spf-softfail quarantine
Fallback accept
RouteHeader X-Other-Route
ReportHeader yes
EgressMap $T/map
Syslog no
SyslogFacility local3
LogLevel debug
UserID nobody
PidFile $T/em.pid
UMask 027
CONF
"$MILTER" -t -c "$T/em.conf" >"$T/t1" 2>&1
check "-t on the file exits 0" [ $? -eq 0 ]
check "-t names the file it read on its first line" \
    grep -qx "# $T/em.conf: configuration OK (2 egresses)" "$T/t1"

sed -n '/^const struct conf_key conf_keys\[\] = {/,/^};/p' "$SRCDIR/milter/conf/conf_keys.c" |
    sed -n 's/^[[:space:]]*\({ *\|NUMBER(\)"\([A-Za-z]*\)".*/\2/p' >"$T/keys"
check "the key table lists keys" [ "$(wc -l <"$T/keys")" -ge 20 ]
while read -r key; do
	check "-t prints $key" grep -Eq "^#?$key( |\$)" "$T/t1"
done <"$T/keys"

# Every non-comment line follows its source line.
awk 'prev !~ /^# ([^ ]*:[0-9]+|default)( |$)/ && $0 !~ /^#/ { print NR": "$0 }
     { prev = $0 }' "$T/t1" >"$T/unsourced"
check "every printed value follows its # FILE:LINE or # default line" [ ! -s "$T/unsourced" ]
sed 's/^/#   /' "$T/unsourced" | head -5
source_of() { grep -B1 -x -- "$1" "$T/t1" | head -1; }
check "DNSTimeout comes from line 4" [ "$(source_of 'DNSTimeout 3')" = "# $T/em.conf:4" ]
check "DNSTries is a default" [ "$(source_of 'DNSTries 2')" = "# default" ]
check "On listed comes from line 11" [ "$(source_of 'On listed tempfail')" = "# $T/em.conf:11" ]
check "On no-ptr is a default" [ "$(source_of 'On no-ptr reroute')" = "# default" ]
check "the second egress comes from line 6" \
    [ "$(source_of 'Egress backup 2001:db8::20 helo=mail2.example.test route=spare transport=smtp-backup')" = "# $T/em.conf:6 (an egress)" ]
check_contains "codes= and weight= are printed as written" "$T/t1" \
    "Dnsbl bl.test codes=127.0.0.2-127.0.0.11,127.0.0.20 weight=2"
check_contains "nameservers with their ports" "$T/t1" \
    "Nameservers 127.0.0.1:5353 [::1]:5354 192.0.2.53:53"
check_contains "UMask in octal" "$T/t1" "UMask 027"

# Read back: the output less its comments is a file with the same result.
grep -v '^#' "$T/t1" >"$T/back.conf"
"$MILTER" -t -c "$T/back.conf" >"$T/t2" 2>&1
check "the -t output, less comments, passes -t" [ $? -eq 0 ]
grep -v '^#' "$T/t2" >"$T/t2.values"
check "read back, it gives the same -t output" cmp -s "$T/back.conf" "$T/t2.values"
diff "$T/back.conf" "$T/t2.values" | head -10 | sed 's/^/#   /'

# The built-in defaults the same way, and the file -t looked for.
conf=$("$MILTER" -h | sed -n 's/.*(default \(.*\);$/\1/p')
check "-h names the default configuration file" [ -n "$conf" ]
"$MILTER" -t >"$T/d1" 2>&1
check "-t without -c exits 0" [ $? -eq 0 ]
check "-t without -c names $conf" grep -Eq "^# $conf(: configuration OK| does not exist: the built-in defaults)" "$T/d1"
grep -v '^#' "$T/d1" >"$T/dback.conf"
"$MILTER" -t -c "$T/dback.conf" 2>&1 | grep -v '^#' >"$T/d2.values"
check "the defaults read back give the same -t output" cmp -s "$T/dback.conf" "$T/d2.values"
exit $TEST_FAILED
