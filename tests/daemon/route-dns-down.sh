# route-dns-down.sh - a DNS failure never holds mail through the route
# map: when no nameserver answers, every egress's checks end in DNS
# errors (state unknown); the route map then keeps the default egress
# (DUNNO) instead of answering "retry: no healthy egress" for all mail,
# and a known-bad egress still loses to an unknown one.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/log
cat >"$conf" <<CONF
Syslog no
ControlSocket unix:$TMPDIR_TEST/control
Nameservers 127.0.0.1:$(dead_port)
DNSTimeout 1
Dnsbl bl.route.test
MapSocket inet:$MAPPORT@127.0.0.1
Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a
Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b
CONF
start_milter "$log" -c "$conf" -p "inet:$MPORT@127.0.0.1"
check "the socketmap server listens" wait_for_tcp "$MAPPORT"
check "the first round ends in DNS errors for both egresses" \
    wait_log "egress b (203.0.113.211): unknown -> unknown" 60
"$MILTER" -c "$conf" --status >"$TMPDIR_TEST/status" 2>&1
check_contains "--status says the egresses' health is unknown" \
    "$TMPDIR_TEST/status" "findings=dns-error"
got=$("$CLIENT" "$MAPPORT" query "route alice@example.test")
check "the route map keeps the default egress (got \"$got\")" \
    [ "$got" = "OK DUNNO" ]
got=$("$CLIENT" "$MAPPORT" query "route-rcpt bob@example.test")
check "route-rcpt has no say (got \"$got\")" [ "$got" = "NOTFOUND " ]
stop_milter
check "the milter stops cleanly" [ $? -eq 0 ]
exit $TEST_FAILED
