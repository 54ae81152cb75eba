/* Whether two records can be compared at all (reapbench compare): the same
 * command, the same machine and background load, the same options that
 * shape a measurement, and runs observed alike. A pair that fails is bad
 * input (exit 2) naming what differs and both values: a burst against a
 * hoard, or 1000 processes against 5000, is no regression. Unit-tested in
 * tests/unit/test_comparable.c. */
#ifndef REAPBENCH_COMPARABLE_H
#define REAPBENCH_COMPARABLE_H

#include <stdbool.h>

#include <jansson.h>

#include "error.h"

struct rb_comparable {
	const char *base_path, *new_path; /* named in the message */
	bool other_machine;               /* --allow-other-machine */
};

/* 0 when BASE and NEW (loaded records) may be compared; else -1 and ERR (an
 * input error) says the first thing that differs. */
int rb_records_comparable(json_t *base, json_t *new_, const struct rb_comparable *c,
			  struct rb_error *err);

/* Whether options.KEY does not shape a measurement (how many runs, how long
 * to wait for a run that failed): such keys may differ. */
bool rb_option_free(const char *key);

#endif
