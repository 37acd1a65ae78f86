/*
 * fleet.h - the state a fleet of relays shares through Redis (the Redis
 * key): learned refusals, each egress address's health checked by one
 * relay per round, the relays seen.
 *
 * One thread (fleet_start()) is the only one that talks to Redis; every
 * other thread reads and writes memory only (here, refusal.c,
 * fleet_health.c). Without a Redis line,
 * or while Redis is down, slow or lost, nothing changes for the relay:
 * it checks its egresses itself and keeps the refusals it has.
 * Must not: touch libmilter or DNS; make a socketmap answer or a message
 * wait on Redis.
 */
#ifndef EM_FLEET_H
#define EM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf/conf.h"

#define FLEET_MAX_RELAYS 64

/* Starts the fleet thread (it idles while the configuration has no Redis). */
int fleet_start(void);
void fleet_stop(void);

struct fleet_relay {
	char name[CONF_NAME_MAX + 1];
	long age_ms;			/* since its last heartbeat */
};

struct fleet_view {
	bool configured;		/* a Redis line */
	bool reachable;
	char target[300];		/* Redis's address, never the password */
	char relay[CONF_NAME_MAX + 1];	/* this relay's name */
	time_t since;			/* reachable (or not) since */
	size_t nrelays;
	struct fleet_relay relays[FLEET_MAX_RELAYS];
	unsigned long refusals_shared;	/* installed from other relays */
	unsigned long refusals_published;
	unsigned long checks_shared;	/* rounds that took another's result */
	unsigned long checks_published;
};

/* What --status and /metrics show of the fleet. */
void fleet_view(struct fleet_view *out);

#endif
