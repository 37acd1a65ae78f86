/*
 * check.h - "egress-milter --check": one round of every egress-level
 * check for every configured egress, printed for a person or as JSON,
 * with the Nagios plugin exit code.
 * Must not: touch libmilter.
 */
#ifndef EM_CHECK_H
#define EM_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "conf/conf.h"

/* Runs the checks and prints to FP; returns 0 OK, 1 WARNING, 2
 * CRITICAL, 3 UNKNOWN. */
int check_run(const struct conf *conf, bool json, FILE *fp);

#endif
