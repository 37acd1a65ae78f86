# nodelay.sh - the milter's TCP listening socket has TCP_NODELAY (inet
# and inet6), so the replies at end-of-message never wait for the MTA's
# delayed ACK (Nagle's algorithm; about 40 ms a message without it); a
# unix socket is left alone. Seen from the outside with strace.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
if ! command -v strace >/dev/null; then
	fail "strace is installed (contrib/install-deps.sh)"
	exit 1
fi
dead=$("$FREEPORT" -u)

# run_traced NAME SOCKET: starts the milter on SOCKET under strace, waits
# for "starting on", stops it; the trace is in $TMPDIR_TEST/NAME.trace.
run_traced() {
	local name=$1 socket=$2 tracer child i
	{
		echo "Socket $socket"
		offline_conf "$dead"
		echo "AllowRoot yes"
	} >"$TMPDIR_TEST/$name.conf"
	strace -f -qq -e trace=setsockopt -o "$TMPDIR_TEST/$name.trace" \
	    "$MILTER" -f -c "$TMPDIR_TEST/$name.conf" >"$TMPDIR_TEST/$name.log" 2>&1 &
	tracer=$!
	for i in $(seq 100); do
		grep -q "starting on" "$TMPDIR_TEST/$name.log" && break
		sleep 0.1
	done
	child=$(pgrep -P "$tracer" | head -n 1)
	[ -n "$child" ] && kill -TERM "$child"
	for i in $(seq 50); do kill -0 "$tracer" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$tracer" 2>/dev/null
	wait "$tracer" 2>/dev/null
	check_contains "$name: the milter started" "$TMPDIR_TEST/$name.log" "starting on"
}

port=$("$FREEPORT")
run_traced inet "inet:$port@127.0.0.1"
check_contains "inet: TCP_NODELAY is set on the listening socket" \
    "$TMPDIR_TEST/inet.trace" "TCP_NODELAY, [1]"
if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	port=$("$FREEPORT")
	run_traced inet6 "inet6:$port@::1"
	check_contains "inet6: TCP_NODELAY is set on the listening socket" \
	    "$TMPDIR_TEST/inet6.trace" "TCP_NODELAY, [1]"
else
	fail "inet6: the loopback interface has ::1"
fi
run_traced unix "unix:$TMPDIR_TEST/em.sock"
check "unix: no TCP option is set on a unix socket" \
    sh -c "! grep -q TCP_NODELAY '$TMPDIR_TEST/unix.trace'"
exit $TEST_FAILED
