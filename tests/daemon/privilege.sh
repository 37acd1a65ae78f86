# privilege.sh - as root: no start without UserID unless AllowRoot yes
# (said on stderr and in the log), and a pid file is never written
# through a symlink planted at its path.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
require_root "it checks what root may do"
dead=$("$FREEPORT" -u)
write_conf() {
	offline_conf "$dead"
	printf '%s\n' "$@"
}

port=$("$FREEPORT")
write_conf >"$TMPDIR_TEST/root.conf"
timeout 10 "$MILTER" -f -c "$TMPDIR_TEST/root.conf" -p "inet:$port@127.0.0.1" \
    >"$TMPDIR_TEST/root.out" 2>"$TMPDIR_TEST/root.err"
rc=$?
check "root without UserID or AllowRoot: refuses to start (exit 1, got $rc)" [ $rc -eq 1 ]
check_contains "the refusal is on stderr" "$TMPDIR_TEST/root.err" \
    "egress-milter: not starting as root without UserID"
check_contains "the refusal is logged too" "$TMPDIR_TEST/root.err" \
    "egress-milter: error: not starting as root without UserID: set UserID"
if wait_for_tcp "$port" 3; then fail "nothing listens after the refusal"
else pass "nothing listens after the refusal"; fi

mkdir "$TMPDIR_TEST/run"
echo precious >"$TMPDIR_TEST/victim"
ln -s "$TMPDIR_TEST/victim" "$TMPDIR_TEST/run/em.pid"
write_conf "AllowRoot yes" "PidFile $TMPDIR_TEST/run/em.pid" >"$TMPDIR_TEST/allow.conf"
start_milter "$TMPDIR_TEST/allow.log" -c "$TMPDIR_TEST/allow.conf" -p "inet:$port@127.0.0.1"
check "AllowRoot yes: root may run it" wait_for_tcp "$port"
check "the planted symlink's target is untouched" \
    [ "$(cat "$TMPDIR_TEST/victim")" = precious ]
check "the pid file is a regular file now, not the symlink" \
    [ -f "$TMPDIR_TEST/run/em.pid" ] && [ ! -L "$TMPDIR_TEST/run/em.pid" ]
check "the pid file holds the milter's pid" \
    [ "$(cat "$TMPDIR_TEST/run/em.pid" 2>/dev/null)" = "$MILTER_PID" ]
stop_milter
check "it stops cleanly" [ $? -eq 0 ]
exit $TEST_FAILED
