# postfix-check.sh - "egress-milter -t" with PostfixConfig checks the
# Postfix side as postconf and postmap read it: transports in master.cf,
# the route map and status maps (MapSocket), FILTER rules with an
# explicit nexthop (header mode); each problem as FILE:LINE:.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/postfix.sh"
PF=$TMPDIR_TEST/pf
mkdir -p "$PF"
MAP=socketmap:inet:127.0.0.1:8896

# setup MAIN-LINES...: main.cf from those lines, master.cf with egresses
# a and b (b without a status map) and without the retry service.
setup() {
	{ postfix_private_main "$TMPDIR_TEST/spool"; printf '%s\n' "$@"; } >"$PF/main.cf"
	postfix_private_master 2525 | grep -v '^retry' >"$PF/master.cf"
	cat >>"$PF/master.cf" <<CF
smtp-a    unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.2
  -o smtp_delivery_status_filter=$MAP:status-a
smtp-b    unix  -       -       n       -       -       smtp
  -o smtp_bind_address=127.0.0.3
CF
}
# t NAME CONF-LINES...: egress-milter -t; output in $out, status in $rc.
t() {
	local name=$1; shift
	printf '%s\n' "Syslog no" "PostfixConfig $PF" "$@" >"$TMPDIR_TEST/$name.conf"
	out=$TMPDIR_TEST/$name.out
	"$MILTER" -t -c "$TMPDIR_TEST/$name.conf" >"$out" 2>&1
	rc=$?
}
A="Egress a 203.0.113.210 transport=smtp-a"
B="Egress b 203.0.113.211 transport=smtp-b"

setup "sender_dependent_default_transport_maps = hash:/etc/postfix/other"
t maps "MapSocket inet:8896@127.0.0.1" "$A" "$B" "Egress c 203.0.113.212 transport=smtp-c"
check "map mode with problems: -t fails" [ "$rc" -eq 1 ]
check_contains "an Egress transport that is no master.cf service, at its line" "$out" \
    "$TMPDIR_TEST/maps.conf:6: Egress c: transport=smtp-c is not a service in $PF/master.cf"
line=$(grep -n '^sender_dependent_default_transport_maps' "$PF/main.cf" | cut -d: -f1)
check_contains "main.cf without the route map, at the parameter's line" "$out" \
    "$PF/main.cf:$line: sender_dependent_default_transport_maps does not use $MAP:route (MapSocket)"
line=$(grep -n '^smtp-b ' "$PF/master.cf" | cut -d: -f1)
check_contains "an egress transport without its status map, at the service's line" "$out" \
    "$PF/master.cf:$line: service smtp-b (egress b) has no -o smtp_delivery_status_filter=$MAP:status-b"
check_contains "no retry service, at the MapSocket line" "$out" \
    "$TMPDIR_TEST/maps.conf:3: MapSocket: $PF/master.cf has no \"retry unix - - n - - error\" service"
check "egress a's status map is found" sh -c "! grep -q 'egress a)' '$out'"

setup "sender_dependent_default_transport_maps = $MAP:route"
sed -i "s|^smtp-b .*|&\n  -o smtp_delivery_status_filter=$MAP:status-b|" "$PF/master.cf"
echo "retry     unix  -       -       n       -       -       error" >>"$PF/master.cf"
t mapsok "MapSocket inet:8896@127.0.0.1" "$A" "$B"
check "map mode, all in place: -t passes" [ "$rc" -eq 0 ]
check "map mode, all in place: no problem reported" sh -c "! grep -q ':[0-9]*: ' '$out'"

setup
t neither "$A" "$B"
check_contains "neither MapSocket nor milter_header_checks: one problem, at the first Egress line" "$out" \
    "$TMPDIR_TEST/neither.conf:3: neither MapSocket here nor milter_header_checks in $PF/main.cf"

# Header mode: the contrib rule without a nexthop, and a route without one.
printf '%s\n' '/^X-Egress-Route: b$/	FILTER smtp-b:' >"$PF/egress_routes"
setup "milter_header_checks = regexp:$PF/egress_routes"
t header "$A route=ra" "$B"
check "header mode with problems: -t fails" [ "$rc" -eq 1 ]
check_contains "a route without a milter_header_checks rule, at its Egress line" "$out" \
    "$TMPDIR_TEST/header.conf:3: Egress a: route=ra has no milter_header_checks rule"
check_contains "a FILTER without a nexthop, at its Egress line" "$out" \
    "$TMPDIR_TEST/header.conf:4: Egress b: route=b gives \"FILTER smtp-b:\" without a nexthop"
printf '%s\n' '/^X-Egress-Route: b$/	FILTER smtp-b:[192.0.2.1]:25' \
    '/^X-Egress-Route: ra$/	FILTER smtp-a:[192.0.2.1]:25' >"$PF/egress_routes"
t headerok "$A route=ra" "$B"
check "header mode, rules with nexthops: -t passes" [ "$rc" -eq 0 ]
exit $TEST_FAILED
