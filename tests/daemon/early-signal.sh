# early-signal.sh - a SIGHUP sent the moment the milter socket exists
# (a test, logrotate's postrotate, a configuration tool) is a reload,
# not the end of the daemon: the signals are blocked before the socket
# is opened and taken by the reload handler once it is ready.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
dead=$("$FREEPORT" -u)
conf=$TMPDIR_TEST/em.conf
cat >"$conf" <<CONF
Dnsbl none
Syslog no
ControlSocket none
Nameservers 127.0.0.1:$dead
DNSTimeout 1
CONF
for round in 1 2 3 4 5; do
	sock=$TMPDIR_TEST/milter$round.sock
	log=$TMPDIR_TEST/log$round
	start_milter "$log" -c "$conf" -p "unix:$sock"
	# Spin, not sleep: the signal must come as soon as the socket is there.
	# (No $(seq ...): making its list would outlast the moment.)
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 2000000 ]; do
		i=$((i + 1))
	done
	kill -HUP "$MILTER_PID"
	check "round $round: the daemon outlives a SIGHUP at its first moment" \
	    wait_log "configuration reloaded" 10
	check "round $round: it still runs" kill -0 "$MILTER_PID"
	stop_milter
	check "round $round: it stops cleanly" [ $? -eq 0 ]
done
exit $TEST_FAILED
