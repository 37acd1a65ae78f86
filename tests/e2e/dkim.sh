# e2e-dkim.sh - DKIM judged on the bytes that leave: a real OpenDKIM
# signer (Debian's opendkim, private, on loopback) as the first milter
# of a private Postfix and egress-milter as the second, for
# simple/simple and relaxed/relaxed, with folded headers, a tab fold and
# "Subject:x". Every valid signature must be judged pass, a header
# changed after signing fail, and egress-milter's verdicts must agree
# with an independent verifier (python3-dkim) of the delivered bytes.
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/postfix.sh"
require_root "it starts a private Postfix and OpenDKIM"
for cmd in postfix smtp-sink swaks postconf opendkim /usr/bin/python3; do
	command -v $cmd >/dev/null || { fail "$cmd is installed"; exit 1; }
done
/usr/bin/python3 -c 'import dkim, dns.query' 2>/dev/null ||
    { fail "python3-dkim is installed"; exit 1; }
VERIFY="/usr/bin/python3 $SRCDIR/tests/tools/dkim_verify.py"
dns_start || exit 1
MPORT=$("$FREEPORT")
DKPORT=$("$FREEPORT")
postfix_start "$MPORT" || exit 1
# smtpd: OpenDKIM first, then egress-milter; a second smtpd on PORT2
# with egress-milter alone, for messages altered after signing.
PORT2=$("$FREEPORT")
postconf -c "$PF_DIR/etc" -e \
    "smtpd_milters = inet:127.0.0.1:$DKPORT, inet:127.0.0.1:$MPORT" \
    "non_smtpd_milters = inet:127.0.0.1:$MPORT"
postconf -c "$PF_DIR/etc" -M \
    "127.0.0.1:$PORT2/inet=127.0.0.1:$PORT2 inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$MPORT"
postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
wait_for_tcp "$PORT2" || fail "the second smtpd listens"
MAILLOG=$(postfix_log)

milter dkim "Egress primary 192.0.2.10 helo=mail.example.test"

# opendkim_start CANON: (re)starts the signer for dkim.test (and its
# subdomains), selector sel, with Canonicalization CANON.
OPENDKIM_PID=
opendkim_stop() {
	[ -n "$OPENDKIM_PID" ] && stop_pid "$OPENDKIM_PID"
	OPENDKIM_PID=
}
at_exit opendkim_stop
opendkim_start() {
	local dir=$TMPDIR_TEST/opendkim
	opendkim_stop
	mkdir -p "$dir"
	sed -n "/-----BEGIN/,/-----END/p" "$SRCDIR/tests/fixtures/dkim-test.private" >"$dir/key"
	chmod 600 "$dir/key"
	cat >"$dir/opendkim.conf" <<CONF
Mode			s
Domain			dkim.test
SubDomains		yes
Selector		sel
KeyFile			$dir/key
Canonicalization	$1
SignatureAlgorithm	rsa-sha256
Socket			inet:$DKPORT@127.0.0.1
PidFile			$dir/opendkim.pid
InternalHosts		127.0.0.1
Syslog			no
RequireSafeKeys		no
CONF
	opendkim -x "$dir/opendkim.conf" -f >"$dir/opendkim.$2.log" 2>&1 &
	OPENDKIM_PID=$!
	wait_for_tcp "$DKPORT" || fail "OpenDKIM ($1) starts"
}

# message NAME: the raw message NAME (LF line ends; swaks sends CRLF).
message() {
	local f=$TMPDIR_TEST/$1.eml
	case $1 in
	plain) printf 'From: Alice <alice@signed.dkim.test>\nTo: bob@example.net\nSubject: %s\nMessage-ID: <%s@signed.dkim.test>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\n\nHello Bob,\nthe figures.\n' "$2" "$2" ;;
	folded) printf 'From: Alice\n <alice@signed.dkim.test>\nTo: bob@example.net,\n    carol@example.net\nSubject: %s\n\tfolded with a tab\nMessage-ID: <%s@signed.dkim.test>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\nX-Note: one\n  two\n\tthree\n\nHello Bob,\n\nfolded.\n' "$2" "$2" ;;
	nospace) printf 'From:alice@signed.dkim.test\nTo:\tbob@example.net\nSubject:%s\nMessage-ID:<%s@signed.dkim.test>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\n\nno space.\n' "$2" "$2" ;;
	esac >"$f"
	echo "$f"
}

# send PORT NAME FILE: the message in FILE through smtpd on PORT.
send() {
	swaks --server 127.0.0.1 --port "$1" --from alice@signed.dkim.test \
	    --to bob@example.net --data "$3" --timeout 30 \
	    >"$TMPDIR_TEST/$2.swaks" 2>&1
}

# delivered SUBJECT: the sink's file with SUBJECT (15 s at most).
delivered() {
	local i f
	for i in $(seq 150); do
		f=$(grep -l "^Subject: *$1" "$PF_DIR/sink-main"/* 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

# verdict FILE: egress-milter's dkim= for the message in FILE, by the
# queue id of its top Received field.
verdict() {
	local qid
	qid=$(sed -n 's/.*(Postfix) with E\?SMTP id \([0-9A-Za-z]*\).*/\1/p' "$1" | head -1)
	[ -n "$qid" ] || return 1
	wait_for "$MLOG" "$qid action=" 50 || return 1
	sed -n "s/.*$qid action=.* dkim=\([^ ]*\) .*/\1/p" "$MLOG" | head -1
}

# judge_id LABEL ID FILE WANT: as judge, the message found by its
# Message-ID <ID@...> in Postfix's log, FILE the bytes sent.
judge_id() {
	local qid got indep
	wait_for "$MAILLOG" "message-id=<$2@" 50
	qid=$(sed -n "s/.* \([0-9A-F]*\): message-id=<$2@.*/\1/p" "$MAILLOG" | head -1)
	wait_for "$MLOG" "$qid action=" 50
	got=$(sed -n "s/.*$qid action=.* dkim=\([^ ]*\) .*/\1/p" "$MLOG" | head -1)
	indep=$($VERIFY "$DNS_PORT" "$3" 2>&1)
	if [ -n "$qid" ] && [ "$got" = "$4" ]; then pass "$1: egress-milter judges $4"
	else fail "$1: egress-milter judges $4 (got '$got', queue id '$qid')"; fi
	if [ "$indep" = "$4" ]; then pass "$1: python3-dkim on the bytes sent agrees ($4)"
	else fail "$1: python3-dkim on the bytes sent says $4 (got '$indep')"; fi
}

# judge LABEL FILE WANT: egress-milter and python3-dkim both say WANT.
judge() {
	local got indep
	got=$(verdict "$2")
	indep=$($VERIFY "$DNS_PORT" "$2" 2>&1)
	if [ "$got" = "$3" ]; then pass "$1: egress-milter judges $3"
	else fail "$1: egress-milter judges $3 (got '$got')"; fi
	if [ "$indep" = "$3" ]; then pass "$1: python3-dkim on the delivered bytes agrees ($3)"
	else fail "$1: python3-dkim on the delivered bytes says $3 (got '$indep')"; fi
}

for canon in simple/simple relaxed/relaxed; do
	c=${canon%%/*}
	opendkim_start "$canon" "$c"
	for m in plain folded nospace; do
		subject="$c-$m"
		send "$PF_PORT" "$subject" "$(message $m "$subject")"
		check_contains "$canon $m: accepted (not a 451 for dmarc-fail)" \
		    "$TMPDIR_TEST/$subject.swaks" "250 2.0.0 Ok: queued"
		f=$(delivered "$subject")
		if [ -z "$f" ]; then
			fail "$canon $m: delivered"
			continue
		fi
		check_contains "$canon $m: OpenDKIM signed it" "$f" "DKIM-Signature:"
		judge "$canon $m" "$f" "dkim.test:pass"
		# The same bytes again, through egress-milter alone, with
		# the signed Subject and Message-ID changed after signing.
		changed=$TMPDIR_TEST/$subject-changed.eml
		sed -e '/^X-\(Client\|Helo\|Mail\|Rcpt\)-/d' \
		    -e "s/^\(Subject: *\)$subject/\1$subject-changed/" \
		    -e "s/^\(Subject:\)$subject/\1$subject-changed/" \
		    -e "s/^\(Message-ID: *<\)$subject@/\1$subject-changed@/" "$f" >"$changed"
		send "$PORT2" "$subject-changed" "$changed"
		check_contains "$canon $m changed: not accepted as signed (451, DMARC p=reject)" \
		    "$TMPDIR_TEST/$subject-changed.swaks" "451 4.7.1"
		judge_id "$canon $m changed" "$subject-changed" "$changed" "dkim.test:fail"
	done
done
opendkim_stop
stop_milter
exit $TEST_FAILED
