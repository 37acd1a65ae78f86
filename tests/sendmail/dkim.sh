# sendmail-dkim.sh - DKIM judged on the bytes that leave, in a real
# Sendmail (tests/tools/sendmail.sh): messages signed beforehand
# (python3-dkim, simple/simple and relaxed/relaxed, folds, a tab fold,
# "Subject:x") are judged pass by egress-milter, a header changed after
# signing fail, and the verdicts agree with python3-dkim on the
# delivered bytes. (Sendmail itself re-folds an address list such as a
# folded To: when it delivers, after every milter: a simple/simple
# signature over it then breaks, and no milter can see it coming; the
# folds here are in fields Sendmail keeps, see egress-milter(8).)
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
. "$SRCDIR/tests/tools/sendmail.sh"
sendmail_require || exit 1
/usr/bin/python3 -c 'import dkim, dns.query' 2>/dev/null ||
    { fail "python3-dkim is installed"; exit 1; }
VERIFY="/usr/bin/python3 $SRCDIR/tests/tools/dkim_verify.py"
KEY=$SRCDIR/tests/fixtures/dkim-test.private
dns_start || exit 1
MPORT=$("$FREEPORT")
sendmail_start "$MPORT" || exit 1
milter sm-dkim "Egress primary 192.0.2.10 helo=mail.example.test"

# message NAME SUBJECT: the unsigned message NAME.
message() {
	case $1 in
	folded) printf 'From: Alice\n <alice@signed.dkim.test>\nTo: bob@example.net, carol@example.net\nSubject: %s\n\tfolded with a tab\nMessage-ID: <%s@signed.dkim.test>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\nX-Note: one\n  two\n\tthree\n\nHello Bob,\n\nfolded.\n' "$2" "$2" ;;
	nospace) printf 'From: alice@signed.dkim.test\nTo: bob@example.net\nSubject:%s\nX-Tab:\tafter a tab\nMessage-ID: <%s@signed.dkim.test>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\n\nno space.\n' "$2" "$2" ;;
	esac
}

# send NAME FILE: FILE through Sendmail's SMTP server.
send() {
	swaks --server 127.0.0.1 --port "$SM_PORT" --from alice@signed.dkim.test \
	    --to bob@example.net --data "$2" --timeout 30 \
	    >"$TMPDIR_TEST/$1.swaks" 2>&1
}

# verdict ID: egress-milter's dkim= for Sendmail's queue id ID.
verdict() {
	wait_for "$MLOG" " $1 action=" 50
	sed -n "s/.* $1 action=.* dkim=\([^ ]*\) .*/\1/p" "$MLOG" | head -1
}
queue_id() {
	sed -n 's/^<- *250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p' \
	    "$TMPDIR_TEST/$1.swaks" | head -1
}
delivered() {
	local i f
	for i in $(seq 150); do
		f=$(grep -l "^Subject: *$1\$" "$SM_DIR/sink"/* 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

for canon in simple/simple relaxed/relaxed; do
	c=${canon%%/*}
	for m in folded nospace; do
		s=sm-$c-$m
		message $m "$s" | $VERIFY sign "$KEY" "$canon" sel dkim.test >"$TMPDIR_TEST/$s.eml"
		send "$s" "$TMPDIR_TEST/$s.eml"
		check_contains "Sendmail $canon $m: accepted" "$TMPDIR_TEST/$s.swaks" "Message accepted"
		got=$(verdict "$(queue_id "$s")")
		check "Sendmail $canon $m: egress-milter judges dkim.test:pass (got '$got')" \
		    [ "$got" = "dkim.test:pass" ]
		f=$(delivered "$s")
		indep=$([ -n "$f" ] && $VERIFY "$DNS_PORT" "$f")
		check "Sendmail $canon $m: python3-dkim on the delivered bytes agrees (got '$indep')" \
		    [ "$indep" = "$got" ]
		# The Subject changed after signing.
		sed "s/^Subject:\( *\)$s/Subject:\1$s-changed/" "$TMPDIR_TEST/$s.eml" >"$TMPDIR_TEST/$s-changed.eml"
		send "$s-changed" "$TMPDIR_TEST/$s-changed.eml"
		got=$(sed -n "s/.* action=.* dkim=\([^ ]*\) .*/\1/p" "$MLOG" | tail -1)
		indep=$($VERIFY "$DNS_PORT" "$TMPDIR_TEST/$s-changed.eml")
		check "Sendmail $canon $m changed: egress-milter judges dkim.test:fail (got '$got')" \
		    [ "$got" = "dkim.test:fail" ]
		check "Sendmail $canon $m changed: python3-dkim agrees (got '$indep')" \
		    [ "$indep" = "$got" ]
	done
done
stop_milter
exit $TEST_FAILED
