#!/bin/bash
# run.sh SRCDIR BUILDDIR - "make bench": what a milter costs, as one
# table. Not a test: it asserts nothing, it prints figures and the
# targets they are held against. Runs as root (OpenDMARC in a mount
# namespace, a private Postfix); installs OpenDMARC when it is missing.
#
# 1. Protocol level: tests/bench/milterload (Postfix's milter protocol 6,
#    one message per connection, 12 headers, 4 KB body) against every
#    peer of tests/bench/peers.sh at concurrency 1, 50 and 1000; warm
#    (the 2,000 sender domains of a generated zone already asked) with
#    the peers alternating, two rounds each; cold (each peer restarted
#    before each concurrency, every message from a domain not yet
#    asked: at most 2,000 messages or 5 s); and with DNS down.
# 2. End to end: smtp-source -> a private Postfix (tests/tools/postfix.sh)
#    -> smtp-sink, with no milter, the no-op milter and egress-milter,
#    alternating, three rounds.
# 3. The route map: tests/bench/mapload asks egress-milter's MapSocket
#    (map "route", without and with warm-up, then "route-rcpt" and a
#    status map with a listing text) over one persistent connection, one
#    lookup at a time, as Postfix does; warm, two rounds.
# 4. A pool (tests/bench/pool.sh): a first health round of 64, 256 and
#    1,024 egresses x 10 DNSBL zones (time, DNS questions, RSS) and the
#    route map with 1,024 egresses; printed as its own tables first.
# Ratios are to the no-op milter (the floor) measured in the same run.
#
# Environment (from the Makefile): CC, BENCH_CFLAGS, BENCH_LIBS.
# BENCH_SECONDS (default 3) is the length of one warm run. To run a part
# only (while measuring one change): BENCH_PARTS (default "warm cold
# dnsdown map e2e pool"), BENCH_WARM_PEERS, BENCH_COLD_PEERS, BENCH_CONC
# (default "1 50 1000"), BENCH_ROUNDS (default 2, the warm rounds) and
# BENCH_DNSDOWN_CONC (default 50, the DNS-down run's concurrency).
set -u
SRCDIR=$(cd "${1:-.}" && pwd)
BUILDDIR=$(cd "${2:-.}" && pwd)
export SRCDIR BUILDDIR
. "$SRCDIR/tests/lib.sh"
make_tmpdir
BIN=$TMPDIR_TEST/bin
RESULTS=$TMPDIR_TEST/results
SECONDS_WARM=${BENCH_SECONDS:-3}
DOMAINS=2000
: >"$RESULTS"

die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (OpenDMARC in a mount namespace, a private Postfix)"

install_needs() {
	command -v opendmarc >/dev/null && return 0
	echo "bench: installing opendmarc (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	    opendmarc >"$TMPDIR_TEST/apt.log" 2>&1 || die "apt-get install opendmarc failed"
}

# The bench's own optimised builds: the sanitizer build of "make check"
# would measure the sanitizers.
build() {
	local cc=${CC:-cc}
	mkdir -p "$BIN"
	# shellcheck disable=SC2086
	$cc -O2 -DHAVE_CONFIG_H -DSYSCONFDIR=\"/etc\" -I"$BUILDDIR" \
	    -I"$BUILDDIR/milter" -I"$SRCDIR/milter" ${BENCH_CFLAGS:-} \
	    -o "$BIN/egress-milter" "$SRCDIR"/milter/*.c "$SRCDIR"/milter/*/*.c \
	    ${BENCH_LIBS:-} || die "cannot build egress-milter"
	$cc -O2 -Wall -o "$BIN/noop_milter" "$SRCDIR/tests/bench/noop_milter.c" \
	    -lmilter -lpthread || die "cannot build noop_milter"
	$cc -O2 -Wall -o "$BIN/milterload" "$SRCDIR/tests/bench/milterload.c" \
	    "$SRCDIR/tests/bench/milterproto.c" || die "cannot build milterload"
	$cc -O2 -Wall -o "$BIN/mapload" "$SRCDIR/tests/bench/mapload.c" ||
	    die "cannot build mapload"
	$cc -O2 -Wall -shared -fPIC -o "$BIN/nodelay.so" \
	    "$SRCDIR/tests/bench/nodelay.c" -ldl || die "cannot build nodelay.so"
}

# The tests' zones and bench.test: DOMAINS sender domains d0 ... with
# SPF (the egress 192.0.2.10) and DMARC p=none.
make_zones() {
	local i
	DNS_ZONES=$TMPDIR_TEST/zones
	mkdir -p "$DNS_ZONES"
	cp "$SRCDIR"/tests/fixtures/zones/*.zone "$DNS_ZONES/"
	{
		echo '$ORIGIN bench.test.'
		echo '$TTL 3600'
		echo '@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 30'
		echo '@ IN NS ns'
		echo 'ns IN A 127.0.0.1'
		for i in $(seq 0 $((DOMAINS - 1))); do
			echo "d$i IN TXT \"v=spf1 ip4:192.0.2.10 -all\""
			echo "_dmarc.d$i IN TXT \"v=DMARC1; p=none\""
		done
	} >"$DNS_ZONES/bench.test.zone"
}

# A loopback address with port 53 free, for OpenDMARC's libresolv.
pick_resolver() {
	local a
	for a in 127.99.0.1 127.99.0.2 127.99.1.1 127.98.0.1; do
		ss -Hlun "src $a:53" 2>/dev/null | grep -q . && continue
		ss -Hlun "src 0.0.0.0:53" 2>/dev/null | grep -q . && break
		RESOLVER=$a@53
		return 0
	done
	die "no loopback address with a free port 53 for OpenDMARC's resolver"
}

# load PEER MODE CONCURRENCY MILTERLOAD-ARGS...: one run, one result line.
load() {
	local peer=$1 mode=$2 c=$3 out
	shift 3
	out=$("$BIN/milterload" -s "127.0.0.1:${PEER_PORT[$peer]}" -c "$c" \
	    -p "${PEER_PID[$peer]}" -d 'd%d.bench.test' -k $DOMAINS "$@")
	echo "$peer $mode $c $out" >>"$RESULTS"
}

WARM_PEERS=${BENCH_WARM_PEERS:-noop em-accept em-accept+nd em-route em-route+nd opendmarc opendmarc+nd}
COLD_PEERS=${BENCH_COLD_PEERS:-noop em-accept em-route opendmarc}
CONCURRENCIES=${BENCH_CONC:-1 50 1000}
ROUNDS=${BENCH_ROUNDS:-2}
PARTS=${BENCH_PARTS:-warm cold dnsdown map e2e pool}

protocol_warm() {
	local p c round
	for p in $WARM_PEERS; do
		peer_start "$p" || die "cannot start $p"
		"$BIN/milterload" -s "127.0.0.1:${PEER_PORT[$p]}" -c 50 -n $DOMAINS \
		    -t 20 -d 'd%d.bench.test' -k $DOMAINS >/dev/null
	done
	for c in $CONCURRENCIES; do
		for round in $(seq "$ROUNDS"); do
			for p in $WARM_PEERS; do
				load "$p" warm "$c" -n 1000000 -t "$SECONDS_WARM" \
				    -o $((RANDOM % DOMAINS))
			done
		done
	done
	for p in $WARM_PEERS; do peer_stop "$p"; done
}

protocol_cold() {
	local p c
	for c in $CONCURRENCIES; do
		for p in $COLD_PEERS; do
			peer_start "$p" || die "cannot start $p"
			load "$p" cold "$c" -n $DOMAINS -t 5 -o 0
			peer_stop "$p"
		done
	done
}

# The route map (MapSocket): lookups over one persistent connection, as
# Postfix's dict_sockmap asks them, warm (every domain asked once first).
route_map() {
	local round out peer
	# em-map-warmup: the same with the chosen egress warming up (each
	# lookup reads and counts its warm-up); the two alternate.
	for peer in em-map em-map-warmup; do
		peer_start $peer || die "cannot start $peer"
		"$BIN/mapload" -s "127.0.0.1:${PEER_MAP_PORT[$peer]}" -n $DOMAINS \
		    -d 'd%d.bench.test' -k $DOMAINS >/dev/null
	done
	for round in $(seq "$ROUNDS"); do
		for peer in em-map em-map-warmup; do
			out=$("$BIN/mapload" -s "127.0.0.1:${PEER_MAP_PORT[$peer]}" \
			    -n 1000000 -t "$SECONDS_WARM" -d 'd%d.bench.test' \
			    -k $DOMAINS -o $((RANDOM % DOMAINS)))
			echo "$peer map 1 $out" >>"$RESULTS"
		done
	done
	peer_stop em-map-warmup
	# route-rcpt (the recipient's MX from the cache, warmed first) and
	# the status path with the shipped refusal table loaded (a listing
	# text: matched, learned once, answered 4.X.X every time).
	"$BIN/mapload" -s "127.0.0.1:${PEER_MAP_PORT[em-map]}" -m route-rcpt \
	    -n $DOMAINS -d 'd%d.bench.test' -k $DOMAINS >/dev/null
	sleep 1
	for round in $(seq "$ROUNDS"); do
		out=$("$BIN/mapload" -s "127.0.0.1:${PEER_MAP_PORT[em-map]}" \
		    -m route-rcpt -n 1000000 -t "$SECONDS_WARM" \
		    -d 'd%d.bench.test' -k $DOMAINS -o $((RANDOM % DOMAINS)))
		echo "em-map-rcpt map 1 $out" >>"$RESULTS"
	done
	for round in $(seq "$ROUNDS"); do
		out=$("$BIN/mapload" -s "127.0.0.1:${PEER_MAP_PORT[em-map]}" \
		    -m status-backup -n 1000000 -t "$SECONDS_WARM" -K "5.7.1 host mx.d1.bench.test[192.0.2.99] said: 554-5.7.1 Service unavailable; Client host [192.0.2.10] 554 5.7.1 blocked using zen.bench.test; see https://zen.bench.test/query/192.0.2.10 (in reply to RCPT TO command)")
		echo "em-map-status map 1 $out" >>"$RESULTS"
	done
	peer_stop em-map
}

protocol_dnsdown() {
	peer_start em-dnsdown || die "cannot start em-dnsdown"
	load em-dnsdown dns-down ${BENCH_DNSDOWN_CONC:-50} -n 300 -t 6
	peer_stop em-dnsdown
}

# End to end: smtp-source through the private Postfix, by milter setup.
e2e_run() {
	local setup=$1 milters=$2 start end n=${BENCH_E2E_MESSAGES:-600} i
	postconf -c "$PF_DIR/etc" -e "smtpd_milters = $milters" \
	    "non_smtpd_milters = $milters"
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
	sleep 1
	wait_for_tcp "$PF_PORT" || die "Postfix does not answer after reload"
	start=$(date +%s.%N)
	smtp-source -s 20 -m "$n" -l 4096 -f alice@d1.bench.test \
	    -t bob@example.net "127.0.0.1:$PF_PORT" || die "smtp-source failed"
	end=$(date +%s.%N)
	echo "$setup e2e 20 messages=$n secs=$(awk "BEGIN { print $end - $start }")" >>"$RESULTS"
	for i in $(seq 300); do		# let delivery finish before the next run
		postqueue -c "$PF_DIR/etc" -p 2>/dev/null | grep -q "Mail queue is empty" && break
		sleep 0.1
	done
}

end_to_end() {
	local round
	. "$SRCDIR/tests/tools/postfix.sh"
	peer_start noop || die "cannot start noop"
	peer_start em-accept || die "cannot start em-accept"
	postfix_start "${PEER_PORT[noop]}" >/dev/null || die "the private Postfix does not start"
	for round in 1 2 3; do
		e2e_run postfix-only ""
		e2e_run postfix+noop "inet:127.0.0.1:${PEER_PORT[noop]}"
		e2e_run postfix+egress-milter "inet:127.0.0.1:${PEER_PORT[em-accept]}"
	done
	postfix_stop
}

install_needs
build
make_zones
pick_resolver
DNS_EXTRA_ADDRESS=$RESOLVER
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/bench/peers.sh"
dns_start >/dev/null || die "NSD does not start"
echo "bench: $(nproc) CPUs, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "bench: figures are wall clock on a shared machine: compare ratios within this run"
for part in $PARTS; do
	case $part in
	warm) protocol_warm ;;
	cold) protocol_cold ;;
	dnsdown) protocol_dnsdown ;;
	map) route_map ;;
	e2e) end_to_end ;;
	pool) bash "$SRCDIR/tests/bench/pool.sh" "$SRCDIR" "$BUILDDIR" \
	    "$BIN/egress-milter" ;;
	*) die "unknown part $part in BENCH_PARTS" ;;
	esac
done
awk -f "$SRCDIR/tests/bench/table.awk" "$RESULTS"
