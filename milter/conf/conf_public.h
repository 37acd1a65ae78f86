/*
 * conf_public.h - egresses behind NAT: PublicAddress and public= (see
 * conf_public.c).
 */
#ifndef EM_CONF_PUBLIC_H
#define EM_CONF_PUBLIC_H

#include "conf/conf_parse.h"

/* NAT (conf_public.c): Egress's public=, PublicAddress, and applying it. */
int conf_egress_public(struct conf_parse *parse, struct conf_egress *egress,
    const char *value);

void conf_key_public_address(struct conf_parse *parse,
    const struct conf_key *key, char **values, int nvalues);

void conf_apply_public_addresses(struct conf_parse *parse);

#endif
