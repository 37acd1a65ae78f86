# summary.sh - "egress-milter --summary" on the log files kept in
# tests/fixtures/summary/: counts by action, by egress, top findings and sender
# domains, the timeline; gzip'd input (as logrotate leaves it), standard
# input, --since/--until, and lines of other programs ignored.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
export TZ=UTC
logs=$SRCDIR/tests/fixtures/summary
out=$TMPDIR_TEST/out
gzip -c "$logs/maillog.1" >"$TMPDIR_TEST/maillog.1.gz"

# has NAME TEXT: the report holds the line TEXT (spaces squeezed).
has() {
	if tr -s ' ' <"$out" | grep -qxF -- "$(echo "$2" | tr -s ' ')"; then pass "$1"
	else fail "$1 (no line \"$2\")"; sed 's/^/#   /' "$out"; fi
}

"$MILTER" --summary "$logs/maillog" >"$out" 2>&1
check "one plain file: exit 0" [ $? -eq 0 ]
has "the time span and the lines read" "egress-milter summary: 2026-12-01 08:00:00 to 2026-12-01 15:00:00, 18 log lines"
has "messages in all" "Messages: 8"
has "accepted" "  accept 3"
has "rerouted" "  reroute 2"
has "held" "  quarantine 1"
has "tempfailed" "  tempfail 2"
has "by egress: primary with each action" "  primary 7 2 0 2 1 2 0"
has "by egress: backup" "  backup 1 1 0 0 0 0 0"
has "top finding: listed" "  listed 4"
has "findings: spf-fail" "  spf-fail 2"
has "sender domains tempfailed: shop.example" "  shop.example 1"
has "sender domains tempfailed: the null sender" "  <> 1"
has "sender domains rerouted: case folded" "  customer.example 2"
has "timeline: the listing, with its zone" "  2026-12-01 12:00:05 primary ok -> critical listed on bl.test"
has "timeline: the recovery" "  2026-12-01 14:00:00 primary critical -> ok"
has "timeline: the nameserver outage" "  2026-12-01 13:00:00 nameserver 127.0.0.1:53 does not answer"
has "timeline: the nameserver back" "  2026-12-01 13:00:40 nameserver 127.0.0.1:53 answers again"
has "timeline: a refusal learned, with its destination and back-off" "  2026-12-01 14:20:00 backup       refused by mx.dest.example[198.51.100.25] for 3600 s"
has "timeline: the end of its back-off" "  2026-12-01 14:50:00 backup       refusal back-off over"
check "another program's action= line is not counted" eval "! grep -q 'not-ours\|reject *1' '$out'"

"$MILTER" --summary "$logs/maillog" "$TMPDIR_TEST/maillog.1.gz" >"$out" 2>&1
check "plain and gzip'd files: exit 0" [ $? -eq 0 ]
has "gzip'd: its messages are counted too" "Messages: 10"
has "gzip'd: tempfailed in all" "  tempfail 3"
has "gzip'd: shop.example tempfailed twice" "  shop.example 2"
check "gzip'd: its state change is in the timeline" eval "tr -s ' ' <'$out' | grep -q ' 12:00:00 backup ok -> warning$'"

gzip -c "$logs/maillog" | "$MILTER" --summary >"$out" 2>&1
check "gzip'd standard input: exit 0" [ $? -eq 0 ]
has "standard input: read when no file is named" "Messages: 8"

"$MILTER" --summary --since "2026-12-01 12:00" "$logs/maillog" >"$out" 2>&1
has "--since: only the lines from then" "Messages: 6"
has "--since: the rerouted ones are in" "  reroute 2"
"$MILTER" --summary --until "2026-12-01 12:00" "$logs/maillog" >"$out" 2>&1
has "--until: only the lines before" "Messages: 2"
has "--until: no listing yet" "  2026-12-01 08:00:00 primary unknown -> ok"
check "--until: the later timeline is left out" eval "! grep -q 'critical' '$out'"
"$MILTER" --summary --since "2026-12-01T12:03:00" --until "2026-12-01T12:04:30" "$logs/maillog" >"$out" 2>&1
has "--since and --until together (with seconds)" "Messages: 2"

"$MILTER" --summary --since yesterday "$logs/maillog" >"$out" 2>&1
check "--since with a time it cannot read: exit 1" [ $? -eq 1 ]
check_contains "--since: says which forms it reads" "$out" "YYYY-MM-DD"
"$MILTER" --summary "$TMPDIR_TEST/none.log" >"$out" 2>&1
check "an unreadable file: exit 1" [ $? -eq 1 ]
check_contains "an unreadable file is named" "$out" "cannot read $TMPDIR_TEST/none.log"
"$MILTER" --since 1d -t >"$out" 2>&1
check "--since without --summary is refused" [ $? -eq 1 ]
exit $TEST_FAILED
