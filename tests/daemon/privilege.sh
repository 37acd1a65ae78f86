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
# The user the built-in defaults run as, and the refusal names.
default_user=nobody
getent passwd egress-milter >/dev/null && default_user=egress-milter
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
check_contains "the refusal is logged (on stderr at start-up) with what to add to the file" \
    "$TMPDIR_TEST/root.err" \
    "egress-milter: error: not starting as root without UserID: add \"UserID $default_user\" (the milter's own user) to $TMPDIR_TEST/root.conf, or \"AllowRoot yes\" to run as root"
check "the refusal is printed once" [ "$(grep -c 'not starting as root' "$TMPDIR_TEST/root.err")" -eq 1 ]
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

# The README's first command as root: no configuration file, the
# built-in defaults. They run as an unprivileged user (egress-milter when
# that user exists, else nobody). In a mount namespace: /run is a tmpfs
# (the default ControlSocket's directory is made there) and resolv.conf
# names a loopback address where nothing answers (no query leaves).
printf 'nameserver 127.0.0.9\noptions timeout:1 attempts:1\n' >"$TMPDIR_TEST/resolv.conf"
default_conf=$("$MILTER" -h | sed -n 's/.*(default \(\/[^;]*\);.*/\1/p')
check "the default configuration file ($default_conf) is absent, as on a fresh machine" \
    [ -n "$default_conf" -a ! -e "$default_conf" ]
(cd "$TMPDIR_TEST" && unshare -m sh -c \
    'mount --bind "$1" /etc/resolv.conf && mount -t tmpfs tmpfs /run && shift && exec "$@"' \
    sh "$TMPDIR_TEST/resolv.conf" timeout 5 "$MILTER" -f -p "inet:$port@127.0.0.1") >"$TMPDIR_TEST/builtin.out" 2>&1 &
bg=$!
check "root, built-in defaults: the milter starts" wait_for_tcp "$port"
pid=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)
check "root, built-in defaults: it runs as $default_user" \
    [ "$(ps -o user= -p "${pid:-0}" 2>/dev/null | tr -d ' ')" = "$default_user" ]
wait $bg
check_contains "root, built-in defaults: it says so" "$TMPDIR_TEST/builtin.out" \
    "notice: root with the built-in defaults: running as user $default_user (set UserID in a configuration file to choose)"
check_contains "root, built-in defaults: and where to look next" "$TMPDIR_TEST/builtin.out" \
    "prints these defaults as one to start from; \"egress-milter --status\" asks this daemon"
check "root, built-in defaults: no refusal" sh -c "! grep -q 'not starting as root' '$TMPDIR_TEST/builtin.out'"

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
	# The TCP socket listens a moment before the control socket is made.
	for i in $(seq 50); do [ -S "$ctl" ] && break; sleep 0.1; done
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
wait_log_file() { for i in $(seq 50); do grep -q "$1" "$2" && return 0; sleep 0.1; done; return 1; }
wait_log_file "control socket unix:$ctl" "$TMPDIR_TEST/ctl2.log"
"$MILTER" --status -c "$TMPDIR_TEST/ctl.conf" >"$TMPDIR_TEST/ctl.status" 2>&1
check_contains "... --status reaches the new daemon" "$TMPDIR_TEST/ctl.status" \
    "(daemon pid $MILTER_PID)"
stop_milter
exit $TEST_FAILED
