/* The storm's options on rb-payload's command line ("storm PATTERN --count
 * N ..."): one table from which the harness writes them and the payload
 * reads them back, with each option's bounds and unit written once. */
#ifndef REAPBENCH_STORM_ARGS_H
#define REAPBENCH_STORM_ARGS_H

#include <stddef.h>

#include "storm.h"

/* Room for the words storm_args_words writes (each option and its value). */
#define STORM_ARGS_MAX_WORDS 24

/* The options a storm runs with when none is given: what rb-payload storm
 * starts from, and what the harness's callers change. */
void storm_opts_defaults(struct storm_opts *o);

/* "storm PATTERN" and O's words (storm_args_words), NULL-terminated, kept in
 * A; returns A's word list (a payload's argv for the runner). */
struct storm_argv {
	char *w[3 + STORM_ARGS_MAX_WORDS];
	char store[STORM_ARGS_MAX_WORDS][32];
};
char **storm_argv(struct storm_argv *a, const char *pattern, const struct storm_opts *o);

/* Appends O as words to W (from *N; the values in STORE, one 32-byte slot
 * per value, at most STORM_ARGS_MAX_WORDS / 2): every option with a value, --no-monitor when set, --spawners
 * only above 1 (a payload that predates it still runs one). */
void storm_args_words(const struct storm_opts *o, char **w, int *n, char store[][32]);

/* ARGV[*I] (and its value, --name V or --name=V) into O: 1 when it is a
 * storm option (then *I points at its last word), 0 when it is not one,
 * -1 with WHY (LEN bytes) when its value is bad. */
int storm_args_parse(int argc, char **argv, int *i, struct storm_opts *o, char *why, size_t len);

#endif
