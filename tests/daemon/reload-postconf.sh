# reload-postconf.sh - the reload's postconf (EgressFrom postfix:DIR):
# started by posix_spawn with an environment of its own (PATH only),
# standard input /dev/null and no descriptor of the daemon's (its
# listening sockets stay in the daemon), and killed when it does not
# finish within 10 s: the running configuration stays in force and the
# daemon goes on. postconf is made to hang by a main.cf that is a FIFO
# nobody writes to.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
command -v postconf >/dev/null || { fail "postconf is installed"; exit 1; }
dead=$("$FREEPORT" -u)
port=$("$FREEPORT")
pf=$TMPDIR_TEST/postfix
mkdir -p "$pf"
cat >"$pf/main.cf" <<'CF'
compatibility_level = 3.6
myhostname = mail.example.test
smtp_bind_address = 192.0.2.10
CF
printf 'smtp      unix  -       -       n       -       -       smtp\n' >"$pf/master.cf"
conf=$TMPDIR_TEST/em.conf
log=$TMPDIR_TEST/log
cat >"$conf" <<CONF
EgressFrom postfix:$pf
Dnsbl none
Syslog no
ControlSocket none
Nameservers 127.0.0.1:$dead
DNSTimeout 1
CONF
# A variable of the daemon's environment that postconf must not get.
EM_SECRET_MARKER=daemon-only start_milter "$log" -c "$conf" -p "inet:$port@127.0.0.1"
check "the milter listens" wait_for_tcp "$port"

mv "$pf/main.cf" "$pf/main.cf.good"
mkfifo "$pf/main.cf"
start=$SECONDS
kill -HUP "$MILTER_PID"
child=
for i in $(seq 50); do
	child=$(pgrep -P "$MILTER_PID" postconf | head -1)
	[ -n "$child" ] && break
	sleep 0.1
done
check "the reload runs postconf (pid ${child:-none})" [ -n "$child" ]
if [ -n "$child" ]; then
	fds=$(ls /proc/"$child"/fd 2>/dev/null | sort -n | tr '\n' ' ')
	check "postconf has only descriptors 0, 1 and 2 (has: $fds)" [ "$fds" = "0 1 2 " ]
	check "postconf's standard input is /dev/null" [ "$(readlink /proc/"$child"/fd/0)" = /dev/null ]
	env=$(tr '\0' '\n' <"/proc/$child/environ" 2>/dev/null)
	check "postconf's environment is PATH alone (has: $(echo $env))" \
	    [ "$env" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin" ]
fi
check "a hanging postconf is given up within 10 s (and killed)" \
    wait_log "postconf did not finish within 10 s" 15
took=$((SECONDS - start))
check "... after about 10 s (took $took s)" [ "$took" -ge 9 ] && [ "$took" -le 14 ]
check "the hung postconf is gone" eval "[ -z \"\$(pgrep -P $MILTER_PID postconf)\" ]"
check_contains "the running configuration stays in force" "$log" \
    "configuration not reloaded: the running configuration stays in force"
rm -f "$pf/main.cf"
mv "$pf/main.cf.good" "$pf/main.cf"
kill -HUP "$MILTER_PID"
check "the next reload works" wait_log "configuration reloaded (1 egress)" 10
check "the milter still listens" wait_for_tcp "$port"
stop_milter
check "the milter stops cleanly" [ $? -eq 0 ]
exit $TEST_FAILED
