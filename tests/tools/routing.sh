# routing.sh - the setting of the end-to-end tests of routing that
# follows health (tests/e2e/routing.sh, tests/e2e/health.sh): a sending
# Postfix with two egress transports bound to 127.0.0.2 (egress a) and
# 127.0.0.3 (egress b) asks egress-milter's socketmap for the route and
# the delivery status filter; a second Postfix, the "remote provider",
# refuses clients listed on remote-bl.route.test (which lists 127.0.0.2
# and which egress-milter never queries) and relays dest.test to an
# smtp-sink; internal.test goes by transport_maps to another sink. Both
# run in the caller's private mount namespace (the script runs under
# unshare -m), whose /etc/resolv.conf is bind-mounted to name the tests'
# NSD on port 53 of a free 127.53.X.Y: no query reaches the system's
# resolver. Source it after tests/lib.sh.
#
# routing_namespace SCRIPT  as root, runs SCRIPT again under unshare -m
#                          (returns in the private namespace)
# routing_setup            NSD, both Postfix instances and the sinks
# routing_milter LINES...  (re)starts the milter (MapSocket unless
#                          ROUTING_HEADER_MODE is set, egresses a and b,
#                          and LINES), after its first round
# send SUBJECT TO [FROM]   a message (from alice@both.route.test): queue id
# delivered SUBJECT DIR    the message reached sink DIR (dest, internal)
# wait_for FILE TEXT [T]   (tests/lib.sh)
# log_of QID               the sending Postfix's lines for QID

. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/postfix.sh"

routing_namespace() {
	if [ "$(id -u)" -ne 0 ]; then
		fail "$(basename "$1") runs as root (private Postfix, unshare -m)"
		return 1
	fi
	[ -n "${EM_PRIVATE_MOUNTS:-}" ] ||
	    exec env EM_PRIVATE_MOUNTS=1 unshare -m --propagation private \
	    bash "$1"
}

# A free 127.53.X.Y for NSD on port 53, and resolv.conf naming it.
routing_dns() {
	local i
	for i in $(seq 20); do
		NSADDR=127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
		ss -lnu | grep -q "$NSADDR:53 " || break
	done
	DNS_EXTRA_ADDRESS=$NSADDR@53 dns_start || return 1
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$NSADDR" \
	    >"$TMPDIR_TEST/resolv.conf"
	mount --bind "$TMPDIR_TEST/resolv.conf" /etc/resolv.conf ||
	    { fail "resolv.conf is bind-mounted in the private namespace"; return 1; }
	check "Postfix's resolver sees only the tests' NSD" \
	    sh -c "getent hosts mail-a.route.test | grep -q 203.0.113.210"
}

# instance NAME SMTPD-PORT MAIN.CF-LINES...: writes a private Postfix.
instance() {
	local dir=$TMPDIR_TEST/$1 port=$2; shift 2
	mkdir -p "$dir/etc" "$dir/spool" "$dir/data" "$dir/log"
	chown postfix "$dir/data"
	{
		postfix_private_main "$dir"
		cat <<CF
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
CF
		printf '%s\n' "$@"
	} >"$dir/etc/main.cf"
	postfix_private_master "$port" >"$dir/etc/master.cf"
}

# egress_transport NAME BIND HELO: a master.cf egress with the status map.
egress_transport() {
	printf '%s unix - - n - - smtp\n  -o syslog_name=postfix/%s\n  -o smtp_bind_address=%s\n  -o smtp_helo_name=%s\n  -o smtp_delivery_status_filter=%s:status-%s\n' \
	    "smtp-$1" "smtp-$1" "$2" "$3" "$MAP" "$1" >>"$TMPDIR_TEST/sender/etc/master.cf"
}

routing_setup() {
	local cmd pf
	for cmd in postfix postconf smtp-sink swaks postqueue ss; do
		command -v $cmd >/dev/null || { fail "$cmd is installed"; return 1; }
	done
	routing_dns || return 1
	MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
	S_PORT=$("$FREEPORT"); R_PORT=$("$FREEPORT")
	SINK_DEST=$("$FREEPORT"); SINK_INTERNAL=$("$FREEPORT")
	MAP=socketmap:inet:127.0.0.1:$MAPPORT
	instance remote "$R_PORT" "myhostname = mx.dest.test" \
	    "relay_domains = dest.test" \
	    "transport_maps = inline:{ dest.test=smtp:[127.0.0.1]:$SINK_DEST }" \
	    "smtpd_client_restrictions = reject_rbl_client remote-bl.route.test"
	instance sender "$S_PORT" "myhostname = relay.route.test" \
	    "relayhost = [127.0.0.1]:$R_PORT" \
	    "default_transport = smtp-a" \
	    "sender_dependent_default_transport_maps = $MAP:route" \
	    "transport_maps = inline:{ internal.test=relay:[127.0.0.1]:$SINK_INTERNAL }" \
	    "smtpd_milters = inet:127.0.0.1:$MPORT" \
	    "milter_default_action = tempfail" \
	    "milter_protocol = 6"
	egress_transport a 127.0.0.2 mail-a.route.test
	egress_transport b 127.0.0.3 mail-b.route.test
	SLOG=$TMPDIR_TEST/sender/log/maillog
	RLOG=$TMPDIR_TEST/remote/log/maillog
	mkdir -p "$TMPDIR_TEST/dest" "$TMPDIR_TEST/internal"
	chown postfix "$TMPDIR_TEST/dest" "$TMPDIR_TEST/internal"
	smtp-sink -u postfix -d "$TMPDIR_TEST/dest/%M." 127.0.0.1:$SINK_DEST 10 &
	at_exit "kill $!"
	smtp-sink -u postfix -d "$TMPDIR_TEST/internal/%M." 127.0.0.1:$SINK_INTERNAL 10 &
	at_exit "kill $!"
	at_exit 'postfix -c "$TMPDIR_TEST/sender/etc" stop >/dev/null 2>&1'
	at_exit 'postfix -c "$TMPDIR_TEST/remote/etc" stop >/dev/null 2>&1'
	for pf in remote sender; do
		postfix -c "$TMPDIR_TEST/$pf/etc" start >"$TMPDIR_TEST/$pf.start" 2>&1 ||
		    { fail "the $pf Postfix starts"; sed 's/^/#   /' "$TMPDIR_TEST/$pf.start"; return 1; }
	done
	wait_for_tcp "$R_PORT" && wait_for_tcp "$S_PORT" ||
	    { fail "both private Postfix instances listen"; return 1; }
}

routing_milter() {
	stop_milter
	{
		echo "Syslog no"
		echo "Nameservers 127.0.0.1:$DNS_PORT"
		[ -n "${ROUTING_HEADER_MODE:-}" ] ||
		    echo "MapSocket inet:$MAPPORT@127.0.0.1"
		echo "Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a"
		echo "Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b"
		printf '%s\n' "$@"
	} >"$TMPDIR_TEST/milter.conf"
	MLOG=$TMPDIR_TEST/milter.log
	start_milter "$MLOG" -c "$TMPDIR_TEST/milter.conf" -p "inet:$MPORT@127.0.0.1"
	local port=$MAPPORT
	[ -z "${ROUTING_HEADER_MODE:-}" ] || port=$MPORT
	wait_for_tcp "$port" || fail "the milter starts"
	wait_for "$MLOG" "egress b (203.0.113.211): unknown -> ok" 50
	wait_for "$MLOG" "egress a (203.0.113.210): unknown -> ok" 50 ||
	    fail "egress a's first health round is ok"
}

send() {
	swaks --server 127.0.0.1 --port "$S_PORT" --from "${3:-alice@both.route.test}" \
	    --to "$2" --header "Subject: $1" --body "test $1" --timeout 30 \
	    >"$TMPDIR_TEST/$1.swaks" 2>&1
	sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' "$TMPDIR_TEST/$1.swaks"
}

delivered() {
	local i
	for i in $(seq 150); do
		grep -lq "Subject: $1" "$TMPDIR_TEST/$2"/* 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

log_of() { grep -F " $1: " "$SLOG"; }
