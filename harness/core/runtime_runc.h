/* The runc backend (--runtime runc): PID 1 as an OCI runtime starts it.
 * reapbench writes the bundle itself into a private temp dir (config.json
 * from the sandbox options, a rootfs of read-only binds), runs `runc
 * create` as a subreaper (so PID 1 becomes the harness's child, as a
 * containerd shim's), `runc start`, and `runc delete --force` at the end.
 *
 * Containers live under a private state root (RB_RUNC_ROOT): no other runc
 * user's container is ever touched. Their ids are
 * reapbench-<harness pid>-<start time>-<suffix>; the next start deletes
 * those whose harness is gone (a SIGKILLed harness has no PDEATHSIG here). */
#ifndef REAPBENCH_RUNTIME_RUNC_H
#define REAPBENCH_RUNTIME_RUNC_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define RB_RUNC_ROOT "/run/reapbench-runc"

/* What the config needs to know (the sandbox options, resolved). */
struct rb_runc_spec {
	char *const *argv;  /* PID 1's argv, as the own sandbox execs it */
	char *const *env;   /* its environment */
	const char *cwd;    /* its working directory (bound read-only) */
	long pids_max;      /* linux.resources.pids.limit */
	pid_t join_pid;     /* 0: new namespaces; else join that process's pid, ipc,
			     * uts and network namespaces by path (a pod's container) */
	const char *cgroups_path; /* rb_runc_create sets it: [<parent>/]<id> */
	const char *cgroup_parent; /* a container's id (a pod's sandbox): its cgroup
				    * holds ours, so that its pids.max and pids.peak
				    * count the whole pod; NULL: none */
	long rt_runtime_us;       /* cpu.rt_runtime_us; 0: none (rb_runc_create picks) */
	json_t *seccomp;          /* linux.seccomp (borrowed; rb_runc_seccomp); NULL: none */
};

struct rb_runc {
	char runc[256];         /* the runc binary */
	char id[128];
	char bundle[256];       /* the private temp dir; "" when none */
	char cgroups_path[300]; /* config.json's cgroupsPath: [<parent id>/]<id> */
	char cgroup[1024];      /* runc's pids cgroup directory */
	int cgroup_version;
	long rt_runtime_us;     /* the real-time budget it got (0: none) */
	bool created;           /* runc create succeeded: delete it */
	pid_t watchdog;         /* rb_runc_watch's process, 0: none */
	int watch_fd;           /* its pipe's write end (-1: none) */
};

/* runc is there and can run here (root); else RB_ERR_UNSUPPORTED saying why. */
int rb_runc_check(struct rb_runc *c, struct rb_error *err);

/* config.json for SPEC (pure: for the unit tests too); NULL on ENOMEM. */
json_t *rb_runc_config(const struct rb_runc_spec *spec);

/* linux.seccomp for profile WHICH (enum rb_seccomp) on this machine and
 * kernel (uname), against the container's capabilities: a new reference;
 * NULL for none, or with ERR. */
json_t *rb_runc_seccomp(int which, struct rb_error *err);

/* Delete the containers of harnesses that are gone; returns how many. */
int rb_runc_sweep_stale(const struct rb_runc *c);

/* Make the bundle (temp dir, rootfs, config.json) and `runc create` it with
 * stdout/stderr on OUTPUT_FD (-1: the harness's own). *PID1 is the
 * container's PID 1 (our child: the harness becomes a subreaper). */
int rb_runc_create(struct rb_runc *c, const struct rb_runc_spec *spec, int output_fd,
		   pid_t *pid1, struct rb_error *err);

/* The parent-death signal runc cannot give: a watchdog process that
 * SIGKILLs PID 1 (PIDFD) when its pipe from the harness reads EOF, that is
 * when the harness is gone, even SIGKILLed. rb_runc_delete ends it. */
int rb_runc_watch(struct rb_runc *c, int pidfd, struct rb_error *err);

/* `runc start`: PID 1 execs its argv. */
int rb_runc_start(struct rb_runc *c, struct rb_error *err);

/* `runc kill ID SIG`, as containerd stops a container. 0 or -1. */
int rb_runc_kill(const struct rb_runc *c, int sig);

/* `runc delete --force`, then confirm the state and the cgroup are gone;
 * removes the bundle. */
int rb_runc_delete(struct rb_runc *c, struct rb_error *err);

/* Set kernel.pid_max of the PID namespace whose PID 1 PIDFD is (runc
 * refuses it as a sysctl: "not in a separate kernel namespace"). */
int rb_ns_set_pid_max(int pidfd, long value, struct rb_error *err);

#endif
