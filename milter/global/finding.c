/*
 * finding.c - the names of findings and actions, and their built-in policy.
 *
 * finding_name(), finding_from_name(), finding_default_action(),
 * finding_is_preflight(),
 * action_name(), action_from_name(), finding_list_write().
 *
 * The built-in policy: a broken or listed egress is rerouted (and, with
 * no healthy alternative, the Fallback action applies); cosmetic problems
 * are tagged; a DNS failure never blocks mail (accept, with a log line).
 * This table is documented in egress-milter.conf(5); keep the two equal.
 * Must not: know about configuration files, DNS or libmilter.
 */
#include "config.h"

#include <strings.h>

#include "global/finding.h"

static const struct {
	const char *name;
	enum action default_action;
} findings[FINDING_COUNT] = {
	[FINDING_NO_PTR] = { "no-ptr", ACTION_REROUTE },
	[FINDING_FCRDNS_MISMATCH] = { "fcrdns-mismatch", ACTION_REROUTE },
	[FINDING_GENERIC_PTR] = { "generic-ptr", ACTION_TAG },
	[FINDING_HELO_MISMATCH] = { "helo-mismatch", ACTION_TAG },
	[FINDING_LISTED] = { "listed", ACTION_REROUTE },
	[FINDING_REFUSED] = { "refused", ACTION_REROUTE },
	[FINDING_DNS_ERROR] = { "dns-error", ACTION_ACCEPT },
	[FINDING_NOT_PUBLIC] = { "not-public", ACTION_ACCEPT },
	[FINDING_SPF_FAIL] = { "spf-fail", ACTION_REROUTE },
	[FINDING_SPF_SOFTFAIL] = { "spf-softfail", ACTION_TAG },
	[FINDING_SPF_NEUTRAL] = { "spf-neutral", ACTION_ACCEPT },
	[FINDING_SPF_NONE] = { "spf-none", ACTION_ACCEPT },
	[FINDING_SPF_PERMERROR] = { "spf-permerror", ACTION_TAG },
	[FINDING_SPF_TEMPERROR] = { "spf-temperror", ACTION_ACCEPT },
	[FINDING_DKIM_FAIL] = { "dkim-fail", ACTION_TAG },
	[FINDING_DMARC_FAIL] = { "dmarc-fail", ACTION_REROUTE },
	[FINDING_DOMAIN_LISTED] = { "domain-listed", ACTION_TAG },
	[FINDING_FROM_INVALID] = { "from-invalid", ACTION_TAG },
	/* Pre-flight: shown, never acted on unless an On line says so. */
	[FINDING_DMARC_MISSING] = { "dmarc-missing", ACTION_ACCEPT },
	[FINDING_UNALIGNED] = { "unaligned", ACTION_ACCEPT },
	[FINDING_DKIM_MISSING] = { "dkim-missing", ACTION_ACCEPT },
	[FINDING_DKIM_WEAK] = { "dkim-weak", ACTION_ACCEPT },
	[FINDING_HEADER_INVALID] = { "header-invalid", ACTION_ACCEPT },
	[FINDING_UNSUBSCRIBE_MISSING] = { "unsubscribe-missing", ACTION_ACCEPT },
};

bool
finding_is_preflight(enum finding finding)
{
	return finding >= FINDING_FIRST_PREFLIGHT && finding < FINDING_COUNT;
}

static const char *const actions[ACTION_COUNT] = {
	[ACTION_ACCEPT] = "accept",
	[ACTION_TAG] = "tag",
	[ACTION_REROUTE] = "reroute",
	[ACTION_QUARANTINE] = "quarantine",
	[ACTION_TEMPFAIL] = "tempfail",
	[ACTION_REJECT] = "reject",
};

const char *
finding_name(enum finding finding)
{
	if ((unsigned)finding >= FINDING_COUNT)
		return "unknown";
	return findings[finding].name;
}

int
finding_from_name(const char *name)
{
	for (int i = 0; i < FINDING_COUNT; i++)
		if (strcasecmp(name, findings[i].name) == 0)
			return i;
	return -1;
}

enum action
finding_default_action(enum finding finding)
{
	if ((unsigned)finding >= FINDING_COUNT)
		return ACTION_ACCEPT;
	return findings[finding].default_action;
}

const char *
action_name(enum action action)
{
	if ((unsigned)action >= ACTION_COUNT)
		return "unknown";
	return actions[action];
}

int
action_from_name(const char *name)
{
	for (int i = 0; i < ACTION_COUNT; i++)
		if (strcasecmp(name, actions[i]) == 0)
			return i;
	return -1;
}

void
finding_list_write(FILE *fp, const bool *findings, bool json)
{
	bool first = true;

	if (json)
		fputc('[', fp);
	for (int f = 0; f < FINDING_COUNT; f++)
		if (findings[f]) {
			fprintf(fp, json ? "%s\"%s\"" : "%s%s", first ? "" :
			    json ? ", " : ",", finding_name((enum finding)f));
			first = false;
		}
	if (json)
		fputc(']', fp);
	else if (first)
		fputc('-', fp);
}
