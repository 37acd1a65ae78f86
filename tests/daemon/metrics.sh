# metrics.sh - MetricsListen: the Prometheus text at /metrics, scraped
# with curl after known traffic (one message rerouted, one tempfailed),
# names and values asserted; 404 elsewhere; the DNS families name the
# tests' server.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
command -v curl >/dev/null || { fail "curl is installed"; exit 1; }
port=$("$FREEPORT")
mport=$("$FREEPORT")
log=$TMPDIR_TEST/milter.log
cat >"$TMPDIR_TEST/m.conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
ControlSocket none
MetricsListen 127.0.0.1:$mport
Egress primary 192.0.2.20 helo=mail2.example.test route=primary
Egress backup 192.0.2.10 helo=mail.example.test route=backup
Dnsbl bl.test
Dnsbl bl2.test
CONF
start_milter "$log" -c "$TMPDIR_TEST/m.conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"
check "the metrics endpoint listens" wait_for_tcp "$mport"

send_one "$port" alice@pass.spf.test accept		# rerouted to backup
send_one "$port" alice@fail.spf.test reply		# SPF fails on both
m=$TMPDIR_TEST/metrics
curl -sS -D "$TMPDIR_TEST/headers" "http://127.0.0.1:$mport/metrics" >"$m"
check "curl gets /metrics" [ $? -eq 0 ]
check_contains "Content-Type is the text format 0.0.4" "$TMPDIR_TEST/headers" \
    "Content-Type: text/plain; version=0.0.4"
# value_is NAME SERIES VALUE: the line "SERIES VALUE" is in the scrape.
value_is() {
	if grep -qxF -- "$2 $3" "$m"; then pass "$1"
	else fail "$1 (expected \"$2 $3\"; got: $(grep -F -- "${2%%\{*}" "$m" | head -5 | tr '\n' '|'))"; fi
}
value_is "one message rerouted" 'egress_milter_messages_total{action="reroute"}' 1
value_is "one message tempfailed" 'egress_milter_messages_total{action="tempfail"}' 1
value_is "no message accepted as is" 'egress_milter_messages_total{action="accept"}' 0
value_is "both messages had the finding listed" 'egress_milter_message_findings_total{finding="listed"}' 2
value_is "the listed egress: state 2 (critical)" 'egress_milter_egress_state{egress="primary"}' 2
value_is "the healthy egress: state 0 (ok)" 'egress_milter_egress_state{egress="backup"}' 0
value_is "per-zone listing: primary on bl.test" 'egress_milter_dnsbl_listed{egress="primary",zone="bl.test"}' 1
value_is "per-zone listing: primary on bl2.test" 'egress_milter_dnsbl_listed{egress="primary",zone="bl2.test"}' 1
value_is "per-zone listing: backup on bl.test" 'egress_milter_dnsbl_listed{egress="backup",zone="bl.test"}' 0
value_is "the latency histogram counts both decisions" 'egress_milter_decision_duration_seconds_count' 2
value_is "the +Inf bucket holds every decision" 'egress_milter_decision_duration_seconds_bucket{le="+Inf"}' 2
value_is "no refusal learned" 'egress_milter_refusals_learned_total' 0
value_is "no route-map lookup" 'egress_milter_route_map_lookups_total' 0
value_is "the tests' nameserver is up" "egress_milter_dns_server_up{server=\"127.0.0.1:$DNS_PORT\"}" 1
value_is "no timeout from it" "egress_milter_dns_errors_total{kind=\"timeout\",server=\"127.0.0.1:$DNS_PORT\"}" 0
hits=$(sed -n 's/^egress_milter_dns_cache_hits_total //p' "$m")
misses=$(sed -n 's/^egress_milter_dns_cache_misses_total //p' "$m")
counted() { [ "${hits:-0}" -gt 0 ] && [ "${misses:-0}" -gt 0 ]; }
check "the DNS cache counted hits ($hits) and misses ($misses)" counted
check "every family has HELP and TYPE lines" [ "$(grep -c '^# TYPE egress_milter_' "$m")" -eq "$(grep -c '^# HELP egress_milter_' "$m")" ]
check "every sample is named egress_milter_*" eval "! grep -v '^#' '$m' | grep -qv '^egress_milter_'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")
check "another path: 404" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$mport/metrics")
check "another method: 405" [ "$code" = 405 ]
if command -v promtool >/dev/null; then
	check "promtool accepts the exposition" promtool check metrics <"$m"
fi
stop_milter
check "the milter stops cleanly with the endpoint open" [ $? -eq 0 ]
(exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null
check "the endpoint is closed after the stop" [ $? -ne 0 ]
exit $TEST_FAILED
