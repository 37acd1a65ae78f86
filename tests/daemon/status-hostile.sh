# status-hostile.sh - --status under hostile input: a learned refusal's
# destination and text with terminal escape sequences are printed
# escaped as the log escapes them (\xHH), never raw; a client of the
# control socket trickling one byte every 1.5 s is cut at the request's
# deadline, so --status still answers.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1

MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
ctl=$TMPDIR_TEST/control
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/milter.log
cat >"$conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
DNSTimeout 1
Dnsbl bl.route.test
MapSocket inet:$MAPPORT@127.0.0.1
ControlSocket unix:$ctl
RefusalBackoff 60
Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a
Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b
CONF
start_milter "$log" -c "$conf" -p "inet:$MPORT@127.0.0.1"
check "the socketmap server listens" wait_for_tcp "$MAPPORT"
check "the first round is over" wait_log "egress b (203.0.113.211): unknown -> ok" 10

# A remote server's reply naming a host with ESC [2J (clear screen) and a
# bell: Postfix passes it to the status map as it came.
esc=$(printf '\033')
bel=$(printf '\007')
refusal="status-a 5.7.1 host mx${esc}[2J.dest.test[192.0.2.1] said: 554 5.7.1 Service unavailable; Client host [203.0.113.210] blocked using remote-bl.route.test ${esc}]0;owned${bel} (in reply to RCPT TO command)"
got=$("$CLIENT" "$MAPPORT" query "$refusal")
case $got in OK\ 4.7.1*) pass "the refusal is learned" ;;
*) fail "the refusal is learned (got \"$got\")" ;; esac
out=$TMPDIR_TEST/status.txt
"$MILTER" --status -c "$conf" >"$out" 2>&1
check_contains "--status (text): the destination escaped as the log does" "$out" \
    ' by mx\x1b[2J.dest.test[192.0.2.1] until '
check_contains "--status (text): the refusal's text escaped" "$out" \
    'remote-bl.route.test \x1b]0;owned\x07'
check "--status (text): no ESC or BEL byte reaches the terminal" \
    eval "! LC_ALL=C grep -q '[$esc$bel]' '$out'"
"$MILTER" --status --json -c "$conf" >"$TMPDIR_TEST/status.json" 2>&1
check "--status --json: valid JSON" eval "jq -e . '$TMPDIR_TEST/status.json' >/dev/null"
check "--status --json: plain ASCII (ESC and BEL written as \\u00XX)" \
    eval "! LC_ALL=C grep -q '[^ -~]' '$TMPDIR_TEST/status.json' && grep -qF 'mx\\u001b[2J' '$TMPDIR_TEST/status.json'"
check "--status --json: the destination, whole" \
    [ "$(jq -r '.egress[] | select(.name == "a") | .refusals[0].destination' "$TMPDIR_TEST/status.json")" = "mx${esc}[2J.dest.test[192.0.2.1]" ]

# A same-user client sends one byte every 1.5 s for 20 s: the control
# socket's deadline is per request, so --status answers within 8 s.
perl -MIO::Socket::UNIX -e '
    my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1;
    $SIG{PIPE} = "IGNORE";
    my $end = time + 20;
    while (time < $end) { syswrite($s, "s") or last; select(undef, undef, undef, 1.5); }' "$ctl" &
slow=$!
sleep 0.5
start=$SECONDS
"$MILTER" --status -T 8 -c "$conf" >"$out" 2>&1
rc=$?
took=$((SECONDS - start))
# The back-off in force makes the overall state WARNING (exit 1): mail
# avoids egress a toward that receiver.
check "a trickling client does not keep --status from answering (exit $rc, $took s)" [ $rc -eq 1 ] && [ $took -lt 6 ]
check_contains "--status answers in full" "$out" "EGRESS WARNING - 2 of 2 egresses ok"
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null
stop_milter
exit $TEST_FAILED
