/*
 * relay_audit.h - "don't be an open relay": the open-relay audit of a
 * Postfix configuration, run by --check when EgressFrom postfix names
 * it.
 *
 * relay_audit_run() reads the configuration through postconf (main.cf
 * and every inet smtpd service's -o overrides in master.cf) and reports
 * each problem with its fix: relay restrictions that let mail to any
 * destination through (no reject_unauth_destination or
 * defer_unauth_destination before a broad permit, in both
 * smtpd_relay_restrictions and smtpd_recipient_restrictions); a
 * mynetworks that holds 0.0.0.0/0, ::/0 or a public range wider than
 * /24 (IPv4) or /48 (IPv6); SASL authentication offered without TLS.
 * Must not: touch libmilter, do DNS, change the configuration.
 */
#ifndef EM_RELAY_AUDIT_H
#define EM_RELAY_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define RELAY_AUDIT_MAX 32

struct relay_problem {
	char rule[32];			/* open-relay, mynetworks, sasl-no-tls */
	char service[64];		/* master.cf service, or "main.cf" */
	char problem[512];
	char fix[512];
};

struct relay_audit {
	bool ran;
	char error[256];		/* why it could not run, or "" */
	size_t n;
	struct relay_problem problems[RELAY_AUDIT_MAX];
};

/* Audits the Postfix configuration in DIR ("" for the default). */
void relay_audit_run(const char *dir, struct relay_audit *out);

/* True when ENTRY (a mynetworks element) is too wide; WHY says how. */
bool relay_audit_network_too_wide(const char *entry, char *why,
    size_t size);

void relay_audit_print_text(FILE *fp, const struct relay_audit *audit);
void relay_audit_print_json(FILE *fp, const struct relay_audit *audit);

#endif
