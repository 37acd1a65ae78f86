#!/bin/bash
# bench-dns SRCDIR BUILDDIR - prints the DNS cache figures (bench_dns)
# with the tests' own NSD. "make bench" runs it; it is not a test.
SRCDIR=$(cd "${1:-.}" && pwd)
BUILDDIR=$(cd "${2:-.}" && pwd)
export SRCDIR BUILDDIR
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
dns_start >/dev/null || { echo "NSD did not start"; exit 1; }
"$BUILDDIR/tests/bench/bench_dns"
