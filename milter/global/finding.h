/*
 * finding.h - the names of findings and actions, and their order of force.
 *
 * Owns: the fixed list of finding names (no-ptr, listed, spf-fail, ...),
 * the list of actions (accept < tag < reroute < quarantine < tempfail <
 * reject) and the built-in action for each finding.
 * Must not: know about configuration files, DNS or libmilter.
 */
#ifndef EM_FINDING_H
#define EM_FINDING_H

#include <stdbool.h>
#include <stdio.h>

enum finding {
	FINDING_NO_PTR,
	FINDING_FCRDNS_MISMATCH,
	FINDING_GENERIC_PTR,
	FINDING_HELO_MISMATCH,
	FINDING_LISTED,
	FINDING_REFUSED,		/* learned from a remote (refusal.c) */
	FINDING_DNS_ERROR,
	FINDING_NOT_PUBLIC,		/* the address is not what servers see */
	FINDING_SPF_FAIL,
	FINDING_SPF_SOFTFAIL,
	FINDING_SPF_NEUTRAL,
	FINDING_SPF_NONE,
	FINDING_SPF_PERMERROR,
	FINDING_SPF_TEMPERROR,
	FINDING_DKIM_FAIL,
	FINDING_DMARC_FAIL,
	FINDING_DOMAIN_LISTED,
	FINDING_FROM_INVALID,
	/*
	 * Pre-flight: the rules the big receivers publish (Gmail, Yahoo,
	 * Outlook.com, Apple); logged apart, in the preflight= field.
	 */
	FINDING_DMARC_MISSING,
	FINDING_UNALIGNED,
	FINDING_DKIM_MISSING,
	FINDING_DKIM_WEAK,
	FINDING_HEADER_INVALID,
	FINDING_UNSUBSCRIBE_MISSING,
	FINDING_COUNT
};

#define FINDING_FIRST_PREFLIGHT FINDING_DMARC_MISSING

/* In rising order of force: a larger value wins. */
enum action {
	ACTION_ACCEPT,
	ACTION_TAG,
	ACTION_REROUTE,
	ACTION_QUARANTINE,
	ACTION_TEMPFAIL,
	ACTION_REJECT,
	ACTION_COUNT
};

const char *finding_name(enum finding finding);
/* Whether FINDING is a pre-flight one (a receiver's published rule). */
bool finding_is_preflight(enum finding finding);
/* Returns the finding for NAME (case-insensitive), or -1. */
int finding_from_name(const char *name);
/* The action used when no "On" line names the finding. */
enum action finding_default_action(enum finding finding);

/*
 * Writes the names of the findings set in FINDINGS (FINDING_COUNT flags)
 * to FP: as a JSON array, or comma-separated ("-" for none).
 */
void finding_list_write(FILE *fp, const bool *findings, bool json);

const char *action_name(enum action action);
/* Returns the action for NAME (case-insensitive), or -1. */
int action_from_name(const char *name);

#endif
