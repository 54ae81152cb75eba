/* One payload under one reaper in a fresh sandbox: the primitive that
 * `reapbench run` exposes and that every suite is made of. */
#ifndef REAPBENCH_RUNNER_H
#define REAPBENCH_RUNNER_H

#include <jansson.h>
#include <stdbool.h>

#include "channel.h"
#include "error.h"
#include "record.h"
#include "registry.h"
#include "observer_bpf.h"
#include "sandbox.h"
#include "sigmatch.h"
#include "sysinfo.h"

/* An open-loop train (reapbench signals): N signals to PID 1 from the parent
 * namespace, send i due at t0 + i * PERIOD_NS (t0: the plan's delay after
 * the payload is ready), whatever happened to the ones before: a reaper that
 * stalls cannot slow the schedule down. Kinds go in turn. The harness writes
 * each send's signal and its due and actual times to SENDS (room for N,
 * the caller's) and how many went out to NSENT. */
#define RB_TRAIN_MAX_KINDS 8
struct rb_signal_train {
	int n;
	int64_t period_ns;
	int nkinds;
	int kinds[RB_TRAIN_MAX_KINDS];
	struct rb_sig_send *sends;
	int nsent;
	/* The sender is the instrument: it runs SCHED_FIFO with a 1 ns timer
	 * slack while it sends, when allowed (else sender_errno says why not). */
	bool sender_rt;
	int sender_errno;
};

/* Signals the harness sends to PID 1 from the parent namespace once the
 * payload reports ready (rb-payload signal-recorder does), DELAY after it. */
#define RB_MAX_SENDS 16
/* The signals a run sends PID 1 from outside (as docker stop and kill do),
 * and how the run then ends. */
struct rb_sends {
	int n;
	int sig[RB_MAX_SENDS];
	int64_t delay_ns;
	/* With settle_ns > 0, the harness then ends the run itself (SIGKILL to
	 * PID 1): SETTLE_NS after the sends, or 20 ms after the payload logged
	 * SETTLE_SIG, whichever comes first. For checks that only need to know
	 * who received what. */
	int64_t settle_ns;
	int settle_sig;
	/* Send them, and the settle's SIGKILL, as the runtime stops a container
	 * (docker stop: `runc kill ID SIG` under runc; the same as a plain send
	 * under the own sandbox). */
	bool via_runtime;
	/* Send right after PID 1 starts instead of waiting for the payload's
	 * ready flag (signals in the first milliseconds; the delay still applies). */
	bool no_wait_ready;
};

/* What a storm run (rb-payload storm) is watched with from outside. */
struct rb_storm_watch {
	/* room in the channel for this many per-process samples and population
	 * samples (channel.h), copied to res->samples and res->pops */
	uint32_t samples, pops;
	/* probe PID 1 (res->probe) when the payload announces the storm's start
	 * and end (channel storm.phase), holding it at each until probed */
	bool probe_pid1;
	/* poll the cgroup's pids.current from the storm's start (its value then
	 * is the baseline) until it is back at the baseline after the
	 * generator's root exited: res->t_drained_ns. Measured from outside, the
	 * same with the payload's monitoring on or off. */
	bool drain;
};

/* What a run does besides running the payload under the reaper. */
struct rb_run_plan {
	struct rb_sends sends;
	struct rb_storm_watch storm;
	/* Once the payload is ready, find it (the app: PID 1's descendant
	 * under a wrap reaper) and learn how it ended: res->app_status. */
	bool watch_app;
	/* An open-loop train, sent after the plan's own signals. */
	struct rb_signal_train *train;
	/* The kernel-side observer (observer_bpf.h), armed on the sandbox's PID
	 * namespace before PID 1 runs; read at a storm's end, or else after PID
	 * 1's end (res->bpf). */
	struct rb_bpf_observer *bpf;
};

/* PID 1 as /proc showed it at one moment. */
struct rb_pid1_probe {
	bool taken;
	int64_t t_ns;
	bool has_cpu;       /* /proc/PID/schedstat (CONFIG_SCHED_INFO) */
	uint64_t cpu_ns;    /* time on a CPU, from schedstat */
	long rss_peak_kb;   /* VmHWM, -1 unknown */
	long vcsw, ivcsw;   /* voluntary / involuntary context switches, -1 unknown */
};

struct rb_run_result {
	struct rb_sandbox sb;     /* ended and destroyed: status, times, peak */
	struct rb_channel chan;   /* what the payload reported (copy) */
	bool chan_valid;          /* the payload mapped the channel and wrote to it */
	char **argv;              /* PID 1's argv as executed */
	int nsent;                /* signals of the plan actually sent */
	int plan_sig[RB_MAX_SENDS];
	int64_t t_sent_ns[RB_MAX_SENDS];
	char send_skip[128];      /* why the plan was not (fully) sent */
	bool ended_by_harness;    /* the settle time ran out and the harness killed PID 1 */
	int children_stopped;     /* then: PID 1's children in state T (stopped) */
	/* plan->watch_app: the app's wait status, from the app itself, not from
	 * what PID 1 reports: PID 1's own (mode none), the joined workload's
	 * (standalone), or the kernel's record of the app process (wrap:
	 * PIDFD_INFO_EXIT, Linux 6.15+). */
	bool app_status_known;
	int app_status;
	char app_skip[128];       /* why it is not known */
	/* plan->storm.samples: the storm's raw samples (malloc'd copies) */
	struct rb_storm_sample *samples;
	uint32_t nsamples;
	struct rb_storm_pop *pops;
	uint32_t npops;
	/* plan->probe_pid1: [0] at the storm's start, [1] at its end */
	struct rb_pid1_probe probe[2];
	char probe_skip[128];     /* why a probe is missing */
	/* plan->storm.drain */
	long pids_baseline;       /* pids.current when the storm started, -1 unknown */
	int64_t t_drained_ns;     /* the first poll that saw it again after the root's exit; 0: none */
	uint64_t drain_polls;     /* reads of pids.current after the root's exit was seen */
	int64_t drain_gap_max_ns; /* the longest time between two of those: the resolution */
	char drain_skip[128];     /* why there is no t_drained_ns */
	/* plan->bpf: what the kernel saw in the namespace (plan->bpf says
	 * from when to when) */
	struct rb_bpf_run bpf;
};

/* Kubernetes' pod: a standalone reaper as PID 1 and containers that join its
 * namespaces (each with its own report channel), stopped as the kubelet
 * stops a pod: SIGTERM to each container's main process, SIGKILL to those
 * still running after the grace period, then the stop signal to PID 1
 * (SIGKILL if it is still there after the grace period too). */
#define RB_POD_MAX RB_SANDBOX_MAX_JOINED
struct rb_pod_plan {
	int64_t grace_ns;  /* terminationGracePeriodSeconds */
	int stop_signal;   /* to PID 1 once the containers are gone; 0: SIGTERM */
};

struct rb_pod_container {
	struct rb_channel *chan;  /* what it reported (malloc'd copy), NULL if none */
	bool chan_valid;
	int status;               /* wait status, -1 unknown */
	bool done;
	int64_t t_term_ns;        /* SIGTERM sent; 0: it had ended before the stop */
	int64_t t_exit_ns;        /* its status reached the harness */
	bool killed;              /* still running after the grace: SIGKILLed */
};

struct rb_pod_result {
	struct rb_sandbox sb;     /* PID 1: ended and destroyed */
	char **argv;              /* PID 1's argv */
	int n;
	struct rb_pod_container c[RB_POD_MAX];
	int64_t t_running_ns;     /* every container had reported ready or ended */
	int64_t t_stop_ns;        /* the stop signal went to PID 1; 0: not sent */
	bool pid1_early;          /* PID 1 exited before it was stopped */
	bool pid1_killed;         /* PID 1 outlived the grace after its stop signal */
};

/* Expand WORKLOAD: a payload verb (exit, sleep, orphans, ...) becomes
 * <builddir>/rb-payload VERB ...; anything else must be an executable file
 * (checked here, so that a bad command is bad input, found before any
 * sandbox exists). */
int rb_resolve_workload(const struct rb_sysinfo *si, char *const workload[], char ***resolved,
			struct rb_error *err);


/* PID 1's argv for R around WORKLOAD: the reaper's template (wrap), the
 * reaper alone (standalone: the workload joins), the workload (none). */
int rb_pid1_argv(const struct rb_reaper *r, char *const workload[], char ***argv,
		 struct rb_error *err);

int rb_run_payload(const struct rb_sysinfo *si, const struct rb_reaper *r,
		   const struct rb_sandbox_opts *opts, const struct rb_run_plan *plan,
		   char *const workload[], struct rb_run_result *res, struct rb_error *err);
void rb_run_result_free(struct rb_run_result *res);

/* Run a pod: R (a standalone reaper) as PID 1 and the N (resolved)
 * CONTAINERS joined to it, in order; once each has reported ready (as
 * signal-recorder does) or ended, stop the pod as PLAN says. */
int rb_run_pod(const struct rb_sysinfo *si, const struct rb_reaper *r,
	       const struct rb_sandbox_opts *opts, const struct rb_pod_plan *plan,
	       char *const *const containers[], int n, struct rb_pod_result *res,
	       struct rb_error *err);
void rb_pod_result_free(struct rb_pod_result *res);

/* Measurements and skips of RES into a record's run object. */
void rb_run_record(json_t *run, const struct rb_run_result *res);

/* Defaults shared by the subcommands. */
#define RB_DEFAULT_PID_MAX 4096
#define RB_MIN_PID_MAX 301 /* the kernel's floor (RESERVED_PIDS + 1) */
#define RB_MAX_PID_MAX 4194304
#define RB_STORM_MAX_SAMPLES (1u << 20)


void rb_sandbox_opts_default(struct rb_sandbox_opts *o);

/* The sandbox options into a record's options: pid_max, pids_max (resolved),
 * deadline_s and the runtime. */
void rb_sandbox_opts_record(json_t *options, const struct rb_sandbox_opts *o);

/* options.runtime ("own", "runc") and options.seccomp ("none",
 * "docker-default"): compare never mixes the backends or the profiles. */
void rb_record_runtime(json_t *options, const struct rb_sandbox_opts *o);

/* The reapers a suite is asked for (-r NAME..., --all), for
 * rb_registry_select. */
#define RB_MAX_SELECTED 64
struct rb_selection {
	const char *names[RB_MAX_SELECTED];
	int n;
	bool all;
};
#endif
