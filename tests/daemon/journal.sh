# journal.sh - logging that fits systemd. Under a simulated journal
# stream (stderr is a file and JOURNAL_STREAM holds its device:inode, as
# systemd sets it) the milter in the foreground writes each line once,
# as "<N>text" with N its syslog priority, and not to syslog too;
# --log-to chooses by hand; without -f, start-up errors (a busy port, a
# bad socket path) are printed on stderr before the milter detaches, and
# a good start detaches only once it is ready; with nothing on /dev/log,
# a warning says syslog is unreachable and points to --log-to.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
T=$TMPDIR_TEST
dead=$("$FREEPORT" -u)
port=$("$FREEPORT")
printf 'Dnsbl none\nEgress primary 192.0.2.10 helo=mail.example.test\nNameservers 127.0.0.1:%s\nDNSTimeout 1\nAllowRoot yes\nControlSocket none\nStateFile none\n' \
    "$dead" >"$T/em.conf"
cp "$T/em.conf" "$T/base.conf"
echo "Socket inet:$port@127.0.0.1" >>"$T/em.conf"
log=$T/journal

# wait_log TEXT: waits up to 5 s for TEXT in the log.
wait_log() {
	for i in $(seq 50); do grep -qF -- "$1" "$log" && return 0; sleep 0.1; done
	return 1
}
: >"$log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$log") \
    "$MILTER" -f -c "$T/em.conf" 2>>"$log" >/dev/null &
MILTER_PID=$!
check "the milter starts under the journal stream" wait_log "starting on"
check_contains "it says it logs to the journal, not syslog" "$log" \
    "<6>logging to the journal (stderr with priorities), not syslog"
check_contains "the start is a notice: <5>" "$log" "<5>starting on inet:$port@127.0.0.1"
# A reload that changes Socket warns (<4>); a broken one is an error (<3>).
sed -i "s/^Socket .*/Socket inet:1@127.0.0.1/" "$T/em.conf"
kill -HUP "$MILTER_PID"
check "a warning is <4>" wait_log "<4>Socket changed to inet:1@127.0.0.1"
echo "Egres broken" >>"$T/em.conf"
kill -HUP "$MILTER_PID"
check "an error is <3>" wait_log "<3>configuration not reloaded"
stop_milter
check "the milter stops cleanly" [ $? -eq 0 ]
bad=$(grep -cv '^<[0-7]>' "$log")
check "every line carries its priority ($bad lines without)" [ "$bad" -eq 0 ]
[ "$bad" -eq 0 ] || grep -v '^<[0-7]>' "$log" | head -5 | sed 's/^/#   /'
check "each line once: one start line" [ "$(grep -c 'starting on' "$log")" -eq 1 ]
repeated=$(grep -v 're-reading' "$log" | sed 's/^<[0-7]>//' | sort | uniq -d)
check "each line once: no line repeated" [ -z "$repeated" ]
[ -z "$repeated" ] || printf '%s\n' "$repeated" | head -5 | sed 's/^/#   repeated: /'

# JOURNAL_STREAM naming another file is not the journal: plain lines.
cp "$T/base.conf" "$T/em.conf"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/em.conf") "$MILTER" -f -c "$T/em.conf" \
    -p "inet:$port@127.0.0.1" >"$T/plain" 2>&1 &
MILTER_PID=$!
log=$T/plain
check "with another file in JOURNAL_STREAM it starts" wait_log "starting on"
stop_milter
check_contains "... and writes plain lines" "$T/plain" "egress-milter: notice: starting on"

# Type=notify: READY=1 once it accepts connections, STOPPING=1 at the end.
"$BUILDDIR/tests/tools/notify_listen" "$T/notify" 5 >"$T/notified" &
listener=$!
for i in $(seq 20); do [ -S "$T/notify" ] && break; sleep 0.1; done
log=$T/notify.log
NOTIFY_SOCKET=$T/notify "$MILTER" -f -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$log" 2>&1 &
MILTER_PID=$!
for i in $(seq 50); do grep -q READY=1 "$T/notified" && break; sleep 0.1; done
check "NOTIFY_SOCKET gets READY=1" grep -qx "READY=1" "$T/notified"
check "... after the start line" grep -q "starting on" "$log"
stop_milter
for i in $(seq 20); do grep -q STOPPING=1 "$T/notified" && break; sleep 0.1; done
check "NOTIFY_SOCKET gets STOPPING=1 at the stop" grep -qx "STOPPING=1" "$T/notified"
kill "$listener" 2>/dev/null; wait "$listener" 2>/dev/null

# --log-to=journal by hand, and a bad --log-to.
log=$T/byhand
"$MILTER" -f --log-to=journal -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$log" 2>&1 &
MILTER_PID=$!
check "--log-to=journal writes <N> lines without JOURNAL_STREAM" wait_log "<5>starting on"
stop_milter
"$MILTER" -f --log-to=nowhere -c "$T/em.conf" >"$T/out" 2>&1
check "--log-to=nowhere is refused" [ $? -eq 1 ]
check_contains "... saying what is expected" "$T/out" "expected auto, syslog, stderr or journal"

# Without -f: start-up errors on stderr, before detaching.
"$MILTER" -f -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/holder" 2>&1 &
MILTER_PID=$!
log=$T/holder
wait_log "starting on"
"$MILTER" -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/busy" 2>&1
check "without -f a busy port exits 1" [ $? -eq 1 ]
check_contains "... and prints why on stderr" "$T/busy" "cannot open milter socket inet:$port@127.0.0.1"
stop_milter
"$MILTER" -c "$T/em.conf" -p "unix:$T/no/such/dir/em.sock" >"$T/badpath" 2>&1
check "without -f a bad socket path exits 1" [ $? -eq 1 ]
check_contains "... and prints why on stderr" "$T/badpath" "cannot open milter socket unix:$T/no/such/dir/em.sock"
printf 'PidFile %s/em.pid\n' "$T" >>"$T/em.conf"
"$MILTER" -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/good" 2>&1
check "without -f a good start exits 0 once the milter is ready" [ $? -eq 0 ]
pid=$(cat "$T/em.pid" 2>/dev/null)
check "the detached milter runs (pid file written before the parent exits)" kill -0 "${pid:-0}"
check "... and accepts connections" wait_for_tcp "$port" 20
check_contains "... its start-up was printed on the terminal" "$T/good" "starting on inet:$port@127.0.0.1"
[ -n "$pid" ] && kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "the detached milter stops on SIGTERM" eval '! kill -0 "$pid" 2>/dev/null'
# No syslog daemon: /dev/log missing, or (in a mount namespace of its
# own) an empty file bound over it, so that nothing answers there.
: >"$T/empty"
nolog() {
	if [ -e /dev/log ]; then
		unshare -m sh -c 'mount --bind "$1" /dev/log && shift && exec "$@"' \
		    sh "$T/empty" "$@"
	else
		"$@"
	fi
}
port=$("$FREEPORT")
nolog timeout 3 "$MILTER" -f -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/nolog" 2>&1
check_contains "no syslog daemon, -f: a warning says /dev/log is unreachable" "$T/nolog" \
    "warning: syslog is unreachable (/dev/log: "
check_contains "... and points to --log-to" "$T/nolog" "run with -f --log-to stderr"
port=$("$FREEPORT")
nolog "$MILTER" -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/nolog-bg" 2>&1
pid=$(cat "$T/em.pid" 2>/dev/null)
check_contains "no syslog daemon, detached: the terminal is told before it detaches" "$T/nolog-bg" \
    "everything logged after start-up is lost"
[ -n "$pid" ] && kill -TERM "$pid"
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
timeout 3 "$MILTER" -f --log-to stderr -c "$T/em.conf" -p "inet:$port@127.0.0.1" >"$T/stderr-only" 2>&1
check "--log-to stderr: no syslog warning" sh -c "! grep -q 'syslog is unreachable' '$T/stderr-only'"
exit $TEST_FAILED
