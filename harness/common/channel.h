/* The report channel: a small file that the harness creates, maps, and hands
 * to the payload through the REAPBENCH_CHANNEL environment variable (every
 * init under test passes its environment on). The payload maps the same file
 * MAP_SHARED and writes what it observed; the harness reads it after the run
 * (or while it runs, for the ready flag).
 *
 * The struct is fixed-size and its signal log append-only, so that a signal
 * handler can log with one atomic fetch-add and no locks. A storm's raw
 * samples follow the struct in the same file, in an area the harness sizes
 * (rb_channel_size) and announces in storm.sample_cap and storm.pop_cap. All
 * times are CLOCK_MONOTONIC ns, which is the same clock in every PID
 * namespace. */
#ifndef REAPBENCH_CHANNEL_H
#define REAPBENCH_CHANNEL_H

#include <stdint.h>

#define RB_CHANNEL_ENV "REAPBENCH_CHANNEL"
#define RB_CHANNEL_MAGIC 0x52424348u /* "RBCH" */
#define RB_CHANNEL_VERSION 4u
#define RB_CHANNEL_MAX_SIGNALS 4096u

/* One received signal, as the payload's SA_SIGINFO handler saw it. */
struct rb_signal_entry {
	int64_t t_ns;    /* CLOCK_MONOTONIC at receipt */
	int32_t signo;
	int32_t code;    /* si_code */
	int32_t pid;     /* si_pid, in the receiver's namespace (0 = outside) */
	int32_t uid;     /* si_uid */
	int32_t receiver; /* getpid() of the receiving process */
	int32_t pad;
};

/* One process of a storm (rb-payload storm, bench/storm.h): when it exited
 * and when it was reaped, observed without the reaper's help. */
struct rb_storm_sample {
	int64_t t_exit_ns;      /* its own clock just before its exit system call (threads:
	                           its last thread's); 0: it never got there (killed) */
	int64_t t_exit_seen_ns; /* the payload saw EPOLLIN on its pidfd: a zombie now */
	int64_t t_reap_seen_ns; /* the payload saw EPOLLHUP on its pidfd: reaped; 0: not */
	int64_t t_sched_ns;     /* stream: when the schedule said to make it; 0: unscheduled */
	int32_t parent;         /* sample index of the process that made it; -1: the
	                           generator's root (storm.t_root_exit_seen_ns) */
	int32_t pid;            /* in the sandbox; 0: its spawn failed */
};

/* The storm's population, sampled by the payload's observer over time. */
struct rb_storm_pop {
	int64_t t_ns;
	uint32_t zombies;  /* exited (EPOLLIN seen), not yet reaped */
	uint32_t live;     /* spawned, not yet exited */
	uint32_t reaped;   /* so far */
	uint32_t failed;   /* spawn failures so far */
};

/* The storm's part of the channel. The harness sets the capacities (and
 * sizes the file to match, rb_channel_size); the payload fills the rest. */
struct rb_storm_block {
	uint32_t sample_cap;     /* harness: room for this many rb_storm_sample after the struct */
	uint32_t pop_cap;        /* harness: then room for this many rb_storm_pop */
	uint32_t probe_ms;       /* harness: at each phase, wait up to this long for probe_ack */
	uint32_t phase;          /* payload: 1 the generator is about to start, 2 it is done
	                            (the harness probes PID 1 then; futex-woken) */
	uint32_t probe_ack;      /* harness: the phase it probed (futex-woken) */
	uint32_t nsamples;       /* payload: samples written (indices claimed, failed spawns too) */
	uint32_t npop;           /* payload: population samples written */
	uint32_t samples_kept;   /* payload: 1 if the samples are in this channel (room enough) */
	uint32_t coalesced;      /* samples whose exit and reap the observer saw in one wakeup */
	uint32_t zombies_peak;   /* exited-not-reaped, at its highest (every event, not sampled) */
	uint32_t live_peak;
	uint32_t method;         /* enum rb_spawn_method used */
	uint32_t thread_failed;  /* threads: clone(CLONE_THREAD) failures */
	uint32_t observer_rt;    /* the observer ran SCHED_FIFO (else observer_errno says why not) */
	int32_t observer_errno;
	uint32_t unsettled;      /* spawns claimed but never counted: a storm process died
	                            while it spawned (the observer gave up waiting) */
	int64_t pop_interval_ns; /* between population samples (doubles when the room fills) */
	int64_t resolution_ns;   /* the observer's batching: stamps are within this (storm.h) */
	int64_t t_start_ns;      /* the generator's root started */
	int64_t t_root_exit_ns;  /* the root's own stamp before its exit call */
	int64_t t_root_exit_seen_ns; /* the observer saw the root exit: what it made is
	                                orphaned (hoard: inherited) from then */
	int64_t t_last_spawn_ns; /* the last clone returned (chain, tree: after the root) */
	int64_t t_end_ns;        /* the observer stopped */
	int64_t observer_cpu_ns; /* the observer's own CPU time while it watched */
	uint64_t observer_wakeups; /* its epoll_wait returns with events */
	/* Monitoring off (storm --no-monitor): no storm process is watched, so
	 * the samples hold no exit or reap times; only the counts at the end,
	 * from one poll of every pidfd, and the drain the harness measures
	 * from outside (the cgroup's pids.current). */
	uint32_t monitor_off;    /* payload */
	uint32_t drain_watch;    /* harness: it polls pids.current and will set drained */
	uint32_t drained;        /* harness: pids.current is back to its value before the
	                            storm, after the root's exit was seen (futex-woken) */
	uint32_t fds_recycled;   /* payload: more processes than descriptors: each pidfd was
	                            closed at its reap (inside the drain it measures) */
	int64_t t_drained_ns;    /* harness: when it saw that */
	int64_t payload_rss_peak_kb; /* payload: its own peak RSS (getrusage) when it published:
	                                with clone-vm the storm's stacks count in it */
	char pattern[16];
};

struct rb_channel {
	uint32_t magic;
	uint32_t version;
	/* set by the payload once its handlers are installed */
	uint32_t ready;
	int32_t payload_pid;  /* getpid() inside the sandbox */
	int32_t payload_ppid;
	int32_t payload_pgid;
	int32_t payload_sid;
	/* storm: spawners that ran (bench/storm.h; 0: a payload from before
	 * --spawners, which ran one), and the CPUs they were pinned to (bit c:
	 * CPU c < 32; 0: not pinned) */
	uint32_t storm_spawners;
	int32_t setsid_member_pid; /* signal-recorder --setsid-member: its pid, else 0 */
	uint32_t storm_spawner_cpus;
	int64_t t_ready_ns;
	int64_t t_start_ns;   /* first instruction of payload main */
	int64_t t_exit_ns;    /* payload main returned from its verb (about to exit); 0: not yet */
	uint64_t sigmask;     /* blocked mask the payload was started with (bit n-1 = signal n) */
	uint64_t sigignored;  /* signals the payload inherited as SIG_IGN */
	/* spawn counters (orphans / zombies / storm verbs) */
	uint64_t spawned;      /* processes created */
	uint64_t spawn_failed; /* clone() failures */
	int32_t spawn_errno;   /* errno of the first failure */
	int32_t pad1;
	uint64_t reaped;       /* spawned processes seen reaped (pidfd EPOLLHUP) */
	int64_t t_released_ns; /* orphans told to exit (hoard: the hoarder exited) */
	int64_t t_all_reaped_ns; /* last of them reaped, 0 if not all */
	struct rb_storm_block storm;
	/* signal log, appended by the handler */
	uint32_t nsignals;     /* entries claimed (may exceed RB_CHANNEL_MAX_SIGNALS) */
	uint32_t pad2;
	struct rb_signal_entry signals[RB_CHANNEL_MAX_SIGNALS];
};

/* The samples follow the struct in the file, then the population. */
static inline uint64_t rb_channel_size(uint32_t sample_cap, uint32_t pop_cap)
{
	return sizeof(struct rb_channel) + (uint64_t)sample_cap * sizeof(struct rb_storm_sample) +
	       (uint64_t)pop_cap * sizeof(struct rb_storm_pop);
}

static inline struct rb_storm_sample *rb_channel_samples(struct rb_channel *ch)
{
	return (struct rb_storm_sample *)(ch + 1);
}

static inline struct rb_storm_pop *rb_channel_pops(struct rb_channel *ch)
{
	return (struct rb_storm_pop *)(rb_channel_samples(ch) + ch->storm.sample_cap);
}

/* When sample I of N became PID 1's to reap, as the observer saw it: the
 * later of its own exit and its parent's, which orphaned it (EPOLLIN on
 * their pidfds); 0 if neither was seen. */
static inline int64_t rb_storm_reapable_ns(const struct rb_storm_block *b,
					   const struct rb_storm_sample *smp, uint32_t n, uint32_t i)
{
	const struct rb_storm_sample *s = &smp[i];
	int64_t orphaned = s->parent >= 0 && (uint32_t)s->parent < n ? smp[s->parent].t_exit_seen_ns
								      : b->t_root_exit_seen_ns;

	return s->t_exit_seen_ns > orphaned ? s->t_exit_seen_ns : orphaned;
}

/* Reap latency of sample I of N, in ns, as the observer saw it: from the
 * moment it was PID 1's to reap (rb_storm_reapable_ns) to its reap
 * (EPOLLHUP); for a scheduled process (stream), from the time the schedule
 * said to make it. -1: not reaped, or not a process (its spawn failed). */
static inline int64_t rb_storm_latency_ns(const struct rb_storm_block *b,
					  const struct rb_storm_sample *smp, uint32_t n, uint32_t i)
{
	const struct rb_storm_sample *s = &smp[i];
	int64_t from;

	if (s->pid <= 0 || s->t_reap_seen_ns == 0)
		return -1;
	from = s->t_sched_ns ? s->t_sched_ns : rb_storm_reapable_ns(b, smp, n, i);
	/* the same wakeup (or a reap seen before the orphaning was): below
	 * the observer's resolution */
	return s->t_reap_seen_ns > from ? s->t_reap_seen_ns - from : 0;
}

_Static_assert(sizeof(struct rb_channel) % 8 == 0, "samples after the channel are aligned");
_Static_assert(sizeof(struct rb_storm_sample) % 8 == 0, "the population after them is aligned");

#endif
