# daemon.sh - the daemon's life cycle as root: it writes its pid file,
# hands its unix socket to UserID (with UMask), runs as that user, and
# still stops cleanly on SIGTERM.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
require_root "it checks the change to UserID"
dead=$("$FREEPORT" -u)
mkdir -p "$TMPDIR_TEST/run"
chmod 777 "$TMPDIR_TEST/run"
sock="$TMPDIR_TEST/run/em.sock"
{
	echo "Socket unix:$sock"
	offline_conf "$dead"
	echo "UserID nobody"
	echo "PidFile $TMPDIR_TEST/run/em.pid"
	echo "UMask 007"
} >"$TMPDIR_TEST/em.conf"
start_milter "$TMPDIR_TEST/log" -c "$TMPDIR_TEST/em.conf"
for i in $(seq 50); do [ -S "$sock" ] && [ -s "$TMPDIR_TEST/run/em.pid" ] && break; sleep 0.1; done
check "the unix socket exists" [ -S "$sock" ]
check "the pid file holds the milter's pid" [ "$(cat "$TMPDIR_TEST/run/em.pid" 2>/dev/null)" = "$MILTER_PID" ]
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$MILTER_PID/status" 2>/dev/null)
check "the milter runs as UserID nobody (uid $uid)" [ "$uid" = "$(id -u nobody)" ]
check "the socket belongs to UserID" [ "$(stat -c %U "$sock")" = nobody ]
check "UMask 007: the socket is not open to others" [ "$(( $(stat -c %a "$sock") % 10 ))" -eq 0 ]
check_contains "the change of user is logged" "$TMPDIR_TEST/log" "running as user nobody"
stop_milter
check "SIGTERM as UserID: exit status 0" [ $? -eq 0 ]
exit $TEST_FAILED
