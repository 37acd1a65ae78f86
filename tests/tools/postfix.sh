# postfix.sh - a private Postfix instance for the end-to-end tests, as
# root but apart from the system's Postfix: its own configuration
# directory, queue, data directory and maillog under $TMPDIR_TEST, chroot
# off, listening on 127.0.0.1 only, delivering to Postfix's smtp-sink.
# Source it after tests/lib.sh.
#
# postfix_start MILTER_PORT   sets PF_DIR, PF_PORT (smtpd), SINK_MAIN and
#                             SINK_BACKUP (smtp-sink ports; their
#                             messages land in $PF_DIR/sink-main and
#                             sink-backup); transports smtp (relayhost
#                             SINK_MAIN), smtp-backup and smtp-ip2.
# postfix_stop                stops Postfix and the sinks (also at exit).
# postfix_log                 the maillog file.
# postfix_private_main DIR    main.cf lines of any private instance in DIR
# postfix_private_master PORT master.cf of a private instance (smtpd PORT)

# postfix_private_main DIR: the main.cf lines of a private instance in
# DIR (queue, data, log), on 127.0.0.1, with no DNS of its own for SMTP.
postfix_private_main() {
	cat <<CF
compatibility_level = 3.6
queue_directory = $1/spool
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $1/log/maillog
maillog_file_prefixes = $1/log
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
alias_maps =
alias_database =
CF
}

# postfix_private_master PORT: the distribution's master.cf, chroot
# column off, smtpd on 127.0.0.1:PORT.
postfix_private_master() {
	sed -e 's/^\([a-z0-9-]*[[:space:]]\+[a-z-]*[[:space:]]\+[-ny][[:space:]]\+[-ny][[:space:]]\+\)[-ny]/\1n/' \
	    -e "s/^smtp      inet/127.0.0.1:$1 inet/" \
	    /usr/share/postfix/master.cf.dist
}

postfix_write_main() {
	{
		postfix_private_main "$PF_DIR"
		cat <<CF
myhostname = mx.example.test
mydomain = example.test
relayhost = [127.0.0.1]:$SINK_MAIN
smtpd_milters = inet:127.0.0.1:$1
non_smtpd_milters = inet:127.0.0.1:$1
milter_default_action = tempfail
milter_protocol = 6
milter_header_checks = regexp:$PF_DIR/etc/egress_routes
smtp_header_checks = regexp:$PF_DIR/etc/egress_strip
sender_dependent_default_transport_maps = inline:{ ip2@pass.spf.test=smtp-ip2:[127.0.0.1]:$SINK_MAIN }
CF
	} >"$PF_DIR/etc/main.cf"
}

postfix_write_master() {
	postfix_private_master "$PF_PORT" >"$PF_DIR/etc/master.cf"
	cat >>"$PF_DIR/etc/master.cf" <<CF
smtp-backup unix -       -       n       -       -       smtp
  -o smtp_helo_name=mail.example.test
smtp-ip2  unix  -       -       n       -       -       smtp
  -o smtp_helo_name=mail2.example.test
CF
	# The routes of contrib/postfix, with the sinks as nexthops.
	cat >"$PF_DIR/etc/egress_routes" <<CF
/^X-Egress-Route: backup\$/	FILTER smtp-backup:[127.0.0.1]:$SINK_BACKUP
/^X-Egress-Route: main\$/	FILTER smtp:[127.0.0.1]:$SINK_MAIN
CF
	cp "$SRCDIR/contrib/postfix/egress_strip" "$PF_DIR/etc/egress_strip"
}

postfix_start() {
	PF_DIR=$TMPDIR_TEST/postfix
	mkdir -p "$PF_DIR/etc" "$PF_DIR/spool" "$PF_DIR/data" "$PF_DIR/log" \
	    "$PF_DIR/sink-main" "$PF_DIR/sink-backup"
	chown postfix "$PF_DIR/data" "$PF_DIR/sink-main" "$PF_DIR/sink-backup"
	PF_PORT=$("$FREEPORT"); SINK_MAIN=$("$FREEPORT"); SINK_BACKUP=$("$FREEPORT")
	postfix_write_main "$1"
	postfix_write_master
	smtp-sink -u postfix -d "$PF_DIR/sink-main/%M." 127.0.0.1:$SINK_MAIN 10 &
	SINK_PIDS=$!
	smtp-sink -u postfix -d "$PF_DIR/sink-backup/%M." 127.0.0.1:$SINK_BACKUP 10 &
	SINK_PIDS="$SINK_PIDS $!"
	SINK_PIDS_STARTED=$SINK_PIDS
	at_exit postfix_stop
	if ! postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.log" 2>&1 ||
	    ! wait_for_tcp "$PF_PORT"; then
		fail "the private Postfix starts"
		tail -5 "$PF_DIR/start.log" "$PF_DIR/log/maillog" 2>/dev/null |
		    sed 's/^/#   /'
		return 1
	fi
}

postfix_stop() {
	[ -n "${PF_DIR:-}" ] && postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	for pid in ${SINK_PIDS:-}; do kill "$pid" 2>/dev/null; done
	SINK_PIDS=
	PF_DIR_STOPPED=1
}

postfix_log() {
	echo "$PF_DIR/log/maillog"
}
