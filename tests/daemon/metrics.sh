# metrics.sh - MetricsListen: the Prometheus text at /metrics, scraped
# with curl after known traffic (one message rerouted, one tempfailed),
# names and values asserted; 404 elsewhere; the DNS families name the
# tests' server. A keyed zone is labelled by its name= or by the zone
# with its key removed, and the key is nowhere in the scrape; 16 slow
# clients (a byte every 2 s) hold it no longer than the request deadline,
# and 16 from another address not at all (the per-client limit).
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
Dnsbl k3yk3yk3yk3yk3yk3yk3y.keyed.bl2.test
Dnsbl s3cr3ts3cr3ts3cr3ts3cr3t.named.bl2.test name=named-list
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
value_is "a keyed zone is labelled without its key" 'egress_milter_dnsbl_listed{egress="primary",zone="keyed.bl2.test"}' 1
value_is "a zone with name= is labelled by it" 'egress_milter_dnsbl_listed{egress="primary",zone="named-list"}' 1
check "no key is in the scrape" eval "! grep -Eq 'k3yk3y|s3cr3t' '$m'"
check_contains "the reasons name a keyed zone without its key" "$log" "192.0.2.20 listed on keyed.bl2.test (127.0.0.2)"
check_contains "the reasons name a zone by its name=" "$log" "192.0.2.20 listed on named-list (127.0.0.2)"
check "no key is in the log (reasons reach SMTP replies and route answers)" eval "! grep -Eq 'k3yk3y|s3cr3t' '$log'"

# slow_clients SOURCE N SECONDS: N connections from SOURCE, each sending a
# request line and then one byte every 2 s (in the background).
slow_clients() {
	perl -MIO::Socket::INET -e '
	    my ($port, $src, $n, $secs) = @ARGV; my @s;
	    $SIG{PIPE} = "IGNORE";
	    for (1 .. $n) {
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, LocalAddr => $src, Proto => "tcp")
		    or next;
		syswrite($s, "GET /metrics HTTP/1.1\r\nX-Slow: ");
		push @s, $s;
	    }
	    my $end = time + $secs;
	    while (time < $end) { syswrite($_, "x") for @s; sleep 2; }' \
	    "$mport" "$1" "$2" "$3" &
	slow_pid=$!
}
# scrape_within SECONDS: a scrape succeeds within SECONDS; sets $took.
scrape_within() {
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$1" ]; do
		if curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$mport/metrics"; then
			took=$((SECONDS - start)); return 0
		fi
		sleep 0.3
	done
	took=never; return 1
}
slow_clients 127.0.0.2 16 12
sleep 1
scrape_within 2
check "16 slow clients from another address leave room for a scrape (took $took s)" [ "$took" != never ]
kill "$slow_pid" 2>/dev/null; wait "$slow_pid" 2>/dev/null
slow_clients 127.0.0.1 16 16
sleep 1
scrape_within 10
check "16 slow clients from the scraper's address hold /metrics no longer than the 5 s deadline (took $took s)" [ "$took" != never ]
kill "$slow_pid" 2>/dev/null; wait "$slow_pid" 2>/dev/null

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
