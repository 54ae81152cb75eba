/* The storm generator: patterns of process birth and death that PID 1 has
 * to clean up after (rb-payload storm PATTERN). One file per pattern
 * (pattern_*.c), each ending in one const struct storm_pattern; patterns.c
 * lists them once.
 *
 * How a storm runs. The payload's main process (the observer) starts the
 * generator's root with clone(CLONE_VM | CLONE_FILES); the root runs the
 * pattern, whose storm processes are made with storm_spawn() by the root or
 * by other storm processes (tree, chain). Every storm process is created with
 * CLONE_PIDFD and CLONE_FILES: its pidfd lands in the one fd table all of
 * them share, and its creator adds it to the observer's epoll set
 * (edge-triggered EPOLLIN) before the process can be reaped. The observer
 * then sees EPOLLIN when the process has exited and EPOLLHUP when it was
 * reaped: the reaper's help is not needed to measure it. Each storm process
 * also stamps its own clock just before its exit system call.
 *
 * A storm process is a child of its creator until the creator exits; since
 * no storm process reaps, it is PID 1's to reap from the later of its own
 * exit and its parent's (its sample's parent index; -1: the root's exit).
 *
 * Code that runs in storm processes (the pattern's root and bodies) shares
 * memory and thread-local storage with the observer (clone-vm, vfork) or
 * has a copy of it (fork): raw system calls only, no malloc, no stdio, no
 * locks. What others must read goes to shared memory: the samples (in the
 * channel, MAP_SHARED) and struct storm_shared. */
#ifndef REAPBENCH_STORM_H
#define REAPBENCH_STORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "share.h"
#include "spawn.h"

/* What the storm verb was asked for. */
struct storm_opts {
	unsigned long count;         /* storm processes: exactly (burst, hoard, chain), a budget
	                                (tree), thread groups (threads), orphans (stream) */
	enum rb_spawn_method method;
	unsigned long branch, depth; /* tree */
	unsigned long threads;       /* threads: threads per group besides the leader */
	double rate;                 /* stream: orphans per second */
	int64_t hold_ns;             /* burst, hoard, threads, daemon: how long the storm
	                                is held before it is released */
	int64_t wait_ns;             /* how long to wait for the reaps after the last exit */
	/* The observer's batching: after a wakeup with events it sleeps this
	 * long, then takes what gathered. Each wakeup costs the observer (and
	 * PID 1, on a busy machine) ~10-15 us on a VM; at one wakeup per event
	 * the observer's own CPU use doubled a burst's drain here. The first
	 * event after a quiet spell is stamped at once; the others within this
	 * of when they happened. 0: a wakeup per event. */
	int64_t resolution_ns;
	/* Monitoring off: the storm processes' pidfds are made (the patterns
	 * wait on them) but not watched; no exit or reap is stamped, and the
	 * end is the harness's word (channel storm.drained) or, with nobody
	 * watching, a poll of every pidfd each 20 ms. For measuring what the
	 * monitoring costs the reaper. */
	bool no_monitor;
	/* Burn this long after every spawn: a deliberately slower generator,
	 * the negative control of the gate's spawn_rate (set from the
	 * environment, REAPBENCH_STORM_SPAWN_SPIN_NS). 0: off. */
	int64_t spawn_spin_ns;
	/* Spawners for a pattern that spawns from its root (burst, hoard,
	 * stream: storm_pattern.parallel): the root and SPAWNERS - 1 threads of
	 * it, each pinned to a CPU of ours (spawner j to the j-th, wrapping;
	 * a burst's not pinned: storm.c, setup_spawners), released together,
	 * each making its own share. 1: the root alone, unpinned. Their
	 * children are children of the root's thread group, so orphaning is
	 * as with 1. */
	unsigned long spawners;
};

#define STORM_DEFAULT_BRANCH 4
#define STORM_DEFAULT_DEPTH 5
#define STORM_DEFAULT_THREADS 2
#define STORM_DEFAULT_RATE 2000.0
#define STORM_DEFAULT_WAIT_NS (2000 * 1000000LL)
#define STORM_DEFAULT_RESOLUTION_NS (100 * 1000LL)
#define STORM_MAX_COUNT (1ul << 20)

struct storm;

/* Everything a storm process needs to run its body. Written by its creator
 * before the spawn (a fork child reads its own copy). */
struct storm_proc {
	struct storm *s;
	int (*body)(struct storm_proc *p);
	int32_t idx;     /* its sample; -1: the root */
	uint32_t depth;  /* tree: 1 for the root's children */
};

/* One pattern. */
struct storm_pattern {
	const char *name;
	const char *summary;
	/* Spawn methods it can use: bits (1u << enum rb_spawn_method). vfork
	 * suspends the creator until the child exits, so a pattern whose
	 * processes wait to be released cannot use it. */
	unsigned methods;
	/* Its processes wait for the release (the observer releases them once
	 * the root has exited and --hold-ms has passed). */
	bool released;
	/* How many storm processes it makes at most (NULL: --count). */
	unsigned long (*planned)(const struct storm_opts *o);
	/* Extra stacks per storm process (threads: one per thread). */
	unsigned long (*extra_stacks)(const struct storm_opts *o);
	/* Its processes come and go (a few alive at once): with more of them
	 * than file descriptors, each pidfd is closed at its reap. */
	bool recycles_fds;
	/* Its root only makes processes (burst, hoard, stream): it calls
	 * storm_run_spawners, and --spawners applies. */
	bool parallel;
	/* The root's body: runs in the generator's root process. */
	int (*root)(struct storm *s);
};

/* One spawner of a parallel pattern (storm_run_spawners). */
struct storm_spawner {
	struct storm *s;
	unsigned id, n;          /* spawner ID of N */
	int cpu;                 /* pinned to (-1: not pinned) */
	unsigned long first, len; /* its contiguous share of the count (rb_share_range) */
	int64_t t_go;            /* when the spawners were released (the same for all) */
	uint32_t tid;            /* a thread's, zeroed by the kernel at its exit */
};

#define STORM_METHOD_BIT(m) (1u << (m))
#define STORM_ALL_METHODS \
	(STORM_METHOD_BIT(RB_SPAWN_CLONE_VM) | STORM_METHOD_BIT(RB_SPAWN_VFORK) | \
	 STORM_METHOD_BIT(RB_SPAWN_FORK))

/* The patterns (patterns.c). */
extern const struct storm_pattern *const storm_patterns[];
extern const size_t storm_npatterns;
const struct storm_pattern *storm_pattern_find(const char *name);
/* "burst, hoard, ..." */
const char *storm_pattern_names(void);

/* For the pattern bodies (storm.c). */

/* A parallel pattern's root: runs WORK in every spawner (the root itself
 * is spawner 0), released together once all are ready, and returns when
 * all have returned. Raw calls only, in WORK too. */
void storm_run_spawners(struct storm *s, void (*work)(struct storm_spawner *sp));
/* Make the storm process of sample IDX (parent -1: the root, depth 1),
 * counted in SP's own counters; a child of the root's thread group (or,
 * called from a process SP made, such as the stream's intermediate, of
 * that process). The result as storm_spawn's. */
long storm_spawn_idx(struct storm_spawner *sp, unsigned long idx, int (*body)(struct storm_proc *p));
/* storm_count_failure for sample IDX of SP (its spawn never happened). */
void storm_count_failure_idx(struct storm_spawner *sp, unsigned long idx, int err);

/* Make one storm process running BODY as a child of the caller, whose
 * sample index is PARENT (-1: the root), at DEPTH. Returns its sample index,
 * -1 once the count is spent, -2 if the spawn failed (counted as a failure,
 * its sample keeps pid 0). */
long storm_spawn(struct storm *s, int32_t parent, uint32_t depth,
		 int (*body)(struct storm_proc *p));
const struct storm_opts *storm_options(const struct storm *s);
/* Samples the budget allows; how many were claimed so far. */
unsigned long storm_budget(const struct storm *s);
/* Blocks until the observer releases the storm (or the payload's main
 * process dies). Raw calls: for any storm process or thread. */
void storm_wait_release(const struct storm *s);
/* Waits until the process of sample IDX, a child of the caller's thread
 * group, has exited, without reaping it. */
void storm_wait_exited(const struct storm *s, long idx);
/* The clock, and this process's exit stamp (before its exit call). */
int64_t storm_now_ns(void);
void storm_stamp_exit(struct storm *s, int32_t idx);
void storm_sleep_ns(int64_t ns);
void storm_sleep_until(int64_t t_ns);
/* Stream: record when the schedule said to make sample IDX. */
void storm_set_sched(struct storm *s, long idx, int64_t t_ns);
/* Thread stacks of sample IDX (threads pattern): K of them. */
void *storm_thread_stack(const struct storm *s, long idx, unsigned long k);
void storm_count_thread_failure(struct storm *s);
/* A storm process that could not be made by other means (stream: its
 * intermediate): claims its sample and counts a failure with ERR. */
void storm_count_failure(struct storm *s, int err);

/* What a run of a storm found, for the verb's report. */
struct storm_report {
	unsigned long count;     /* asked */
	unsigned long spawned, failed, reaped, exited;
	int spawn_errno;         /* of the first failure */
	unsigned spawners;       /* that ran (1 for a pattern that is not parallel) */
	int64_t t_spawn_start, t_spawn_end; /* the root's start, the last spawn's end */
	int64_t t_released;      /* release (burst...) or the root's exit (the rest) */
	int64_t t_all_reaped;    /* 0: not all */
	bool we_are_pid1;        /* nobody else could reap: no wait */
	/* The samples, wherever they are kept (the channel or a private
	 * mapping): valid until the payload exits. */
	const struct rb_storm_sample *samples;
	uint32_t nsamples;
};

/* Run PATTERN with O; counters and samples go to CH (whose area, if big
 * enough, holds the samples; CH_LEN bytes are mapped). Returns 0, or the
 * payload's exit status with MSG saying why: 2 the request cannot be met
 * (method, file descriptors), 4 a set-up step failed. */
int storm_run(const struct storm_pattern *pat, const struct storm_opts *o,
	      struct rb_channel *ch, size_t ch_len, struct storm_report *rep, char *msg, size_t len);

#endif
