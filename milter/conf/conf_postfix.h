/*
 * conf_postfix.h - "EgressFrom postfix[:DIR]": the egress table read from
 * a Postfix instance, and running postconf (see conf_postfix.c).
 */
#ifndef EM_CONF_POSTFIX_H
#define EM_CONF_POSTFIX_H

#include "conf/conf_parse.h"

/* EgressFrom postfix[:DIR]: adds the egresses Postfix's config names. */
void conf_discover_postfix(struct conf_parse *parse, const char *dir);

/* Runs ARGS[0] (postconf, postmap) with ARGS: its output lines, or NULL. */
char **conf_run_postconf(const char *const *args, char *error, size_t size);

void conf_free_lines(char **lines);

#endif
