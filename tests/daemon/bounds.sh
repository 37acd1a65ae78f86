# bounds.sh - the milter's bounds against stalled, many and big peers:
# MilterTimeout drops a client stalled in the middle of a command, MaxConnections tempfails the
# connection over the cap (and says so once in the log), RLIMIT_NOFILE
# is raised to the hard limit and the cap derived from it, and a header
# field of 100 KiB (Postfix's header_size_limit is 102400) is taken.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start || exit 1


# The soft limit starts low; the milter raises it to the hard limit.
ulimit -Sn 256
start_case timeout "Dnsbl none" "Egress primary 192.0.2.10 helo=mail.example.test" \
    "MilterTimeout 1"
hard=$(awk '/^Max open files/ { print $5 }' "/proc/$MILTER_PID/limits")
soft=$(awk '/^Max open files/ { print $4 }' "/proc/$MILTER_PID/limits")
check "RLIMIT_NOFILE: the soft limit is raised to the hard limit ($soft = $hard)" \
    [ "$soft" = "$hard" ]
check_contains "the derived connection cap is logged" "$TMPDIR_TEST/timeout.log" \
    "at most $((hard - 64)) connections (open-file limit $hard), idle ones closed after 1 s"
out=$(timeout 20 "$MILTERCLIENT" -p "$PORT" idle)
secs=$(echo "$out" | sed -n 's/^closed after \([0-9]*\) s$/\1/p')
check "MilterTimeout 1: a client stalled mid-command is dropped within 3 s ($out)" \
    [ -n "$secs" ] && [ "${secs:-99}" -le 3 ]
out=$(timeout 20 "$MILTERCLIENT" -p "$PORT" message -H 102400)
check "a 100 KiB header field is taken and the message decided ($out)" \
    [ "$out" = "verdicts a=1 t=0 r=0 y4=0 y5=0 other=0 dropped=0" ]
stop_milter

start_case cap "Dnsbl none" "Egress primary 192.0.2.10 helo=mail.example.test" \
    "MaxConnections 5"
out=$(timeout 30 "$MILTERCLIENT" -p "$PORT" -c 5 hold)
check "MaxConnections 5: five connections are served" grep -qx "held 5" <<<"$out"
check "MaxConnections 5: the sixth is tempfailed at connect" grep -qx "extra: t" <<<"$out"
timeout 30 "$MILTERCLIENT" -p "$PORT" -c 5 hold >/dev/null
check_contains "reaching the cap is logged" "$TMPDIR_TEST/cap.log" \
    "connection limit reached: MaxConnections 5 connections are open"
check "the notice is rate-limited (one line for two refusals)" \
    [ "$(grep -c 'connection limit reached' "$TMPDIR_TEST/cap.log")" -eq 1 ]
out=$(timeout 20 "$MILTERCLIENT" -p "$PORT" message -n 3)
check "below the cap again, messages are decided ($out)" \
    [ "$out" = "verdicts a=3 t=0 r=0 y4=0 y5=0 other=0 dropped=0" ]
stop_milter
rc=$?
check "the milter stops cleanly (exit status $rc)" [ $rc -eq 0 ]
exit $TEST_FAILED
