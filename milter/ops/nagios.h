/*
 * nagios.h - what --check and --status share as Nagios plugins: the
 * status word of the first line, the perfdata, and the whole-run bound
 * of -T.
 *
 * nagios_label() gives "OK", "WARNING", "CRITICAL", "UNKNOWN";
 * nagios_perfdata() writes " | egresses_ok=N;;;0;M dnsbl_listed=L" and,
 * when ELAPSED >= 0, " time=S.SSSs"; nagios_bound() makes the process
 * print one UNKNOWN result and exit 3 when SECONDS pass (SIGALRM).
 * Must not: touch libmilter, do DNS.
 */
#ifndef EM_NAGIOS_H
#define EM_NAGIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "health/egress.h"

const char *nagios_label(enum egress_state state);
void nagios_perfdata(FILE *fp, size_t ok, size_t total, size_t listed,
    double elapsed);
/* After SECONDS (> 0): an UNKNOWN line (or JSON document), exit 3. */
void nagios_bound(int seconds, bool json);
/* Seconds since an earlier nagios_now(). */
double nagios_now(void);

#endif
