/* The kernel-side observer from the harness's side: loads reap.bpf.c (a
 * libbpf CO-RE skeleton), points it at one sandbox's PID namespace for a
 * run, and collects what it saw. Root only; where BPF cannot load, open
 * fails with the reason and the caller skips every kernel-side figure. */
#ifndef REAPBENCH_OBSERVER_BPF_H
#define REAPBENCH_OBSERVER_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "reap_events.h"

struct rb_bpf_observer;

/* What one armed run saw. */
struct rb_bpf_run {
	bool taken;
	uint64_t counters[RB_BPF_NCOUNTERS];
	uint64_t hist[RB_BPF_HIST_SLOTS]; /* exit->reap, log2 ns slots */
	struct rb_bpf_reap *reaps;        /* malloc'd, in the order of the reaps */
	size_t nreaps;
	uint64_t unreaped;                /* exited and never reaped while armed */
	struct rb_bpf_reap *zombies;      /* those (t_reap 0), malloc'd */
	struct rb_bpf_signal *sigs;       /* with rb_bpf_observer_signals: other signals' hops */
	size_t nsigs;
	struct rb_bpf_teardown teardown;  /* when collected after PID 1's exit: the namespace's end */
	struct rb_bpf_batches batches;    /* PID 1's reap batches (the last one, unfinished, counted) */
	struct rb_bpf_spawn *spawns;      /* with rb_bpf_observer_spawns: every spawn's time */
	size_t nspawns;
	bool collected;                   /* rb_bpf_observer_collect filled it */
	char skip[160];                   /* why not taken: unavailable, or records lost */
};

/* Load (and try attaching once), with room for pid numbers below
 * PID_SPACE (the sandbox's pid_max) and for RECORDS reaps (and spawns) per
 * run. -1 with ERR saying why BPF cannot run here. */
int rb_bpf_observer_open(struct rb_bpf_observer **out, uint32_t pid_space, uint32_t records,
			 struct rb_error *err);
/* Attach and watch the PID namespace of host pid PID1 (its PID 1) from now
 * (before it runs anything: rb_sandbox_opts.on_created); clears what an
 * earlier run left. Programs stay attached only from arm to collect. */
int rb_bpf_observer_arm(struct rb_bpf_observer *o, pid_t pid1, struct rb_error *err);
/* Also report other signals than SIGCHLD generated for or delivered in
 * the namespace (run->sigs), from the next arm on. */
void rb_bpf_observer_signals(struct rb_bpf_observer *o, bool on);
/* Also time every fork, clone and clone3 in the namespace (run->spawns),
 * from the next arm on: a program on every system call's entry, so only
 * for the commands that need it. */
void rb_bpf_observer_spawns(struct rb_bpf_observer *o);
/* Stop watching, detach, and hand over what was seen (a run that lost
 * records is not taken). */
void rb_bpf_observer_collect(struct rb_bpf_observer *o, struct rb_bpf_run *run);
void rb_bpf_observer_close(struct rb_bpf_observer *o);
void rb_bpf_run_free(struct rb_bpf_run *run);

/* The counter's name in records ("exits", "sigchld_merged", ...). */
const char *rb_bpf_counter_name(enum rb_bpf_counter c);

#endif
