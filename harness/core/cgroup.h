/* The sandbox's pids cgroup: bounds the process count (zombies are charged
 * until reaped), reports the peak, and names every process the harness
 * started so that a later run can clean up after a killed one.
 *
 * Directories are named reapbench-<harness pid>-<harness start time>; one
 * whose harness is gone is stale and is swept by the next run. */
#ifndef REAPBENCH_CGROUP_H
#define REAPBENCH_CGROUP_H

#include <limits.h>
#include <stdbool.h>

#include "error.h"

struct rb_cgroup {
	int version;          /* 1 (v1 pids controller) or 2 */
	char path[PATH_MAX];  /* the directory we made */
};

/* The hierarchy where a pids cgroup can be made, or -1 with the reason. */
int rb_cgroup_pick_root(char *root, size_t len, int *version, struct rb_error *err);

/* Make the cgroup and set pids.max. */
int rb_cgroup_create(struct rb_cgroup *cg, long pids_max, struct rb_error *err);

/* Move PID into the cgroup. */
int rb_cgroup_add(const struct rb_cgroup *cg, pid_t pid, struct rb_error *err);

/* pids.current / pids.peak, or -1 if unreadable. */
long rb_cgroup_read_long(const struct rb_cgroup *cg, const char *file);

/* For a tight poll: FILE of the cgroup opened once (-1 if it cannot be),
 * then read again and again at offset 0 (-1 on error): no path, open or
 * close per read on the cores the measured PID 1 runs on. */
int rb_cgroup_open(const struct rb_cgroup *cg, const char *file);
long rb_cgroup_pread_long(int fd);

/* Wait up to TIMEOUT_MS for the cgroup to empty, SIGKILLing what is left in
 * it (only processes we started are in it), then remove it. */
int rb_cgroup_destroy(struct rb_cgroup *cg, int timeout_ms, struct rb_error *err);

/* Remove the cgroups (and channel files) of harnesses that died. Returns the
 * number swept. */
int rb_cgroup_sweep_stale(void);

/* NAME is "reapbench-<pid>-<start>[...]" and that harness is gone. */
bool rb_tag_is_stale(const char *name);

/* REMOVE(DIR/NAME, ARG) for every stale NAME in DIR; how many returned 0. */
int rb_sweep_stale(const char *dir, int (*remove)(const char *path, void *arg), void *arg);

/* "<pid>-<starttime>": identifies this harness process across pid reuse. */
void rb_self_tag(char *buf, size_t len);

#endif
