/* What every measuring suite does around its measurement, written once. */
#ifndef REAPBENCH_SUITE_H
#define REAPBENCH_SUITE_H

#include <jansson.h>
#include <stdbool.h>

#include "registry.h"

/* R cannot run here: its run in REC is a skip with the reason, and a line
 * "NAME unavailable: REASON" (NAME padded to NAME_W) says so. Returns
 * whether R was skipped. */
bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite,
			       int name_w);

#endif
