# daemon.sh - a private Sendmail daemon for tests/sendmail/milter.sh, as root
# but apart from the system: the binary and m4 files of the tree that
# contrib/install-test-sendmail.sh unpacked ($EM_SENDMAIL_ROOT), a .cf
# built from tests/fixtures/sendmail/test.mc, its queue, pid file, aliases, hosts
# and service switch under $TMPDIR_TEST/sendmail, listening on 127.0.0.1
# only and relaying all mail to an smtp-sink. Source it after
# tests/lib.sh.
#
# No DNS: Sendmail's own lookups go through its service switch ("hosts
# files", a private hosts file). Before it reads its .cf it resolves the
# host's name with the C library, so the daemon runs in a mount
# namespace (unshare -m) where /etc/hosts, /etc/nsswitch.conf ("hosts:
# files") and /etc/resolv.conf (127.0.0.1) are the test's files: no
# query can leave the machine. Sendmail looks for
# /etc/mail/service.switch before it reads its .cf: where /etc/mail
# exists, an empty directory is mounted on it in that namespace. The
# system's files are not changed.
#
# sendmail_require            a FAIL line and 1 unless run as root with
#                             the commands a daemon test needs.
# sendmail_start MILTER_PORT [ROUTE_SOCKET]
#                             sets SM_DIR, SM_PORT (SMTP), SM_SINK (the
#                             smtp-sink's port; messages land in
#                             $SM_DIR/sink), SM_PID; returns 1 with a
#                             FAIL line when the daemon does not start.
#                             What the daemon logs (syslog) is in
#                             $SM_DIR/maillog. With ROUTE_SOCKET the
#                             .cf has contrib/sendmail/egress-route.mc;
#                             with SM_BACKUP set (a port), the relay
#                             mailer delivers to 127.0.0.1 there;
#                             with SM_RELAY=1, the smart host is
#                             Sendmail's default: SMART_HOST
#                             `[127.0.0.1]', the relay mailer.
# sendmail_stop               stops the daemon, its children and the
#                             sink (also done at exit).
# sendmail_cf FILE PORT [R]   builds a .cf (R: with egress-route.mc).
# sendmail_send NAME FROM     one message (Subject NAME) from FROM to
#                             bob@example.net through the daemon's SMTP
#                             server; swaks' transcript in
#                             $TMPDIR_TEST/NAME.swaks.
# sendmail_in DIR SUBJECT     waits (15 s) for a message with SUBJECT
#                             in the sink directory DIR.
# sendmail_cmd ARGS...        runs the private tree's sendmail with the
#                             test's .cf (e.g. -bp -qQ, the mailq of the
#                             quarantine).

SM_ROOT=${EM_SENDMAIL_ROOT:-/usr/local/lib/egress-milter-test/sendmail}
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
SM_CF_DIR=$SM_ROOT/usr/share/sendmail/cf

# sendmail_cf FILE MILTER_PORT [ROUTE_SOCKET]: builds the test's .cf
# into FILE; with ROUTE_SOCKET, contrib/sendmail/egress-route.mc too.
sendmail_cf() {
	m4 -D_CF_DIR_="$SM_CF_DIR/" -DEM_DIR="$SM_DIR" -DEM_PORT="$SM_PORT" \
	    -DEM_SINK="$SM_SINK" -DEM_MILTER="$2" ${3:+-DEM_ROUTE="$3"} \
	    ${SM_BACKUP:+-DEM_BACKUP="$SM_BACKUP"} \
	    ${SM_RELAY:+-DEM_RELAY=1} \
	    -DEM_CONTRIB="$SRCDIR/contrib/sendmail" "$SM_CF_DIR/m4/cf.m4" \
	    "$SRCDIR/tests/fixtures/sendmail/test.mc" >"$1" 2>"$SM_DIR/m4.log" &&
	    [ ! -s "$SM_DIR/m4.log" ]
}

# sendmail_files MILTER_PORT [ROUTE_SOCKET]: the .cf and every file it
# names, under SM_DIR.
sendmail_files() {
	mkdir -p "$SM_DIR/mqueue" "$SM_DIR/hoststat" "$SM_DIR/sink" \
	    "$SM_DIR/etc-mail" "$SM_DIR/dev"
	chmod 700 "$SM_DIR/mqueue"
	chown postfix "$SM_DIR/sink"
	# The host's name resolves to a qualified one, whatever it is.
	printf '127.0.0.1\tmx.example.test localhost %s\n' "$(uname -n)" \
	    >"$SM_DIR/hosts"
	printf 'hosts\tfiles\naliases\tfiles\n' >"$SM_DIR/service.switch"
	printf 'hosts: files\n' >"$SM_DIR/nsswitch.conf"
	printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n' \
	    >"$SM_DIR/resolv.conf"
	: >"$SM_DIR/aliases"
	: >"$SM_DIR/relay-domains"
	sendmail_cf "$SM_DIR/sendmail.cf" "$1" "${2:-}"
}

# sendmail_ns COMMAND...: runs COMMAND in a mount namespace with the
# test's hosts, nsswitch.conf and resolv.conf. SM_NS_SCRIPT's second
# argument, when not empty, is tests/tools/syslog_sink: then /dev there is a
# tmpfs with null, zero, random, urandom and a /dev/log from which the
# sink writes what Sendmail logs to $SM_DIR/maillog (the daemon's).
SM_NS_SCRIPT='d=$1 sink=$2; shift 2
	mount --bind "$d/hosts" /etc/hosts &&
	mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf &&
	{ [ ! -d /etc/mail ] || mount --bind "$d/etc-mail" /etc/mail; } &&
	{ [ ! -e /etc/resolv.conf ] ||
	    mount --bind "$d/resolv.conf" /etc/resolv.conf; } || exit 1
	if [ -n "$sink" ]; then
		mount --bind /dev "$d/dev" &&
		mount -t tmpfs -o mode=755 tmpfs /dev || exit 1
		for n in null zero random urandom; do
			: >"/dev/$n" && mount --bind "$d/dev/$n" "/dev/$n" || exit 1
		done
		"$sink" /dev/log "$d/maillog" || exit 1
	fi
	exec "$@"'
sendmail_ns() {
	unshare -m sh -c "$SM_NS_SCRIPT" sh "$SM_DIR" "" "$@"
}

sendmail_send() {
	swaks --server 127.0.0.1 --port "$SM_PORT" --from "$2" \
	    --to bob@example.net --header "From: $2" \
	    --header "Subject: $1" --body "test $1" --timeout 30 \
	    >"$TMPDIR_TEST/$1.swaks" 2>&1
}

sendmail_in() {
	local i
	for i in $(seq 150); do
		grep -lq "Subject: $2" "$1"/* 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

sendmail_cmd() {
	sendmail_ns "$SM_BIN" -C "$SM_DIR/sendmail.cf" "$@"
}

sendmail_require() {
	local cmd
	if [ "$(id -u)" -ne 0 ]; then
		fail "$(basename "$0") runs as root (it starts a private Sendmail)"
		return 1
	fi
	for cmd in m4 unshare setsid smtp-sink swaks; do
		command -v $cmd >/dev/null || { fail "$cmd is installed"; return 1; }
	done
}

sendmail_start() {
	SM_DIR=$TMPDIR_TEST/sendmail
	SM_PORT=$("$FREEPORT"); SM_SINK=$("$FREEPORT")
	if ! [ -x "$SM_BIN" ] || ! [ -d "$SM_CF_DIR" ]; then
		fail "Sendmail is unpacked in $SM_ROOT (contrib/install-test-sendmail.sh)"
		return 1
	fi
	if ! sendmail_files "$1" "${2:-}"; then
		fail "the test's sendmail.cf builds with m4"
		sed 's/^/#   /' "$SM_DIR/m4.log"
		return 1
	fi
	smtp-sink -u postfix -d "$SM_DIR/sink/%M." "127.0.0.1:$SM_SINK" 10 &
	SM_SINK_PID=$!
	at_exit sendmail_stop
	# -bD: the daemon in the foreground; setsid gives it (and the
	# children it forks to deliver) a process group of their own.
	# Sendmail's own log: $SM_DIR/maillog (see sendmail_ns).
	setsid unshare -m sh -c "$SM_NS_SCRIPT" sh "$SM_DIR" \
	    "$BUILDDIR/tests/tools/syslog_sink" "$SM_BIN" -C "$SM_DIR/sendmail.cf" -bD \
	    >"$SM_DIR/daemon.out" 2>&1 &
	SM_PID=$!
	if ! wait_for_tcp "$SM_PORT" 100; then
		fail "the private Sendmail listens on 127.0.0.1:$SM_PORT"
		sed 's/^/#   /' "$SM_DIR/daemon.out"
		return 1
	fi
}

sendmail_stop() {
	local i
	if [ -n "${SM_PID:-}" ]; then
		kill -TERM -- "-$SM_PID" 2>/dev/null
		for i in $(seq 30); do
			kill -0 -- "-$SM_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$SM_PID" 2>/dev/null
		wait "$SM_PID" 2>/dev/null
		SM_PID=
	fi
	if [ -n "${SM_SINK_PID:-}" ]; then
		kill "$SM_SINK_PID" 2>/dev/null
		wait "$SM_SINK_PID" 2>/dev/null
		SM_SINK_PID=
	fi
}
