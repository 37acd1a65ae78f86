# route-spf.sh - the route map while SPF lookups hang: 16 route lookups
# waiting on senders whose DNS never answers take every SPF job slot;
# a sender whose verdicts are cached is still routed by them at once.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
testns_start route-spf.data || exit 1
MPORT=$("$FREEPORT"); MAPPORT=$("$FREEPORT")
{
	echo "Syslog no"
	echo "Nameservers 127.0.0.1:$TESTNS_PORT"
	echo "DNSTimeout 4"
	echo "DNSTries 2"
	echo "Dnsbl none"
	echo "MapSocket inet:$MAPPORT@127.0.0.1"
	echo "Egress a 192.0.2.10 helo=mail.example.test transport=smtp-a"
	echo "Egress b 192.0.2.11 helo=mail2.example.test transport=smtp-b"
} >"$TMPDIR_TEST/route.conf"
MLOG=$TMPDIR_TEST/route.log
start_milter "$MLOG" -c "$TMPDIR_TEST/route.conf" -p "inet:$MPORT@127.0.0.1"
wait_for_tcp "$MAPPORT" || fail "the socketmap server starts"
wait_for "$MLOG" "egress b (192.0.2.11): unknown -> ok" 400 ||
    { fail "egress b's first health round is ok"; sed 's/^/#   /' "$MLOG"; }
wait_for "$MLOG" "egress a (192.0.2.10): unknown -> ok" 400 ||
    fail "egress a's first health round is ok"
got=$("$CLIENT" "$MAPPORT" query "route alice@cached.example.test")
check "SPF fails from a for cached.example.test: the route is b (got \"$got\")" [ "$got" = "OK smtp-b:" ]
# 16 senders whose SPF lookups hang (each route lookup gives up after 1 s,
# its SPF job goes on until the DNS times out).
pids=
for i in $(seq 16); do
	"$CLIENT" "$MAPPORT" query "route alice@hang$i.example.test" >/dev/null &
	pids="$pids $!"
done
sleep 0.5
start=$(date +%s%N)
got=$("$CLIENT" "$MAPPORT" query "route bob@cached.example.test")
ms=$((($(date +%s%N) - start) / 1000000))
check "every SPF job slot taken: the cached verdicts still route (got \"$got\")" [ "$got" = "OK smtp-b:" ]
check "... at once, without waiting on DNS (${ms} ms)" [ "$ms" -lt 500 ]
wait $pids
stop_milter
exit $TEST_FAILED
