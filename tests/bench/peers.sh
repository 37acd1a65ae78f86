# peers.sh - the milters "make bench" measures, and how to start them.
# Sourced by tests/bench/run.sh after tests/lib.sh and tests/tools/nsd.sh;
# expects BIN (the bench's own -O2 builds), TMPDIR_TEST, DNS_PORT and
# RESOLVER (the address OpenDMARC's libresolv is pointed at).
#
# peer_start NAME     starts peer NAME on a free port; sets PEER_PORT[NAME]
#                     and PEER_PID[NAME]; returns 1 when it does not start
# peer_stop NAME      stops it
#
# Peers: noop (the floor: tests/bench/noop_milter.c), em-accept
# (egress-milter, a healthy egress: every message accepted), em-route
# (the egress is listed: every message gets the route header to the
# backup), em-accept+nd and em-route+nd (the same with TCP_NODELAY forced
# on the listening socket by tests/bench/nodelay.c), em-map and
# em-map-warmup (the route map, without and with a warming egress), em-dnsdown
# (egress-milter whose nameserver never answers), opendmarc (Debian's
# OpenDMARC with its own SPF check, on the same zones; it adds an
# Authentication-Results header) and opendmarc+nd.

declare -A PEER_PORT PEER_PID PEER_MAP_PORT

peer_conf_em() {
	local name=$1
	{
		echo "Syslog no"
		echo "AllowRoot yes"	# the bench runs as root
		echo "Dnsbl bl.test"
		case $name in
		em-dnsdown*) echo "Nameservers 127.0.0.1:$(dead_port)" ;;
		*) echo "Nameservers 127.0.0.1:$DNS_PORT" ;;
		esac
		case $name in
		em-route*)
			echo "Egress primary 192.0.2.20 helo=mail2.example.test route=primary"
			echo "Egress backup 192.0.2.10 helo=mail.example.test route=backup" ;;
		em-map*)
			# The route map: the listed primary is passed over,
			# every sender gets the backup's transport.
			echo "MapSocket inet:${PEER_MAP_PORT[$name]}@127.0.0.1"
			echo "Egress primary 192.0.2.20 helo=mail2.example.test transport=egress-primary"
			echo "Egress backup 192.0.2.10 helo=mail.example.test transport=egress-backup"
			# em-map-warmup: the backup warms up (a cap no run
			# reaches: every lookup counts, none spills over).
			if [ "$name" = em-map-warmup ]; then
				echo 100000000 >"$TMPDIR_TEST/warmup-schedule"
				echo "Warmup backup start=2026-01-01 schedule=$TMPDIR_TEST/warmup-schedule"
			fi ;;
		*)
			echo "Egress primary 192.0.2.10 helo=mail.example.test route=primary" ;;
		esac
	} >"$TMPDIR_TEST/$name.conf"
}

peer_conf_opendmarc() {
	echo "nameserver ${RESOLVER%@*}" >"$TMPDIR_TEST/resolv.conf"
	cat >"$TMPDIR_TEST/opendmarc.conf" <<CONF
AuthservID mx.example.test
TrustedAuthservIDs mx.example.test
SPFSelfValidate true
SPFIgnoreResults true
Syslog false
RejectFailures false
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
CONF
}

# peer_ready NAME LOG: the port answers, and egress-milter's first health
# round is over (one state line per egress), so no message waits for it.
peer_ready() {
	local name=$1 log=$2 want=1 i
	wait_for_tcp "${PEER_PORT[$name]}" 100 || return 1
	case $name in
	em-dnsdown*|noop|opendmarc*) return 0 ;;
	em-route*|em-map*) want=2 ;;
	esac
	for i in $(seq 100); do
		[ "$(grep -c 'egress .* -> ' "$log")" -ge $want ] && return 0
		sleep 0.1
	done
	return 1
}

peer_start() {
	local name=$1 port log=$TMPDIR_TEST/peer.$1.log socket preload=
	port=$("$FREEPORT")
	socket=inet:$port@127.0.0.1
	PEER_PORT[$name]=$port
	case $name in *+nd) preload=$BIN/nodelay.so ;; esac
	case $name in em-map*) PEER_MAP_PORT[$name]=$("$FREEPORT") ;; esac
	case $name in
	noop)
		"$BIN/noop_milter" -p "$socket" >"$log" 2>&1 & ;;
	em-*)
		peer_conf_em "$name"
		# The egresses are in the documentation ranges: let them
		# count as public, as the tests do.
		EGRESS_MILTER_DOCUMENTATION_PUBLIC=1 LD_PRELOAD=$preload "$BIN/egress-milter" -f \
		    -c "$TMPDIR_TEST/$name.conf" -p "$socket" >"$log" 2>&1 & ;;
	opendmarc*)
		# libresolv has no port syntax: OpenDMARC gets a private
		# /etc/resolv.conf (a mount namespace) naming RESOLVER.
		peer_conf_opendmarc
		LD_PRELOAD=$preload unshare -m sh -c "mount --bind '$TMPDIR_TEST/resolv.conf' /etc/resolv.conf &&
		    exec opendmarc -f -c '$TMPDIR_TEST/opendmarc.conf' -p '$socket'" \
		    >"$log" 2>&1 & ;;
	esac
	PEER_PID[$name]=$!
	at_exit "peer_stop $name"
	if ! peer_ready "$name" "$log"; then
		echo "bench: peer $name did not start:" >&2
		tail -5 "$log" >&2
		return 1
	fi
}

peer_stop() {
	local pid=${PEER_PID[$1]:-}
	[ -n "$pid" ] || return 0
	stop_pid "$pid"
	PEER_PID[$1]=
}
