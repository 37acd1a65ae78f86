# live.sh - the zone live.route.test, which a test rewrites while NSD
# serves it, to list and delist egresses as the monitor watches (see
# tests/fixtures/README.md). Source it before dns_start (tests/tools/nsd.sh):
# it sets DNS_EXTRA_ZONE and DNS_EXTRA_ZONE_FILE and writes the zone
# empty.
#
# live LAST-OCTETS...  live.route.test lists 203.0.113.N for each N
#                      (and 127.0.0.2, the DNSBL test entry); NSD
#                      reloads it (SIGHUP) once started.

DNS_EXTRA_ZONE=live.route.test
DNS_EXTRA_ZONE_FILE=$TMPDIR_TEST/live.route.test.zone
SERIAL=0
live() {
	local n
	SERIAL=$((SERIAL + 1))
	{
		printf '$ORIGIN live.route.test.\n$TTL 1\n'
		printf '@ 1 IN SOA ns.example.test. hostmaster.example.test. %s 3600 600 86400 1\n' "$SERIAL"
		printf '@ IN NS ns.example.test.\n2.0.0.127 IN A 127.0.0.2\n'
		for n in "$@"; do printf '%s.113.0.203 IN A 127.0.0.2\n' "$n"; done
	} >"$DNS_EXTRA_ZONE_FILE"
	touch -d "@$(( $(date +%s) + SERIAL ))" "$DNS_EXTRA_ZONE_FILE"
	[ -z "${NSD_PID:-}" ] || kill -HUP "$NSD_PID"
}
live
