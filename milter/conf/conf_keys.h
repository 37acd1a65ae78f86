/*
 * conf_keys.h - the table of configuration keys and their handlers.
 *
 * conf_keys[] drives parsing: each key has a name, how many values it
 * takes, whether it may appear only once, and a handler that checks and
 * stores its values. conf_keys_finish() checks what only the whole file
 * can tell (e.g. a route naming no egress).
 * Must not: read files itself (conf_load.c does), touch the network.
 */
#ifndef EM_CONF_KEYS_H
#define EM_CONF_KEYS_H

#include "conf/conf_parse.h"

extern const struct conf_key conf_keys[];

const struct conf_key *conf_key_find(const char *name);
const char *conf_key_suggest(const char *name);
void conf_keys_finish(struct conf_parse *parse);

#endif
