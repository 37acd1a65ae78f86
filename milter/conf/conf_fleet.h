/*
 * conf_fleet.h - the handlers of the fleet's keys, Redis, RelayName and
 * DnsblBudget (see conf_fleet.c).
 */
#ifndef EM_CONF_FLEET_H
#define EM_CONF_FLEET_H

#include "conf/conf_parse.h"

/* Redis HOST:PORT | unix:/PATH | none [user=NAME] [password=SECRET] */
void key_redis(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

/* RelayName NAME */
void key_relay_name(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

/* DnsblBudget ZONE QUERIES-PER-DAY */
void key_dnsbl_budget(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

#endif
