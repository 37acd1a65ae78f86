/*
 * summary_print.h - the report of --summary (see summary_print.c).
 */
#ifndef EM_SUMMARY_PRINT_H
#define EM_SUMMARY_PRINT_H

#include <stdio.h>

#include "ops/ops.h"

void summary_print(const struct summary *s, FILE *out);

#endif
