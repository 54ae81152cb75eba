/* The sandbox: a command running as PID 1 of a new PID namespace, with its
 * own /proc, its own pids cgroup and pid_max, a deadline, and a guarantee
 * that it dies with the harness (PR_SET_PDEATHSIG) even on SIGKILL.
 *
 * Lifecycle: rb_sandbox_start() -> [rb_sandbox_join()...] -> rb_sandbox_wait()
 * -> rb_sandbox_destroy(). */
#ifndef REAPBENCH_SANDBOX_H
#define REAPBENCH_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "runtime_runc.h"
#include "seccomp.h"
#include "sysinfo.h"

enum rb_userns { RB_USERNS_AUTO, RB_USERNS_YES, RB_USERNS_NO };

/* Who makes PID 1's container: reapbench itself, or runc (runtime_runc.h). */
enum rb_runtime { RB_RUNTIME_OWN, RB_RUNTIME_RUNC };
extern const char *const rb_runtime_names[]; /* "own", "runc", NULL */

struct rb_sandbox_opts {
	long pid_max;         /* per-namespace pid_max (6.14+); 0: leave it */
	long pids_max;        /* cgroup pids.max */
	int64_t deadline_ns;  /* wall-clock budget from start */
	enum rb_userns userns;
	enum rb_runtime runtime;
	enum rb_seccomp seccomp; /* runc only: the container's seccomp profile */
	char *const *env;     /* environment for PID 1 (and joined workloads) */
	int output_fd;        /* stdout+stderr of the sandbox; -1: the harness's own */
	/* Called with PID 1's host pid once its namespaces exist and before it
	 * runs anything (an observer armed on them sees the first exit); a
	 * failure ends the start with its error. NULL: none. */
	int (*on_created)(pid_t pid1, void *arg, struct rb_error *err);
	void *on_created_arg;
};

/* Standalone mode: a workload that joined PID 1's namespaces, as a
 * container joins its pod. Under runc it is a container of its own that
 * joins PID 1's by path, and the harness (a subreaper) is its parent. */
#define RB_SANDBOX_MAX_JOINED 4
struct rb_joined {
	pid_t helper;       /* host pid of the helper outside: the workload's parent;
			     * -1 under runc */
	pid_t pid;          /* host pid of the workload */
	int pidfd;          /* the workload's pidfd (rb_sandbox_signal_joined), -1: none */
	int status_fd;      /* the helper writes the workload's wait status here
			     * (runc: a pidfd, readable at its exit) */
	int status;         /* its wait status, -1 if unknown */
	bool done;          /* it exited and the status was read */
	int64_t t_done_ns;  /* when the harness read the status */
	struct rb_runc runc; /* runc: its container */
};

enum rb_sandbox_end {
	RB_END_EXITED,      /* PID 1 exited by itself */
	RB_END_DEADLINE,    /* killed at the deadline */
	RB_END_INTERRUPTED, /* killed because the harness got SIGINT/SIGTERM/SIGHUP */
};

struct rb_sandbox {
	pid_t pid1;          /* host pid of the namespace's PID 1 */
	int pidfd;
	int sigfd;           /* signalfd for SIGINT/SIGTERM/SIGHUP to the harness */
	bool userns;         /* a user namespace was used (unprivileged mode) */
	bool has_cgroup;
	char cgroup_skip[256]; /* why there is no cgroup */
	bool pid_max_set;
	char pid_max_skip[256];
	struct rb_cgroup cg;
	int64_t t_start_ns, t_end_ns;
	/* CLOCK_MONOTONIC: t_start_ns + the options' deadline, set once at the
	 * start; every wait of the run (the harness's sends, its probes, a
	 * pod's stop, rb_sandbox_wait) ends by it */
	int64_t deadline_at_ns;
	int status;          /* wait status of PID 1 */
	char stuck[256];     /* its end was given up on (sandbox.c, wait_bounded): what was left */
	enum rb_sandbox_end end;
	int signal_received; /* for RB_END_INTERRUPTED */
	long pids_peak;      /* cgroup pids.peak at the end, -1 if unknown */
	/* standalone mode: the workloads that joined, in order */
	int njoined;
	struct rb_joined joined[RB_SANDBOX_MAX_JOINED];
	int joiner_status;   /* joined[0].status, for one-workload callers */
	bool joiner_done;    /* joined[0].done */
	enum rb_runtime runtime;
	struct rb_runc runc; /* RB_RUNTIME_RUNC: the container */
};

int rb_sandbox_start(struct rb_sandbox *sb, const struct rb_sysinfo *si,
		     const struct rb_sandbox_opts *opts, char *const argv[], struct rb_error *err);

/* Run ARGV inside PID 1's namespaces (as a container joins a pause
 * process): a helper joins with setns and forks the workload, which gets
 * OPTS->env. Up to RB_SANDBOX_MAX_JOINED times, each a new sb->joined[]. */
int rb_sandbox_join(struct rb_sandbox *sb, const struct rb_sandbox_opts *opts, char *const argv[],
		    struct rb_error *err);

/* Send SIG to joined workload I from the parent namespace (as a container
 * runtime stops a container: `runc kill` under runc). 0 or -errno. */
int rb_sandbox_signal_joined(struct rb_sandbox *sb, int i, int sig);

/* Wait up to TIMEOUT_MS for a joined workload to exit, reading every
 * status that is there; returns how many are still running. */
int rb_sandbox_poll_joined(struct rb_sandbox *sb, int timeout_ms);

/* Wait for PID 1 to exit or for sb->deadline_at_ns; in standalone mode,
 * signal PID 1 with STOP_SIGNAL (0: none) once every joined workload has
 * exited (once, and only if that happens during this wait). */
int rb_sandbox_wait(struct rb_sandbox *sb, int stop_signal, struct rb_error *err);

/* Send SIG to PID 1 from the parent namespace (as docker stop does). */
int rb_sandbox_signal(struct rb_sandbox *sb, int sig);

/* Send SIG to PID 1 as the runtime stops a container (docker stop,
 * containerd): `runc kill ID SIG` under runc, else as rb_sandbox_signal. */
int rb_sandbox_stop_signal(struct rb_sandbox *sb, int sig);

/* Wait up to TIMEOUT_MS for PID 1 to exit; true if it has (not reaped). */
bool rb_sandbox_pid1_exited(struct rb_sandbox *sb, int timeout_ms);

/* Kill what is left, confirm the cgroup is empty, remove it. */
int rb_sandbox_destroy(struct rb_sandbox *sb, struct rb_error *err);

/* Human form of a wait status: "exited 3", "killed by SIGTERM". */
const char *rb_status_string(int status, char *buf, size_t len);

/* The exit code a shell would report: N, or 128+S. */
int rb_status_code(int status);

#endif
