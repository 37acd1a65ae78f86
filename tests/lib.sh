# lib.sh - shell helpers for the tests: assertions that print one
# "PASS:"/"FAIL:" line each (tests/run-tests counts them), free ports,
# and starting/stopping the milter.
#
# Expects: SRCDIR (the source tree) and BUILDDIR (the build tree).

: "${SRCDIR:?}" "${BUILDDIR:?}"
# Documentation addresses count as public in tests (milter/util/netclass.c).
export EGRESS_MILTER_DOCUMENTATION_PUBLIC=1
MILTER="$BUILDDIR/milter/egress-milter"
FREEPORT="$BUILDDIR/tests/tools/freeport"
MILTERCLIENT="$BUILDDIR/tests/tools/milterclient"
TEST_FAILED=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; TEST_FAILED=1; }

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name=$1; shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# check_contains NAME FILE TEXT: passes when FILE contains TEXT.
check_contains() {
	if grep -qF -- "$3" "$2"; then pass "$1"
	else fail "$1 (expected \"$3\" in $2:)"; sed 's/^/#   /' "$2" | head -20; fi
}

# jq_is NAME FILTER VALUE: passes when jq FILTER, run on
# $TMPDIR_TEST/out.json, prints VALUE (compact).
jq_is() {
	local got
	got=$(jq -c "$2" "$TMPDIR_TEST/out.json" 2>&1)
	if [ "$got" = "$3" ]; then pass "$1"
	else fail "$1 (jq '$2' gave $got, expected $3)"; fi
}

# wait_for_tcp PORT [TENTHS]: waits until 127.0.0.1:PORT accepts.
wait_for_tcp() {
	local i
	for i in $(seq "${2:-50}"); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_for FILE TEXT [TENTHS]: waits (default 15 s) until FILE has TEXT.
wait_for() {
	local i
	for i in $(seq "${3:-150}"); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_milter LOGFILE ARGS...: starts the milter in the foreground, in
# the background of this shell; sets MILTER_PID. The tests run as root:
# a -c file that sets neither UserID nor AllowRoot gets "AllowRoot yes"
# (the milter refuses root without UserID unless told; daemon.sh checks).
start_milter() {
	local log=$1; shift
	allow_root_for_tests "$@"
	state_none_for_tests "$@"
	"$MILTER" -f "$@" >"$log" 2>&1 &
	MILTER_PID=$!
}

# allow_root_for_tests ARGS...: appends "AllowRoot yes" to the -c file
# in ARGS when run as root and the file has neither UserID nor AllowRoot.
allow_root_for_tests() {
	local conf=
	while [ $# -gt 0 ]; do
		[ "$1" = -c ] && [ $# -gt 1 ] && conf=$2
		shift
	done
	[ "$(id -u)" -eq 0 ] && [ -n "$conf" ] && [ -f "$conf" ] || return 0
	grep -qiE '^[[:space:]]*(UserID|AllowRoot)[[:space:]]' "$conf" ||
	    echo "AllowRoot yes" >>"$conf"
}

# state_none_for_tests ARGS...: appends "StateFile none" to the -c file
# in ARGS when it has no StateFile: tests share no learned refusals
# through the default state file (daemon/state.sh sets its own).
state_none_for_tests() {
	local conf=
	while [ $# -gt 0 ]; do
		[ "$1" = -c ] && [ $# -gt 1 ] && conf=$2
		shift
	done
	[ -n "$conf" ] && [ -f "$conf" ] || return 0
	grep -qiE '^[[:space:]]*StateFile[[:space:]]' "$conf" ||
	    echo "StateFile none" >>"$conf"
}

# offline_conf DEAD-PORT: the lines of a milter that never gets a DNS
# answer (its one nameserver, 127.0.0.1:DEAD-PORT, never answers; no
# DNSBL; one try of 1 s) with one egress, for tests of the process itself.
offline_conf() {
	cat <<CONF
Syslog no
Nameservers 127.0.0.1:$1
DNSTimeout 1
DNSTries 1
Dnsbl none
Egress primary 192.0.2.10
CONF
}

# start_case NAME CONFIG-LINES...: a milter with "Syslog no", the tests'
# NSD as Nameservers (DNS_PORT), DNSTimeout 1 and those lines, on a free
# port (sets PORT); its log is $TMPDIR_TEST/NAME.log.
start_case() {
	local name=$1 conf=$TMPDIR_TEST/$1.conf
	shift
	PORT=$("$FREEPORT")
	{
		echo "Syslog no"
		echo "Nameservers 127.0.0.1:${DNS_PORT:?}"
		echo "DNSTimeout 1"
		printf '%s\n' "$@"
	} >"$conf"
	start_milter "$TMPDIR_TEST/$name.log" -c "$conf" -p "inet:$PORT@127.0.0.1"
	wait_for_tcp "$PORT" || fail "$name: the milter starts"
}

# stop_milter: SIGTERM, then waits up to 2 s (MILTER_STOP_TENTHS tenths:
# slower builds, make tsan); returns the exit status,
# or 124 when it had to be killed.
stop_milter() {
	local i
	[ -n "${MILTER_PID:-}" ] || return 0
	kill -TERM "$MILTER_PID" 2>/dev/null
	for i in $(seq "${MILTER_STOP_TENTHS:-20}"); do
		if ! kill -0 "$MILTER_PID" 2>/dev/null; then
			wait "$MILTER_PID"; local rc=$?
			MILTER_PID=
			return $rc
		fi
		sleep 0.1
	done
	kill -KILL "$MILTER_PID" 2>/dev/null
	wait "$MILTER_PID" 2>/dev/null
	MILTER_PID=
	return 124
}

# wait_log TEXT SECONDS: until the file $log holds TEXT (SECONDS at most).
wait_log() {
	local i
	for i in $(seq $(($2 * 10))); do
		grep -qF -- "$1" "$log" && return 0
		sleep 0.1
	done
	return 1
}

# send_one PORT FROM EXPECT [REASON]: one message from FROM through
# miltertest (tests/milter/one.lua) to the milter on 127.0.0.1:PORT;
# EXPECT is accept, reply (a reply code, such as a 451) or hold (held
# with the quarantine reason REASON).
send_one() {
	local out
	out=$(mktemp /tmp/em-send.XXXXXX)
	miltertest -D socket="inet:$1@127.0.0.1" -D lib="$SRCDIR/tests/milter/lib.lua" \
	    -D from="$2" -D expect="$3" -D reason="${4:-}" \
	    -s "$SRCDIR/tests/milter/one.lua" >"$out" 2>&1
	local rc=$?
	cat "$out"
	rm -f "$out"
	check "the miltertest session completes" [ $rc -eq 0 ]
}

# milter NAME CONFIG-LINES...: (re)starts the milter on
# inet:$MPORT@127.0.0.1 with the tests' NSD (DNS_PORT), Dnsbl bl.test and
# those lines in $TMPDIR_TEST/NAME.conf; its log is MLOG
# ($TMPDIR_TEST/NAME.milter.log). For the tests with a real MTA.
milter() {
	local name=$1; shift
	stop_milter
	{
		echo "Syslog no"
		echo "Nameservers 127.0.0.1:$DNS_PORT"
		echo "Dnsbl bl.test"
		printf '%s\n' "$@"
	} >"$TMPDIR_TEST/$name.conf"
	MLOG=$TMPDIR_TEST/$name.milter.log
	start_milter "$MLOG" -c "$TMPDIR_TEST/$name.conf" -p "inet:$MPORT@127.0.0.1"
	wait_for_tcp "$MPORT" || fail "$name: the milter starts"
}

# require_root WHAT: a FAIL line and exit unless run as root.
require_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	fail "$(basename "$0") runs as root ($1)"
	exit 1
}

# at_exit COMMAND: runs COMMAND when the script exits (last added, first
# run); every server a test starts is stopped this way.
AT_EXIT_COMMANDS=
at_exit() {
	AT_EXIT_COMMANDS="$1; $AT_EXIT_COMMANDS"
	trap 'eval "$AT_EXIT_COMMANDS"' EXIT
}

# make_tmpdir: a private directory (mode 0755, so unprivileged servers
# can read it) removed when the script exits; sets TMPDIR_TEST.
make_tmpdir() {
	TMPDIR_TEST=$(mktemp -d /tmp/em-test.XXXXXX)
	chmod 755 "$TMPDIR_TEST"
	at_exit 'rm -rf "$TMPDIR_TEST"'
	at_exit 'stop_milter >/dev/null 2>&1'
}
