/*
 * receiver.c - the provider behind an MX host name and the shipped
 * refusal table (see receiver.h).
 *
 * receiver_of_host(), receiver_rules[] (the causes' names are
 * global/cause.c's).
 *
 * The rules are matched in order against the remote's reply with its
 * addresses and own names masked (reply.c), "NNN X.Y.Z text"; the first
 * match gives the cause. Mailbox and domain rules come first, so that a
 * reply about a recipient or a sender domain that also names a list or
 * a word of an address rule is never taken for the egress's fault.
 * Must not: do DNS.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarc.h"
#include "global/cause.h"
#include "health/receiver.h"
#include "health/reply.h"
#include "util/util.h"

#define B "(^|[^a-z0-9])"		/* a word starts */
#define E "([^a-z0-9]|$)"		/* a word ends */
#define CODE(x) "(^|[^0-9.])" x "([^0-9]|$)"

/*
 * The shipped table; keep egress-milter.conf(5) equal. Durations:
 * Google asks for a pause of at least 10 minutes on its 4.7.28 rate
 * limit; Yahoo supplied a 2 h suspension for [TSS04]; Outlook.com's
 * block list and 4.7.650 get 90 minutes (KumoMTA's default); listings
 * elsewhere an hour (zone-mta's blacklist TTL).
 */
const struct receiver_rule receiver_rules[] = {
	/* recipient: the mailbox, the recipient's policy, greylisting */
	{ CAUSE_RECIPIENT, 0, "gr[ae]y-?list" },
	{ CAUSE_DOMAIN, 0, "^[0-9]{3} [45]\\.1\\.[78] " },
	{ CAUSE_RECIPIENT, 0, "^[0-9]{3} [45]\\.[12]\\.[0-9]{1,3} " },
	{ CAUSE_RECIPIENT, 0, "recipient address \\[[^]]*\\] blocked using" },
	{ CAUSE_RECIPIENT, 0, "user unknown|unknown user|no such (user|mailbox|"
	    "recipient)|mailbox (unavailable|not found|is full|full|disabled)|"
	    "over quota|quota exceeded|ip not in whitelist for rcpt domain|"
	    "policy that prohibits|receiving (e-?mail|mail) (too quickly|at a "
	    "rate)|customer block list|rejected by recipient|header based "
	    "anti-spoofing|" CODE("[45]\\.7\\.(507|513)") },
	/* domain: the sender's or a URL's domain, the content */
	{ CAUSE_DOMAIN, 0, "sender address \\[[^]]*\\] blocked using" },
	{ CAUSE_DOMAIN, 0, "dbl\\.spamhaus|spamhaus dbl|present in the spamhaus "
	    "dbl|uribl|surbl|very low reputation of the sending domain|"
	    "(dkim|spf) domain|url domains|same message-id|unresolvable "
	    "rfc\\.?5321|\\[(cs01|hm08|ph01)\\]|mail content denied|dt:spm|"
	    "suspicion of spam|spam message rejected|not rfc ?5322|multiple "
	    "addresses in the from|valid message-id|encoded-word|message is "
	    "malformed" },
	/* ptr: rDNS and HELO */
	{ CAUSE_PTR, 3600, CODE("[45]\\.7\\.(23|25|506)") "|(does not|doesn.t) "
	    "have a ptr record|ptr record|reverse dns|" B "rdns" E "|forward "
	    "dns entry|cannot find your (reverse )?hostname|helo command "
	    "(rejected|\\[[^]]*\\] blocked using)|bad helo|ipv6 sending "
	    "guidelines|dy-001|es0000(01|10)|dialup|\\(dial\\)|dynamic ip|"
	    "residential|generic (reverse|rdns|ptr|host)|" B "dul" E },
	/* auth: SPF, DKIM, DMARC, alignment */
	{ CAUSE_AUTH, 0, CODE("[45]\\.7\\.(26|27|30|31|32|40|509|515)") "|"
	    "unauthenticated|senders to authenticate|authentication (results|"
	    "level|checks)|dmarc|" B "spf" E "|" B "dkim" E "|\\[hme1\\]|"
	    "lpn[0-9]*_401|not permitted to send" },
	/* ip before rate: Gmail's netblock and Outlook.com's reputation */
	{ CAUSE_IP, 3600, "4\\.7\\.28 .*netblock" },
	{ CAUSE_IP, 7200, "\\[ts?s0[45]\\]|\\[ipts0[45]\\]|\\[tss(09|11)\\]|"
	    "temporarily deferred due to (unexpected volume or )?user "
	    "complaints|will be permanently deferred" },
	{ CAUSE_IP, 5400, B "s31[45]0" E "|" CODE("4\\.7\\.650") "|rate limited "
	    "due to ip reputation|network is on our block list" },
	{ CAUSE_IP, 900, "\\[hcm1\\]" },
	{ CAUSE_IP, 7200, "\\[bl2[0-9]\\]" },
	/* rate: volume and connection limits (minutes, not hours) */
	{ CAUSE_RATE, 600, "^4[0-9][0-9] 4\\.7\\.28 " },
	{ CAUSE_RATE, 1800, "rp-00[123]|server busy|too many (connections|"
	    "sessions|messages|concurrent)|maximum number of (connections|"
	    "messages)|ib007|message per connection|trop de connexions|"
	    "(ofr|lpn)[0-9]*_104|frequency limited|rl0000[0-9][0-9]|excessive "
	    "volume|\\[ts0[23]\\]|policy restrictions|access denied, please "
	    "try again later|temporary server error|\\[bs02\\]|service "
	    "unavailable - try again later|internal resource temporarily "
	    "unavailable|rate limit|throttl" },
	/* ip: listings and reputation of the sending address */
	{ CAUSE_IP, 3600, "blocked using|block ?list|black ?list|banned "
	    "sending ip|banned sender|" CODE("[45]\\.7\\.(28|511|60[6-9]|"
	    "6[1-4][0-9])") "|spamhaus|spamcop|barracuda|uceprotect|sorbs|"
	    "cloudmark|abusix|trend ?micro|mail-abuse|ipcheck\\.proofpoint|"
	    "dnsbl|" B "rbl" "|blocked - see|(poor|bad|low) reputation|"
	    "reputation of the sending ip|bl0000[01][01][01]|\\(nowl\\)|"
	    "\\(bl\\)|service refuse|blocked for spamming|"
	    "(ofr|lpn)[0-9]*_10[23]|(is|are|was|been) (currently )?"
	    "(black|block)?listed|listed (on|in|at|by) " },
	/* greylisting in other words */
	{ CAUSE_RECIPIENT, 0, "^4[0-9][0-9] .*try (again|later)" },
	{ CAUSE_NONE, 0, NULL }
};

/* The big providers, by the end of their MX host names. */
static const struct {
	const char *suffix;
	const char *provider;
} receiver_providers[] = {
	{ ".google.com", "google" }, { ".googlemail.com", "google" },
	{ ".olc.protection.outlook.com", "microsoft-consumer" },
	{ ".hotmail.com", "microsoft-consumer" },
	{ ".mail.protection.outlook.com", "microsoft-365" },
	{ ".mx.microsoft", "microsoft-365" },
	{ ".yahoodns.net", "yahoo" }, { ".yahoo.com", "yahoo" },
	{ ".aol.com", "yahoo" },
	{ ".icloud.com", "apple" }, { ".me.com", "apple" },
	{ ".apple.com", "apple" },
	{ ".gmx.net", "gmx" }, { ".gmx.de", "gmx" }, { ".gmx.com", "gmx" },
	{ ".web.de", "gmx" }, { ".mail.com", "gmx" },
	{ ".orange.fr", "orange" }, { ".wanadoo.fr", "orange" },
	{ ".comcast.net", "comcast" },
	{ ".pphosted.com", "proofpoint" }, { ".ppe-hosted.com", "proofpoint" },
	{ ".proofpoint.com", "proofpoint" },
	{ ".mimecast.com", "mimecast" }, { ".mimecast.co.za", "mimecast" },
	{ ".mimecast-offshore.com", "mimecast" },
};

void
receiver_of_host(const char *host, const char *addr, char *out, size_t size)
{
	char name[256];
	size_t len;

	if (reply_host_is_address(host)) {
		snprintf(out, size, "[%.60s]", addr[0] ? addr : host);
		return;
	}
	copy_bounded(name, sizeof(name), host);
	for (char *p = name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	len = strlen(name);
	while (len > 0 && name[len - 1] == '.')
		name[--len] = '\0';
	for (size_t i = 0; i < sizeof(receiver_providers) /
	    sizeof(receiver_providers[0]); i++) {
		const char *s = receiver_providers[i].suffix;
		size_t slen = strlen(s);

		if ((len > slen && strcmp(name + len - slen, s) == 0) ||
		    strcmp(name, s + 1) == 0) {
			copy_bounded(out, size, receiver_providers[i].provider);
			return;
		}
	}
	dmarc_org_domain(name, out, size);
}
