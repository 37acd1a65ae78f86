/*
 * conf_load.h - reading a configuration file: "Key value" lines (keys
 * case-insensitive, '#' comments), every value checked as it is read,
 * each problem reported as "FILE:LINE: what is wrong" (see conf_load.c).
 */
#ifndef EM_CONF_LOAD_H
#define EM_CONF_LOAD_H

#include "conf/conf.h"
#include "conf/conf_parse.h"

/*
 * Reads PATH. Returns a new configuration, or NULL with every problem
 * appended to ERRORS (which the caller frees with conf_errors_free()).
 */
struct conf *conf_load(const char *path, struct conf_errors *errors);

#endif
