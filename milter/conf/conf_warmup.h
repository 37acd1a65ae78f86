/*
 * conf_warmup.h - Warmup and WarmupFull: the warm-up of a new egress
 * address (see conf_warmup.c).
 */
#ifndef EM_CONF_WARMUP_H
#define EM_CONF_WARMUP_H

#include "conf/conf_parse.h"

/* Warmup EGRESS start=YYYY-MM-DD [target=N] [schedule=FILE]. */
void conf_key_warmup(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

/* WarmupFull defer|send. */
void conf_key_warmup_full(struct conf_parse *parse,
    const struct conf_key *key, char **values, int nvalues);

/* Once the whole file is read: every Warmup line names an egress. */
void conf_warmup_finish(struct conf_parse *parse);

/* The Warmup line of egress NAME in CONF, or NULL. */
const struct conf_warmup *conf_warmup_of(const struct conf *conf,
    const char *name);

/* The hourly cap of daily cap CAP_DAY: min(CAP_DAY, max(20, ceil(/10))). */
long conf_warmup_cap_hour(long cap_day);

#endif
