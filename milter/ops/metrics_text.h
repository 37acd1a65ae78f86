/*
 * metrics_text.h - the Prometheus exposition of the daemon's state (see
 * metrics_text.c); metrics.c serves it over HTTP.
 */
#ifndef EM_METRICS_TEXT_H
#define EM_METRICS_TEXT_H

#include <stdio.h>

/* The exposition text (metrics_text.c). */
void metrics_render(FILE *fp);

#endif
