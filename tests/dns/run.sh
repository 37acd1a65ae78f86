# run.sh PROGRAM - runs one DNS test (tests/dns/NAME.c, built as
# tests/dns/NAME) against the tests' own DNS: NSD serving every zone of
# tests/fixtures/zones on a loopback port (DNS_PORT), and what the
# program's scenario line asks for, read from its source:
#
#   * scenario: servfail refused truncated wrongid slow-spf dead dkim-key
#
# servfail, refused, truncated, wrongid, slow-spf: an ldns-testns server
# answering from tests/fixtures/faults/NAME.data, its port in
# SERVFAIL_PORT, REFUSED_PORT, TRUNCATED_PORT, WRONGID_PORT, SLOW_PORT;
# dead: DEAD_PORT, a port where nothing answers; dkim-key: DKIM_KEY and
# DKIM_WEAK_KEY (512 bits), the private keys whose public halves
# tests/fixtures/zones/dkim.test.zone has.
# Nothing else is started and no query leaves the machine.
set -u
. "$SRCDIR/tests/lib.sh"
name=$(basename "$1")
source_file="$SRCDIR/tests/dns/$name.c"
[ -f "$source_file" ] || { fail "no source $source_file for $1"; exit 1; }
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
scenario=$(sed -n 's/^ \* scenario:\(.*\)$/\1/p' "$source_file" | head -1)
for what in $scenario; do
	case "$what" in
	servfail|refused|truncated|wrongid|slow-spf)
		testns_start "$what.data" || exit 1
		var=$(echo "$what" | sed 's/-spf$//' | tr 'a-z' 'A-Z')_PORT
		export "$var=$TESTNS_PORT" ;;
	dead) DEAD_PORT=$(dead_port); export DEAD_PORT ;;
	dkim-key) DKIM_KEY="$SRCDIR/tests/fixtures/dkim-test.private"
		DKIM_WEAK_KEY="$SRCDIR/tests/fixtures/dkim-weak.private"
		export DKIM_KEY DKIM_WEAK_KEY ;;
	*) fail "$name: unknown scenario word \"$what\""; exit 1 ;;
	esac
done
"$1"
