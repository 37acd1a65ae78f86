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
    "$TMPDIR_TEST/maps.conf:6: Egress c: transport=smtp-c is not a \"smtp-c unix\" service in $PF/master.cf"
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
# An empty nexthop means the recipient domain's MX (Postfix 2.7 and
# later): with a relayhost, that bypasses it.
printf '%s\n' '/^X-Egress-Route: b$/	FILTER smtp-b:' >"$PF/egress_routes"
setup "milter_header_checks = regexp:$PF/egress_routes" "relayhost = [192.0.2.1]:25"
t header "$A route=ra" "$B"
check "header mode with problems: -t fails" [ "$rc" -eq 1 ]
check_contains "a route without a milter_header_checks rule, at its Egress line" "$out" \
    "$TMPDIR_TEST/header.conf:3: Egress a: route=ra has no milter_header_checks rule"
check_contains "a FILTER without a nexthop under a relayhost, at its Egress line" "$out" \
    "$TMPDIR_TEST/header.conf:4: Egress b: route=b gives \"FILTER smtp-b:\" with an empty nexthop: it goes to the recipient domain's MX and bypasses relayhost = [192.0.2.1]:25; give it as the nexthop (\"FILTER smtp-b:[192.0.2.1]:25\")"
setup "milter_header_checks = regexp:$PF/egress_routes" "relayhost = [192.0.2.1]:25" \
    "default_filter_nexthop = [192.0.2.1]:25"
t headerdfn "$A route=ra" "$B"
check "... default_filter_nexthop fills the empty nexthop: no problem for b" \
    sh -c "! grep -q 'Egress b:' '$out'"
setup "milter_header_checks = regexp:$PF/egress_routes"
t headernorelay "$A route=ra" "$B"
check "without relayhost an empty nexthop is no problem (Postfix 2.7 and later)" \
    sh -c "! grep -q 'Egress b:' '$out'"
# The default transport's egress needs no rule: no FILTER is its route.
t headerdefault "Egress p 203.0.113.209 transport=smtp" "$B"
check "the egress of default_transport (smtp) needs no FILTER rule" \
    sh -c "! grep -q 'Egress p:' '$out'"
printf '%s\n' '/^X-Egress-Route: b$/	FILTER smtp-b:[192.0.2.1]:25' \
    '/^X-Egress-Route: ra$/	FILTER smtp-a:[192.0.2.1]:25' >"$PF/egress_routes"
t headerok "$A route=ra" "$B"
check "header mode, rules with nexthops: -t passes" [ "$rc" -eq 0 ]
# Debian 12's stock master.cf as shipped (tests/fixtures/postfix/master.cf.debian,
# the postfix package's master.cf.dist): "smtp inet ... smtpd" (line 12)
# comes before "smtp unix ... smtp" (line 66). transport=smtp is the
# second; the status filter added to it (as postconf -P would) counts.
{ postfix_private_main "$TMPDIR_TEST/spool"
  echo "sender_dependent_default_transport_maps = $MAP:route"; } >"$PF/main.cf"
cp "$SRCDIR/tests/fixtures/postfix/master.cf.debian" "$PF/master.cf"
P="Egress primary 203.0.113.210 transport=smtp"
t stock "MapSocket inet:8896@127.0.0.1" "$P"
check "stock Debian master.cf, no status filter yet: -t fails" [ "$rc" -eq 1 ]
check_contains "the missing filter is reported at smtp unix (line 66), not smtp inet" "$out" \
    "$PF/master.cf:66: service smtp (egress primary) has no -o smtp_delivery_status_filter=$MAP:status-primary"
check "nothing reported at smtp inet (line 12)" sh -c "! grep -q 'master.cf:12:' '$out'"
sed -i "66a\\  -o smtp_delivery_status_filter=$MAP:status-primary" "$PF/master.cf"
check "postconf -P shows the filter on smtp/unix" sh -c \
    "postconf -c '$PF' -P smtp/unix/smtp_delivery_status_filter | grep -q status-primary"
t stockok "MapSocket inet:8896@127.0.0.1" "$P"
check "stock Debian master.cf with the filter on smtp unix: -t passes" [ "$rc" -eq 0 ]
check "stock Debian master.cf: no problem reported" sh -c "! grep -q ':[0-9]*: ' '$out'"
# A name that is only an inet service is no transport.
sed -i 's/^smtp      unix/#smtp      unix/' "$PF/master.cf"
t stockinet "MapSocket inet:8896@127.0.0.1" "$P"
check_contains "transport=smtp with only smtp inet: not a unix service" "$out" \
    "Egress primary: transport=smtp is not a \"smtp unix\" service in $PF/master.cf"
exit $TEST_FAILED
