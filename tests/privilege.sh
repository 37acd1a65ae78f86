# privilege.sh - as root: no start without UserID unless AllowRoot yes
# (said on stderr and in the log), and a pid file is never written
# through a symlink planted at its path; with UserID, the control socket
# is made while still root (in a directory only root can write, or one
# that is missing and gets created), owned by that user, mode 0600, and
# --status reaches it.
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

# ControlSocket with UserID: in a directory only root can write, and in
# one that does not exist yet.
# (like /run/egress-milter outside systemd: /run is there, not its
# subdirectory).
mkdir -m 755 "$TMPDIR_TEST/rootonly" "$TMPDIR_TEST/run2"
for where in rootonly run2/egress-milter; do
	ctl=$TMPDIR_TEST/$where/control
	write_conf "UserID nobody" "ControlSocket unix:$ctl" >"$TMPDIR_TEST/ctl.conf"
	start_milter "$TMPDIR_TEST/ctl.log" -c "$TMPDIR_TEST/ctl.conf" -p "inet:$port@127.0.0.1"
	check "$where: UserID nobody: the milter runs" wait_for_tcp "$port"
	check "$where: the control socket exists" [ -S "$ctl" ]
	check "$where: it belongs to the daemon's user" [ "$(stat -c %U "$ctl" 2>/dev/null)" = nobody ]
	check "$where: mode 0600" [ "$(stat -c %a "$ctl" 2>/dev/null)" = 600 ]
	"$MILTER" --status -c "$TMPDIR_TEST/ctl.conf" >"$TMPDIR_TEST/ctl.status" 2>&1
	check_contains "$where: --status gets the daemon's answer" "$TMPDIR_TEST/ctl.status" \
	    "(daemon pid $MILTER_PID)"
	check "$where: no warning about the control socket" \
	    sh -c "! grep -q 'ControlSocket' '$TMPDIR_TEST/ctl.log'"
	stop_milter
done
check "the missing directory was created, owned by the daemon's user" \
    [ "$(stat -c %U "$TMPDIR_TEST/run2/egress-milter" 2>/dev/null)" = nobody ]
check "... and the socket in it is removed at exit" [ ! -e "$ctl" ]
# In root's directory the daemon's user cannot remove it: the next start
# replaces the socket of the dead daemon.
ctl=$TMPDIR_TEST/rootonly/control
write_conf "UserID nobody" "ControlSocket unix:$ctl" >"$TMPDIR_TEST/ctl.conf"
start_milter "$TMPDIR_TEST/ctl2.log" -c "$TMPDIR_TEST/ctl.conf" -p "inet:$port@127.0.0.1"
check "a restart with the old socket left in root's directory" wait_for_tcp "$port"
"$MILTER" --status -c "$TMPDIR_TEST/ctl.conf" >"$TMPDIR_TEST/ctl.status" 2>&1
check_contains "... --status reaches the new daemon" "$TMPDIR_TEST/ctl.status" \
    "(daemon pid $MILTER_PID)"
stop_milter
exit $TEST_FAILED
