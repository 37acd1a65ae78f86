# fuzz.sh - every fuzz harness (tests/fuzz/fuzz_*.c) replayed over its
# seed corpus (tests/fuzz/corpus/NAME) and every input that once crashed
# it (tests/fuzz/regress/NAME): a crash here is a regression. "make fuzz"
# runs the harnesses under libFuzzer; this only replays.
set -u
. "$SRCDIR/tests/lib.sh"
for name in conf from dmarc dns generic codes spf map; do
	replay="$BUILDDIR/tests/fuzz/replay_$name"
	if [ ! -x "$replay" ]; then
		fail "$name: the replay program is built"
		continue
	fi
	"$replay" "$SRCDIR/tests/fuzz/corpus/$name" "$SRCDIR/tests/fuzz/regress/$name"
	check "$name: the replay exits 0" [ $? -eq 0 ]
done
# ldns 1.8.3 leaks the first TSIG record of an answer with two (its
# ldns_wire2pkt(), not this project's code): replayed for memory errors,
# without leak detection.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    "$BUILDDIR/tests/fuzz/replay_dns" "$SRCDIR/tests/fuzz/known-ldns-leak"
check "dns: answers with two TSIG records (a known ldns leak) do not crash" [ $? -eq 0 ]
exit $TEST_FAILED
