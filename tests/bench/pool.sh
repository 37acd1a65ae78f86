#!/bin/bash
# pool.sh SRCDIR BUILDDIR [MILTER] - "make bench": a pool of egresses
# (issue 27, "a thousand egresses"). Not a test: it prints figures.
#
# 1. A first health round of N egresses (64, 256, 1,024) x 10 DNSBL
#    zones against the tests' own NSD: its time (start to every egress
#    known in --status), the DNS questions it asked (LogLevel debug: one
#    line per question sent), and the daemon's RSS and peak RSS (VmRSS,
#    VmHWM) after it; at the default DnsblRate (50) and with no
#    practical bound (DnsblRate 100000).
# 2. The route map (tests/bench/mapload, map "route", one persistent
#    connection) with 2 and with 1,024 healthy egresses: lookups/s and
#    p99.
# MILTER defaults to BUILDDIR/milter/egress-milter (build it -O2 to
# measure: "make bench" passes the -O2 copy tests/bench/run.sh built).
# POOL_SIZES, POOL_RATES ("-": no DnsblRate line, for a build without
# it, with POOL_MAP_RATE=-) and BENCH_SECONDS (default 3) change the runs.
set -u
SRCDIR=$(cd "${1:-.}" && pwd)
BUILDDIR=$(cd "${2:-.}" && pwd)
export SRCDIR BUILDDIR
. "$SRCDIR/tests/lib.sh"
EM=${3:-$BUILDDIR/milter/egress-milter}
make_tmpdir
ZONES=10
SIZES=${POOL_SIZES:-64 256 1024}
RATES=${POOL_RATES:-50 100000}
SECS=${BENCH_SECONDS:-3}
MAPLOAD=$TMPDIR_TEST/mapload
${CC:-cc} -O2 -Wall -o "$MAPLOAD" "$SRCDIR/tests/bench/mapload.c" || exit 1

# The tests' zones, plus pool.test (h1 ... h1024 AAAA 2001:db8:27::X),
# its reverse zone (PTR hX.pool.test) and ten DNSBLs z0 ... z9 with the
# RFC 5782 test points that list none of the pool.
DNS_ZONES=$TMPDIR_TEST/zones
mkdir -p "$DNS_ZONES"
cp "$SRCDIR"/tests/fixtures/zones/*.zone "$DNS_ZONES/"
soa() { printf '$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns.example.test. h.example.test. 1 3600 600 86400 300\n@ IN NS ns.example.test.\n' "$1"; }
{
	soa pool.test
	for i in $(seq 1 1024); do printf 'h%d IN AAAA 2001:db8:27::%x\n' "$i" "$i"; done
} >"$DNS_ZONES/pool.test.zone"
rev=7.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa
{
	soa $rev
	for i in $(seq 1 1024); do
		n=$(printf '%020x' "$i" | rev | sed 's/./&./g')
		printf '%s IN PTR h%d.pool.test.\n' "${n%.}" "$i"
	done
} >"$DNS_ZONES/$rev.zone"
for z in $(seq 0 $((ZONES - 1))); do
	{
		soa z$z.bl.test
		echo '2.0.0.127 IN A 127.0.0.2'
		echo '2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN A 127.0.0.2'
	} >"$DNS_ZONES/z$z.bl.test.zone"
done
. "$SRCDIR/tests/tools/nsd.sh"
dns_start >/dev/null || { echo "pool: NSD does not start" >&2; exit 1; }

# conf N RATE [MAPPORT]: N egresses with transports, ten zones.
conf() {
	{
		echo "Syslog no"
		echo "LogLevel debug"
		[ "$(id -u)" -eq 0 ] && echo "AllowRoot yes"
		echo "StateFile none"
		echo "ControlSocket unix:$TMPDIR_TEST/control"
		echo "Nameservers 127.0.0.1:$DNS_PORT"
		[ "$2" = - ] || echo "DnsblRate $2"
		[ -n "${3:-}" ] && echo "MapSocket inet:$3@127.0.0.1"
		for z in $(seq 0 $((ZONES - 1))); do echo "Dnsbl z$z.bl.test"; done
		for i in $(seq 1 "$1"); do
			printf 'Egress e%04d 2001:db8:27::%x helo=h%d.pool.test transport=pool%d\n' \
			    "$i" "$i" "$i" "$i"
		done
	} >"$TMPDIR_TEST/pool.conf"
}
vm() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$MILTER_PID/status"; }

# start N RATE [MAPPORT]: prints "secs=... questions=...".
start() {
	local t0 t1 known i
	conf "$@"
	t0=$(date +%s.%N)
	EGRESS_MILTER_DOCUMENTATION_PUBLIC=1 "$EM" -f -c "$TMPDIR_TEST/pool.conf" \
	    -p "inet:$("$FREEPORT")@127.0.0.1" >"$TMPDIR_TEST/pool.log" 2>&1 &
	MILTER_PID=$!
	for i in $(seq 6000); do
		known=$("$EM" --status --json -c "$TMPDIR_TEST/pool.conf" 2>/dev/null |
		    jq '[.egress[] | select(.since != null)] | length' 2>/dev/null)
		[ "${known:-0}" -eq "$1" ] && break
		sleep 0.05
	done
	t1=$(date +%s.%N)
	echo "secs=$(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") questions=$(grep -c ' dns: ' "$TMPDIR_TEST/pool.log")"
}
stop() { kill -TERM "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null; }

echo "pool: $(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC'); $ZONES DNSBL zones"
echo
echo "| egresses | DnsblRate | first round s | DNS questions | RSS MB | peak RSS MB |"
echo "|---|---|---|---|---|---|"
for rate in $RATES; do
	for n in $SIZES; do
		start "$n" "$rate" >"$TMPDIR_TEST/round"
		r=$(cat "$TMPDIR_TEST/round")
		echo "| $n | $rate | $(echo "$r" | sed 's/.*secs=\([^ ]*\).*/\1/') |" \
		    "$(echo "$r" | sed 's/.*questions=//') |" \
		    "$(awk "BEGIN { printf \"%.1f\", $(vm VmRSS) / 1024 }") |" \
		    "$(awk "BEGIN { printf \"%.1f\", $(vm VmHWM) / 1024 }") |"
		stop
	done
done
echo
echo "Route map (mapload, map route, one connection, warm, ${SECS} s; every egress healthy)"
echo
echo "| egresses | lookups/s | p50 ms | p99 ms | OK answers | other |"
echo "|---|---|---|---|---|---|"
for n in 2 1024; do
	mport=$("$FREEPORT")
	start "$n" "${POOL_MAP_RATE:-100000}" "$mport" >/dev/null
	"$MAPLOAD" -s "127.0.0.1:$mport" -n 2000 -d 'd%d.pool.test' -k 2000 \
	    >/dev/null		# warm: every sender domain asked once
	out=$("$MAPLOAD" -s "127.0.0.1:$mport" -n 1000000 -t "$SECS" \
	    -d 'd%d.pool.test' -k 2000)
	echo "| $n | $(echo "$out" | sed 's/.*rate=\([^ ]*\).*/\1/') |" \
	    "$(echo "$out" | sed 's/.*p50=\([^ ]*\).*/\1/') |" \
	    "$(echo "$out" | sed 's/.*p99=\([^ ]*\).*/\1/') |" \
	    "$(echo "$out" | sed 's/.*accept=\([^ ]*\).*/\1/') |" \
	    "$(echo "$out" | sed 's/.*other=\([^ ]*\).*/\1/') |"
	stop
done
