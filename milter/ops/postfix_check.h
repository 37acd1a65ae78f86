/*
 * postfix_check.h - "egress-milter -t" checks the Postfix side: the
 * transports, the route header rules (header mode) or the socketmap
 * maps (MapSocket), as Postfix's own postconf and postmap see them.
 *
 * postfix_check() runs when CONF has PostfixConfig DIR or EgressFrom
 * postfix, prints each problem as "FILE:LINE: what" on OUT, and returns
 * how many there were (0 when the checks do not apply).
 * Must not: change any file; resolve names; touch libmilter.
 */
#ifndef EM_POSTFIX_CHECK_H
#define EM_POSTFIX_CHECK_H

#include <stdio.h>

#include "conf/conf.h"

int postfix_check(const struct conf *conf, FILE *out);

#endif
