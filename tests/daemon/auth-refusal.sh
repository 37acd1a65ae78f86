# auth-refusal.sh - a refusal for authentication (SPF, DKIM, DMARC) leaves
# the egress untouched and becomes a finding of the sender's domain, with
# the receiver's words and advice: in the log, --status (text and JSON,
# auth_refusals[]), /metrics (egress_milter_auth_refusals_total) and
# --summary (the domain the text names, else the queue id's from=).
set -u
. "$SRCDIR/tests/lib.sh"
make_tmpdir
. "$SRCDIR/tests/tools/nsd.sh"
CLIENT="$BUILDDIR/tests/tools/socketmap_client"
dns_start || exit 1
command -v curl >/dev/null || { fail "curl is installed"; exit 1; }
port=$("$FREEPORT"); mapport=$("$FREEPORT"); mport=$("$FREEPORT")
log=$TMPDIR_TEST/milter.log
cat >"$TMPDIR_TEST/m.conf" <<CONF
Syslog no
Nameservers 127.0.0.1:$DNS_PORT
DNSTimeout 1
ControlSocket unix:$TMPDIR_TEST/control
MapSocket inet:$mapport@127.0.0.1
MetricsListen 127.0.0.1:$mport
Dnsbl bl.route.test
Egress a 203.0.113.210 helo=mail-a.route.test transport=smtp-a
Egress b 203.0.113.211 helo=mail-b.route.test transport=smtp-b
CONF
start_milter "$log" -c "$TMPDIR_TEST/m.conf" -p "inet:$port@127.0.0.1"
check "the socketmap server listens" wait_for_tcp "$mapport"
ask() { "$CLIENT" "$mapport" query "$@"; }

GMAIL='5.7.26 host gmail-smtp-in.l.google.com[192.0.2.5] said: 550-5.7.26 Unauthenticated email from shop.example is not accepted due to 550-5.7.26 domain'"'"'s DMARC policy. Please contact the administrator of 550 5.7.26 shop.example domain if this was a legitimate mail. - gsmtp (in reply to end of DATA command)'
MS='5.7.515 host shop-test.mail.protection.outlook.com[192.0.2.6] said: 550 5.7.515 Access denied, sending domain [News.Example] does not meet the required authentication level. (in reply to end of DATA command)'
YAHOO='5.7.9 host mta6.am0.yahoodns.net[192.0.2.7] said: 550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM. (in reply to end of DATA command)'
for q in "status-a $GMAIL" "status-a $GMAIL" "status-b $MS" "status-a $YAHOO"; do
	got=$(ask "$q")
	check "an auth refusal keeps the remote's status (got \"$got\")" [ "$got" = "NOTFOUND " ]
done
check_contains "the log names the sender domain the text names, with advice" "$log" \
    "egress a: gmail-smtp-in.l.google.com[192.0.2.5] refused for authentication (cause auth, receiver google, sender domain shop.example)"
check_contains "the log line gives the advice" "$log" "advice: make SPF or DKIM pass aligned with the From domain"
check_contains "a text without a domain: logged as not named" "$log" \
    "refused for authentication (cause auth, receiver yahoo, sender domain not named)"

"$MILTER" --status --json -c "$TMPDIR_TEST/m.conf" >"$TMPDIR_TEST/out.json" 2>&1
jq_is "--status --json: no back-off of any egress" '.refusals | length' 0
jq_is "--status --json: three auth findings" '.auth_refusals | length' 3
jq_is "--status --json: Gmail's DMARC refusal of shop.example, twice" \
    '[.auth_refusals[] | select(.domain == "shop.example") | .receiver + " " + (.count|tostring) + " " + .egress] | join(",")' '"google 2 a"'
jq_is "--status --json: Microsoft's 5.7.515 names news.example (lower-cased)" \
    '[.auth_refusals[] | select(.domain == "news.example") | .receiver] | join(",")' '"microsoft-365"'
jq_is "--status --json: Yahoo's text names no domain: null, per receiver" \
    '[.auth_refusals[] | select(.domain == null) | .receiver] | join(",")' '"yahoo"'
jq_is "--status --json: the receiver's words" \
    '[.auth_refusals[] | select(.receiver == "microsoft-365") | .text | test("required authentication level")] | join(",")' '"true"'
jq_is "--status --json: advice, first and last times" \
    '[.auth_refusals[] | (.advice|length > 20) and (.first|test("Z$")) and (.last|test("Z$"))] | all' "true"
"$MILTER" --status -c "$TMPDIR_TEST/m.conf" >"$TMPDIR_TEST/status.txt" 2>&1
check_contains "--status: the auth section" "$TMPDIR_TEST/status.txt" "auth refusals (sender domains the receivers refused for SPF, DKIM or DMARC; no egress is at fault):"
check_contains "--status: shop.example at google, twice" "$TMPDIR_TEST/status.txt" "  shop.example at google: 2 refusals, the last at "
check_contains "--status: the domain not named, per receiver" "$TMPDIR_TEST/status.txt" "  (domain not named) at yahoo: 1 refusal, "
check_contains "--status: its advice" "$TMPDIR_TEST/status.txt" "    advice: the receiver wants SPF and DKIM to pass"
check "--status: no egress is backed off by an auth refusal" eval "grep -c 'refusals: none in force' '$TMPDIR_TEST/status.txt' | grep -qx 2"

curl -sS "http://127.0.0.1:$mport/metrics" >"$TMPDIR_TEST/metrics"
check_contains "metrics: the family" "$TMPDIR_TEST/metrics" "# TYPE egress_milter_auth_refusals_total counter"
check_contains "metrics: shop.example at google" "$TMPDIR_TEST/metrics" 'egress_milter_auth_refusals_total{domain="shop.example",receiver="google"} 2'
check_contains "metrics: the domain not named" "$TMPDIR_TEST/metrics" 'egress_milter_auth_refusals_total{domain="",receiver="yahoo"} 1'
check "metrics: both egresses ok (state 0)" eval "[ \$(grep -c '^egress_milter_egress_state{egress=\"[ab]\"} 0' '$TMPDIR_TEST/metrics') -eq 2 ]"
stop_milter

# --summary: the daemon's lines and Postfix's, in one log.
L=$TMPDIR_TEST/maillog
cat >"$L" <<'LOG'
2026-12-01T10:00:00+00:00 relay1 postfix/qmgr[700]: 5B001: from=<anna@Shop.Example>, size=900, nrcpt=1 (queue active)
2026-12-01T10:00:01+00:00 relay1 egress-milter[812]: egress a: gmail-smtp-in.l.google.com[192.0.2.5] refused for authentication (cause auth, receiver google, sender domain shop.example): the sender's domain fails the receiver's SPF, DKIM or DMARC checks; the egress is not at fault; advice: x: "550 5.7.26 Unauthenticated email from shop.example is not accepted"
2026-12-01T10:00:01+00:00 relay1 postfix/smtp[701]: 5B001: to=<bob@gmail.example>, relay=gmail-smtp-in.l.google.com[192.0.2.5]:25, delay=1, status=bounced (host gmail-smtp-in.l.google.com[192.0.2.5] said: 550 5.7.26 Unauthenticated email from shop.example ...)
2026-12-01T10:05:00+00:00 relay1 postfix/qmgr[700]: 5B002: from=<carl@Lists.Example>, size=900, nrcpt=1 (queue active)
2026-12-01T10:05:00+00:00 relay1 postfix/qmgr[700]: 5B003: from=<dora@other.example>, size=900, nrcpt=1 (queue active)
2026-12-01T10:05:01+00:00 relay1 egress-milter[812]: egress b: mta6.am0.yahoodns.net[192.0.2.7] refused for authentication (cause auth, receiver yahoo, sender domain not named): the sender's domain fails the receiver's SPF, DKIM or DMARC checks; the egress is not at fault; advice: x: "550 5.7.9 This mail has been blocked because the sender is unauthenticated."
2026-12-01T10:05:01+00:00 relay1 postfix/smtp[702]: 5B003: to=<eve@other.test>, relay=mx.other.test[192.0.2.9]:25, delay=1, status=sent (250 2.0.0 Ok)
2026-12-01T10:05:01+00:00 relay1 postfix/smtp[701]: 5B002: to=<fred@yahoo.example>, relay=mta6.am0.yahoodns.net[192.0.2.7]:25, delay=1, status=bounced (host mta6.am0.yahoodns.net[192.0.2.7] said: 550 5.7.9 This mail has been blocked ...)
2026-12-01T10:06:01+00:00 relay1 egress-milter[812]: egress b: mta6.am0.yahoodns.net[192.0.2.7] refused for authentication (cause auth, receiver yahoo, sender domain not named): the sender's domain fails the receiver's SPF, DKIM or DMARC checks; the egress is not at fault; advice: x: "550 5.7.9 This mail has been blocked because the sender is unauthenticated."
LOG
out=$TMPDIR_TEST/summary
TZ=UTC "$MILTER" --summary "$L" >"$out" 2>&1
check "--summary: exit 0" [ $? -eq 0 ]
has() {
	if tr -s ' ' <"$out" | grep -qxF -- "$(echo "$2" | tr -s ' ')"; then pass "$1"
	else fail "$1 (no line \"$2\")"; sed 's/^/#   /' "$out"; fi
}
has "--summary: the section" "Sender domains refused for authentication (SPF, DKIM, DMARC; no egress at fault)"
has "--summary: the domain the text names" "  shop.example google 1"
has "--summary: the domain of the queue id's from= (Postfix's status line of that remote)" "  lists.example yahoo 1"
has "--summary: no status line, no from=: not named" "  (not named) yahoo 1"
