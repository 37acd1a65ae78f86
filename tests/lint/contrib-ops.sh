# contrib-ops.sh - the monitoring files in contrib/ work with the
# daemon as it is: the Nagios commands run and print a Nagios line, every
# metric the Prometheus alert rules use is exported at /metrics, and the
# daily summary unit's pipeline produces the report.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1
port=$("$FREEPORT") mport=$("$FREEPORT")
log=$TMPDIR_TEST/milter.log conf=$TMPDIR_TEST/em.conf out=$TMPDIR_TEST/out
printf '%s\n' "Egress primary 192.0.2.10 helo=mail.example.test" "Dnsbl bl.test" \
    "Nameservers 127.0.0.1:$DNS_PORT" "Syslog no" "ControlSocket unix:$TMPDIR_TEST/control" \
    "MetricsListen 127.0.0.1:$mport" >"$conf"
start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"
check "the first round is done" wait_log "egress primary (192.0.2.10): unknown -> ok" 10

# Nagios: each command_line, with this build and this configuration.
cfg=$SRCDIR/contrib/nagios/egress-milter.cfg
for name in check_egress_local check_egress_dns_local; do
	cmd=$(awk -v n="$name" '$1 == "command_name" && $2 == n { f = 1 }
	    f && $1 == "command_line" { sub(/^[ \t]*command_line[ \t]*/, ""); print; exit }' "$cfg")
	check "nagios: $name has a command_line" [ -n "$cmd" ]
	cmd=${cmd//\/usr\/sbin\/egress-milter/$MILTER}
	cmd=${cmd//\/etc\/egress-milter.conf/$conf}
	eval "$cmd" >"$out" 2>&1
	check "nagios: $name exits 0 (OK)" [ $? -eq 0 ]
	check "nagios: $name prints one Nagios line with perfdata" \
	    grep -qE '^EGRESS OK - .* \| egresses_ok=1;;;0;1' "$out"
done
check_contains "icinga2: the --status command" "$SRCDIR/contrib/nagios/egress-milter.conf.icinga2" \
    '"/usr/sbin/egress-milter", "--status"'

# Prometheus: the rules parse, and every metric they use is exported.
rules=$SRCDIR/contrib/prometheus/egress-milter.rules.yml
python3 - "$rules" >"$TMPDIR_TEST/alerts" 2>&1 <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for group in doc["groups"]:
    for rule in group["rules"]:
        assert rule["alert"] and rule["expr"], rule
        print(rule["alert"])
PY
check "prometheus: the rules file is YAML with alert and expr in every rule" [ $? -eq 0 ]
for alert in EgressListed EgressRefused NoHealthyEgress; do
	check "prometheus: alert $alert" grep -qx "$alert" "$TMPDIR_TEST/alerts"
done
curl -sS "http://127.0.0.1:$mport/metrics" >"$TMPDIR_TEST/metrics"
for metric in $(grep -o 'egress_milter_[a-z_]*' "$rules" | sort -u); do
	check "prometheus: $metric is exported at /metrics" \
	    grep -q "^# TYPE $metric " "$TMPDIR_TEST/metrics"
done
if command -v promtool >/dev/null; then
	check "promtool accepts the rules" promtool check rules "$rules"
fi
stop_milter

# The daily summary: the unit's pipeline, with the journal and mail(1)
# replaced by the kept log and a file.
unit=$BUILDDIR/contrib/systemd/egress-milter-summary.service
check "the summary unit is built" [ -f "$unit" ]
line=$(sed -n "s/^ExecStart=\/bin\/sh -c '\(.*\)'$/\1/p" "$unit")
check "the summary unit runs a pipeline through /bin/sh" [ -n "$line" ]
line=${line//\$\$/\$}
line=$(echo "$line" | sed -e "s#^journalctl [^|]*|#cat '$SRCDIR/tests/fixtures/summary/maillog' |#" \
    -e "s#| mail -s .*#> '$TMPDIR_TEST/mailed'#" -e "s#[^ ]*/sbin/egress-milter#$MILTER#")
/bin/sh -c "$line"
check "the summary pipeline runs" [ $? -eq 0 ]
check_contains "the mailed report holds the summary" "$TMPDIR_TEST/mailed" "Messages: 8"
check_contains "the unit mails to root with a subject" "$unit" 'mail -s "egress-milter summary'
check_contains "the unit reads the journal in a format --summary reads" "$unit" \
    "journalctl -q -o short-iso -t egress-milter --since -24h"
timer=$SRCDIR/contrib/systemd/egress-milter-summary.timer
check_contains "the timer runs daily" "$timer" "OnCalendar=*-*-* 06:00:00"
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$unit" "$timer" 2>&1 | grep -v "Command 'man " >"$out"
	check "systemd-analyze verify finds nothing wrong with the units" [ ! -s "$out" ]
	sed 's/^/#   /' "$out"
fi
exit $TEST_FAILED
