/* What every measuring suite does around its measurement, written once. */
#ifndef REAPBENCH_SUITE_H
#define REAPBENCH_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "registry.h"
#include "sysinfo.h"

/* Who times exits and reaps in a storm: the payload's pidfd per process,
 * the kernel's tracepoints (observer_bpf.h), or both side by side. */
enum rb_observer { RB_OBS_PIDFD, RB_OBS_BPF, RB_OBS_BOTH };
extern const char *const rb_observer_names[]; /* "pidfd", "bpf", "both", NULL */

/* R cannot run here: its run in REC is a skip with the reason, and a line
 * "NAME unavailable: REASON" says so. Returns whether R was skipped. */
bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite);

/* The payload holds a pidfd per storm process and raises its soft
 * RLIMIT_NOFILE to the hard one: make the hard one PROCESSES + SLACK (root
 * may raise it). -1 with WHY when it stays below. */
int rb_suite_raise_nofile(unsigned long processes, unsigned long slack, char *why, size_t len);

#endif
