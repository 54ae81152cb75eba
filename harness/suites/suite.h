/* What every measuring suite does around its measurement, written once. */
#ifndef REAPBENCH_SUITE_H
#define REAPBENCH_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "registry.h"
#include "sysinfo.h"

/* Who times exits and reaps in a storm: the payload's pidfd per process,
 * the kernel's tracepoints (observer_bpf.h), both side by side, or auto:
 * the kernel's where the BPF observer loads, else the pidfds. */
enum rb_observer { RB_OBS_PIDFD, RB_OBS_BPF, RB_OBS_BOTH, RB_OBS_AUTO };
extern const char *const rb_observer_names[]; /* "pidfd", "bpf", "both", "auto", NULL */

struct rb_bpf_observer;
/* Loads the BPF observer that *OBSERVER asks for (room for PID_SPACE pids
 * and RECORDS reaps) into *BPF, and resolves auto: bpf where it loads, else
 * pidfd with WHY (LEN bytes) saying why not. bpf and both that cannot load
 * fail with ERR (unsupported: exit 3). */
int rb_observer_open(int *observer, struct rb_bpf_observer **bpf, uint32_t pid_space,
		     uint32_t records, char *why, size_t len, struct rb_error *err);

/* auto for a suite whose kernel figures come beside its own (signals,
 * exhaust): true with the BPF observer loaded into *BPF, else false with
 * WHY saying why it cannot run here. */
bool rb_observer_try(struct rb_bpf_observer **bpf, uint32_t pid_space, uint32_t records,
		     char *why, size_t len);

/* R cannot run here: its run in REC is a skip with the reason, and a line
 * "NAME unavailable: REASON" says so. Returns whether R was skipped. */
bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite);

/* The payload holds a pidfd per storm process and raises its soft
 * RLIMIT_NOFILE to the hard one: make the hard one PROCESSES + SLACK (root
 * may raise it). -1 with WHY when it stays below. */
int rb_suite_raise_nofile(unsigned long processes, unsigned long slack, char *why, size_t len);

#endif
