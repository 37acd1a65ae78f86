/*
 * conf_print.h - "egress-milter -t" prints the effective configuration
 * as a file: every key as "Key value", each after "# FILE:LINE" or
 * "# default" (see conf_print.c).
 * Must not: change the configuration or read files.
 */
#ifndef EM_CONF_PRINT_H
#define EM_CONF_PRINT_H

#include <stdio.h>

#include "conf/conf.h"

/* Prints CONF; LOOKED_FOR names the file looked for when none was read. */
void conf_print(const struct conf *conf, const char *looked_for, FILE *fp);

#endif
