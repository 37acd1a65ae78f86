/*
 * generic.h - does a PTR name look generic (dynamic, residential, a
 * cloud provider's default name) for a given address?
 *
 * generic_name() applies the rule table in generic.c; WHY names the rule
 * that matched. Must not: do DNS or I/O.
 */
#ifndef EM_GENERIC_H
#define EM_GENERIC_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"

bool generic_name(const char *name, const struct ip_address *address,
    char *why, size_t size);

#endif
