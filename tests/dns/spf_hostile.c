/*
 * spf_hostile.c - SPF records chosen by an attacker (the sender's
 * domain is the submitter's choice) end in permerror and never reach
 * libspf2's macro expansion, which Debian's 1.2.10 overflows: 127 %{d}
 * macros in an explanation, in a mechanism and in exp=, and a term over
 * 511 bytes (zone hostile.test). A harmless explanation still works,
 * and a CNAME loop on the record is temperror (a DNS error), not none.
 *
 * Environment (set by tests/dns/run.sh): DNS_PORT.
 * scenario:
 */
#include "config.h"

#include "dnstest.h"
#include "auth/spf.h"
#include "util/log.h"
#include "../unit/unit.h"
#include "conf/conf_address.h"
#include "dns/dnscache.h"
#include "dns/resolver.h"

static struct ip_address v4;

static void
expect(const char *from, enum spf_verdict verdict, const char *label)
{
	struct spf_outcome out;
	char name[400];

	spf_check_host(&v4, "mail.example.test", from, &out);
	snprintf(name, sizeof(name), "%s: %s (got %s: %.200s)", label,
	    spf_verdict_name(verdict), spf_verdict_name(out.verdict),
	    out.reason);
	CHECK(out.verdict == verdict, name);
}

int
main(void)
{
	log_open(false, LOG_MAIL, true, LOG_WARNING);
	conf_parse_address("192.0.2.10", &v4);
	dnstest_use(dnstest_port("DNS_PORT"), 2, 2);
	expect("a@exp-target.hostile.test", SPFV_PERMERROR,
	    "an explanation of 127 macros");
	expect("a@mechanism.hostile.test", SPFV_PERMERROR,
	    "a mechanism of 127 macros");
	expect("a@exp-modifier.hostile.test", SPFV_PERMERROR,
	    "exp= of 127 macros");
	expect("a@long-term.hostile.test", SPFV_PERMERROR,
	    "a term over 511 bytes");
	/* Again, as a retry would: still no crash, same verdict. */
	expect("a@exp-target.hostile.test", SPFV_PERMERROR,
	    "the same explanation again");
	expect("a@cnameloop.hostile.test", SPFV_TEMPERROR,
	    "a CNAME loop on the SPF record is a DNS error, not none");
	expect("a@benign.hostile.test", SPFV_FAIL,
	    "a harmless explanation with macros is still evaluated");
	spf_thread_cleanup();
	resolver_thread_cleanup();
	dnscache_flush();
	return unit_exit();
}
