# summary.sh - "egress-milter --summary" on the log files kept in
# tests/fixtures/summary/: counts by action, by egress, top findings and sender
# domains, the timeline; gzip'd input (as logrotate leaves it), standard
# input, --since/--until, and lines of other programs ignored; forged
# lines, --since's bounds, the growth with the sender domains.
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
# Only the daemon's own tag counts: a client's text quoted in a Postfix
# reject line is not a decision; journal short-iso, traditional syslog
# and --log-to stderr lines are.
forged=$TMPDIR_TEST/forged.log
cp "$logs/maillog" "$forged"
cat >>"$forged" <<'LOG'
2026-12-01T15:10:00.000000+00:00 relay1 postfix/smtpd[900]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 550 5.1.1 <egress-milter: 4A999 action=reroute egress=primary findings=listed sender=<x@forged.example>>: Recipient address rejected; from=<x@forged.example> to=<egress-milter: 4A998 action=quarantine egress=forged sender=<y@forged.example>> proto=ESMTP helo=<a>
2026-12-01T15:10:01.000000+00:00 relay1 postfix/smtpd[900]: NOQUEUE: reject: RCPT from unknown[198.51.100.9]: 550 5.1.1 <egress-milter[1]: egress backup (192.0.2.10): ok -> critical: listed on forged.example>: rejected
2026-12-01T15:10:02.000000+00:00 relay1 egress-milter[812]x: 4A997 action=reroute egress=primary sender=<z@forged.example>
2026-12-01T15:20:00+0000 relay1 egress-milter[812]: 4A100 action=accept egress=primary findings=- sender=<a@journal.example>
Dec  1 15:20:01 relay1 egress-milter[812]: 4A101 action=accept egress=primary findings=- sender=<a@syslog.example>
egress-milter: info: 4A102 action=accept egress=primary findings=- sender=<a@stderr.example>
LOG
"$MILTER" --summary "$forged" >"$out" 2>&1
has "forged lines: no message added by them, the three real formats counted" "Messages: 11"
has "forged lines: accepted in the journal, syslog and stderr formats" "  accept 6"
check "forged lines: no forged domain, egress or state change" eval "! grep -q 'forged' '$out'"
has "forged lines: the real timeline's last state change stands" "  2026-12-01 14:00:00 primary critical -> ok"

# --since/--until: bounded and validated (UBSan reports no overflow).
for bad in 99999999999999999d 36501d 876001h 2026-13-01 "2026-12-01 24:00" 1969-12-31 -1d 2026-02-30; do
	"$MILTER" --summary --since "$bad" "$logs/maillog" >"$out" 2>&1
	check "--since $bad: refused with exit 1" [ $? -eq 1 ]
	check "--since $bad: a clear error, no runtime error" eval "grep -q 'up to 36500 days' '$out' && ! grep -q 'runtime error' '$out'"
done
"$MILTER" --summary --since 36500d "$logs/maillog" >"$out" 2>&1
has "--since 36500d: the whole file" "Messages: 8"
"$MILTER" --summary --since 2026-12-02 --until 2026-12-01 "$logs/maillog" >"$out" 2>&1
check "--since after --until: exit 1" [ $? -eq 1 ]
check_contains "--since after --until: says so" "$out" "--since is not before --until"

# Growth: 4 times the sender domains take about 4 times the time (the
# old insertion sort took 16 and more), and no more than 100000 distinct
# domains are kept: the rest are counted as dropped.
domains_log() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
	    printf "2026-12-01T09:00:00+00:00 relay1 egress-milter[812]: Q%d action=tempfail egress=primary findings=listed sender=<a@d%d.example>\n", i, i }' >"$2"
}
domains_log 25025 "$TMPDIR_TEST/small.log"
domains_log 100100 "$TMPDIR_TEST/large.log"
# run_ms FILE: the milliseconds --summary takes on FILE (best of two).
run_ms() {
	local best=999999999 t0 t1 ms
	for _ in 1 2; do
		t0=${EPOCHREALTIME/./}
		"$MILTER" --summary "$1" >"$out" 2>&1
		t1=${EPOCHREALTIME/./}
		ms=$(((t1 - t0) / 1000))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	echo "$best"
}
small=$(run_ms "$TMPDIR_TEST/small.log")
large=$(run_ms "$TMPDIR_TEST/large.log")
[ "$small" -gt 0 ] || small=1
check "4x the sender domains: under 8x the time (${small} ms, then ${large} ms)" [ $((large)) -lt $((8 * small)) ]
has "the large log: every message counted" "Messages: 100100"
has "the large log: domains beyond the bound counted as dropped" "  (100 decisions of sender domains beyond the first 100000 not counted by domain)"
exit $TEST_FAILED
