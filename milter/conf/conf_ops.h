/*
 * conf_ops.h - the handlers of the operations interfaces' keys,
 * ControlSocket and MetricsListen (see conf_ops.c).
 */
#ifndef EM_CONF_OPS_H
#define EM_CONF_OPS_H

#include "conf/conf_parse.h"

/* ControlSocket and MetricsListen (conf_ops.c). */
void key_control_socket(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

void key_metrics_listen(struct conf_parse *parse, const struct conf_key *key,
    char **values, int nvalues);

/* Splits "ADDR:PORT" / "[ADDR6]:PORT" (ADDR not checked); 0 when valid. */
int conf_split_listen(const char *text, char *addr, size_t size, long *port);

#endif
