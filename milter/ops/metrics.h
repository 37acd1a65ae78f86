/*
 * metrics.h - the Prometheus endpoint (MetricsListen) at /metrics.
 *
 * metrics_start() serves GET /metrics on ADDRESS:PORT through
 * libmicrohttpd in a thread of its own; metrics_stop() stops it.
 * metrics_render() writes the whole exposition (text format 0.0.4):
 * messages by action and by finding, each egress's state (0 ok,
 * 1 warning, 2 critical, 3 unknown) and per-zone listing, learned
 * refusals, DNS cache counters, DNS errors by kind and server, the
 * decision latency histogram, route-map lookups.
 * Must not: touch libmilter, do DNS, or hand-write HTTP.
 */
#ifndef EM_METRICS_H
#define EM_METRICS_H

#include <stdio.h>

/* Serves LISTEN ("ADDR:PORT", "[ADDR6]:PORT"); NULL: off. 0 or -1. */
int metrics_start(const char *listen);
void metrics_stop(void);

#endif
