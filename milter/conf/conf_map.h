/*
 * conf_map.h - EgressMap: which egress mail from a sender domain uses,
 * and the egress of a transport (see conf_map.c).
 */
#ifndef EM_CONF_MAP_H
#define EM_CONF_MAP_H

#include "conf/conf.h"
#include "conf/conf_parse.h"

/* Reads EgressMap's file into the configuration (conf_map.c). */
void conf_load_egress_map(struct conf_parse *parse);

/* The default egress for mail from SENDER_DOMAIN (EgressMap, else 0). */
size_t conf_egress_for_domain(const struct conf *conf,
    const char *sender_domain);

/* The egress whose transport= is TRANSPORT, or -1. */
int conf_egress_for_transport(const struct conf *conf,
    const char *transport);

#endif
