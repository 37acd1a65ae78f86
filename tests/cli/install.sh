# install.sh - a clean install: configure's paths reach the binary, the
# man pages, the systemd unit and the default configuration, which all
# name the same file; the unit stays under the prefix (and goes to
# /lib/systemd/system with --prefix=/usr); nothing is written outside
# the prefix; the default configuration is installed once and never
# overwritten; a reconfigure rebuilds what embeds a path.
#
# Builds a second, plain tree (no sanitizers, -O0, -j2) in a temporary
# VPATH directory, from the source tree (or, when that is configured
# in place, from "make distdir").
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
T=$TMPDIR_TEST
src=$SRCDIR
if [ -f "$SRCDIR/config.status" ]; then
	make -s -C "$BUILDDIR" distdir distdir="$T/src" >"$T/distdir.log" 2>&1
	check "make distdir gives a source tree to configure" [ -x "$T/src/configure" ]
	src=$T/src
fi
mkdir "$T/build"
cd "$T/build" || exit 1

# build_install LOG DESTDIR CONFIGURE-ARGS...: configure, make, install.
build_install() {
	local log=$1 dest=$2; shift 2
	"$src/configure" -q CFLAGS=-O0 "$@" >"$log" 2>&1 &&
	make -s -j2 >>"$log" 2>&1 &&
	make -s install DESTDIR="$dest" >>"$log" 2>&1
}
show_log() { sed 's/^/#   /' "$1" | tail -20; }

# outside DESTDIR PREFIX...: the files under DESTDIR outside every PREFIX.
outside() {
	local dest=$1; shift
	(cd "$dest" && find . -type f | sed 's|^\.||') | while read -r f; do
		local ok=no p
		for p in "$@"; do case "$f" in "$p"/*) ok=yes ;; esac; done
		[ $ok = yes ] || echo "$f"
	done
}

# agree DEST SBINDIR CONFPATH MANDIR UNITDIR: every installed file names
# CONFPATH as the configuration.
agree() {
	local dest=$1 sbin=$2 conf=$3 man=$4 unit=$5 what=$6
	"$dest$sbin/egress-milter" -h >"$T/h.out" 2>&1
	check_contains "$what: -h names $conf" "$T/h.out" "(default $conf;"
	check_contains "$what: egress-milter(8) names $conf" "$dest$man/man8/egress-milter.8" "$conf"
	check_contains "$what: egress-milter.conf(5) names $conf" "$dest$man/man5/egress-milter.conf.5" "$conf"
	check "$what: the unit is in $unit" [ -f "$dest$unit/egress-milter.service" ]
	check_contains "$what: the unit names $conf" "$dest$unit/egress-milter.service" "$conf"
	check_contains "$what: the unit runs $sbin/egress-milter" "$dest$unit/egress-milter.service" \
	    "ExecStart=$sbin/egress-milter -f"
	check "$what: the default configuration is installed as $conf" [ -f "$dest$conf" ]
	check_contains "$what: the default configuration names its own path" "$dest$conf" "# $conf"
	check "$what: the pages have no unsubstituted @PATHS@" \
	    eval '! grep -l "@[A-Z]*@" "$dest$man/man8/egress-milter.8" "$dest$man/man5/egress-milter.conf.5" "$dest$unit/egress-milter.service" "$dest$conf"'
	"$dest$sbin/egress-milter" -t -c "$dest$conf" >"$T/t.out" 2>&1
	check "$what: the default configuration passes -t" [ $? -eq 0 ]
	"$dest$sbin/egress-milter" -t -c /dev/null >"$T/t0.out" 2>&1
	check "$what: it gives the built-in defaults (the egresses and zones of an empty file)" \
	    [ "$(grep -v "configuration OK" "$T/t.out" | grep -v '^#')" = \
	      "$(grep -v "configuration OK" "$T/t0.out" | grep -v '^#')" ]
}

P=$T/opt/em
D=$T/dest
if build_install "$T/build1.log" "$D" --prefix="$P" --sysconfdir="$P/etc"; then
	pass "configure --prefix=$P && make install DESTDIR=..."
else
	fail "configure --prefix=$P && make install DESTDIR=..."; show_log "$T/build1.log"
fi
agree "$D" "$P/sbin" "$P/etc/egress-milter.conf" "$P/share/man" "$P/lib/systemd/system" "--prefix=$P"
outside "$D" "$P" >"$T/outside"
check "--prefix=$P: nothing is installed outside the prefix" [ ! -s "$T/outside" ]
[ -s "$T/outside" ] && show_log "$T/outside"

echo "Socket inet:9999@127.0.0.1  # the operator's own line" >>"$D$P/etc/egress-milter.conf"
make -s install DESTDIR="$D" >"$T/install2.log" 2>&1
check "a second make install succeeds" [ $? -eq 0 ]
check_contains "a second make install keeps the operator's configuration" \
    "$D$P/etc/egress-milter.conf" "# the operator's own line"
check_contains "a second make install says it left the file" "$T/install2.log" \
    "egress-milter.conf exists: left as it is"
check "the default configuration is installed once (one header)" \
    [ "$(grep -c '^# Installed by "make install"' "$D$P/etc/egress-milter.conf")" -eq 1 ]

# Reconfigure the same tree: the objects that embed a path are rebuilt.
D2=$T/dest2
if build_install "$T/build2.log" "$D2" --prefix=/usr --sysconfdir=/etc; then
	pass "reconfigure --prefix=/usr --sysconfdir=/etc && make install DESTDIR=..."
else
	fail "reconfigure --prefix=/usr --sysconfdir=/etc && make install DESTDIR=..."; show_log "$T/build2.log"
fi
agree "$D2" /usr/sbin /etc/egress-milter.conf /usr/share/man /lib/systemd/system "after a reconfigure, --prefix=/usr"
outside "$D2" /usr /etc /lib/systemd/system >"$T/outside2"
check "--prefix=/usr: only /usr, /etc/egress-milter.conf and the unit" [ ! -s "$T/outside2" ]
exit $TEST_FAILED
