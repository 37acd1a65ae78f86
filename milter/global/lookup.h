/*
 * lookup.h - the outcome of one lookup in a table the MTA asks (route,
 * route status): found with an answer, not found, or a temporary or
 * permanent error, as socketmap_table(5) has them.
 *
 * A type only: the policy and health layers answer with it, the
 * socketmap server (mta/socketmap.c) frames it.
 * Must not: declare any file's functions.
 */
#ifndef EM_LOOKUP_H
#define EM_LOOKUP_H

enum lookup_status {
	LOOKUP_OK,
	LOOKUP_NOTFOUND,
	LOOKUP_TEMP,
	LOOKUP_PERM
};

#endif
