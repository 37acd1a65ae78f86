/*
 * postfix_init.h - "egress-milter --init [DIR]": a ready configuration
 * for map mode, read from a Postfix's own configuration.
 *
 * postfix_init() prints to OUT an egress-milter.conf whose egresses are
 * that Postfix's (the default transport's smtp_bind_address and HELO,
 * every master.cf service with its own -o smtp_bind_address=), and, as
 * comment lines at its end, the postconf commands that wire map mode;
 * problems go to ERR. Returns 0, or 1 when the Postfix cannot be read.
 * Must not: change any file but a temporary one of its own; resolve
 * names; touch libmilter.
 */
#ifndef EM_POSTFIX_INIT_H
#define EM_POSTFIX_INIT_H

#include <stdio.h>

/* DIR: Postfix's config_directory, or NULL for postconf's own. */
int postfix_init(const char *dir, FILE *out, FILE *err);

#endif
