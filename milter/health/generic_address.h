/*
 * generic_address.h - is the address, or part of it, written in a PTR
 * name (see generic_address.c). HOW gets how it is written, e.g.
 * "dashed, reversed".
 */
#ifndef EM_GENERIC_ADDRESS_H
#define EM_GENERIC_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "health/generic_rules.h"

bool generic_address_written(const struct generic_subject *s, char *how,
    size_t size);
bool generic_address_partial(const struct generic_subject *s, char *how,
    size_t size);

#endif
