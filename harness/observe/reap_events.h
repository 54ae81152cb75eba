/* What the kernel-side observer (reap.bpf.c) hands to the harness
 * (observer_bpf.c): shared by the BPF program and userspace. */
#ifndef REAPBENCH_REAP_EVENTS_H
#define REAPBENCH_REAP_EVENTS_H

#ifndef __bpf__
#include <stdint.h>
typedef uint32_t rb_u32;
typedef uint64_t rb_u64;
#else
typedef __u32 rb_u32;
typedef __u64 rb_u64;
#endif

/* Per-run counters (a per-CPU array, summed by the harness). */
enum rb_bpf_counter {
	RB_BPF_EXITS,           /* thread groups that ended (the last thread's exit) */
	RB_BPF_THREAD_EXITS,    /* threads that exited while others of their group lived */
	RB_BPF_REAPS,           /* wait4/waitid that reaped a task whose exit we saw */
	RB_BPF_REAPS_UNSEEN,    /* ... reaped a pid whose exit we did not see */
	RB_BPF_SIGCHLD,         /* SIGCHLD generated for an exited child */
	RB_BPF_SIGCHLD_PID1,    /* ... to the namespace's PID 1 */
	RB_BPF_SIGCHLD_MERGED,  /* ... to PID 1 while one was already pending */
	RB_BPF_SIGCHLD_IGNORED, /* ... to PID 1 and dropped (handler SIG_DFL, not blocked) */
	RB_BPF_FORKS,           /* processes and threads created */
	RB_BPF_TASKS_FULL,      /* an exit not kept: the task table was full */
	RB_BPF_RING_FULL,       /* a reap not reported: the ring buffer was full */
	RB_BPF_SIGNALS,         /* other signals generated for a task in the namespace */
	RB_BPF_SIGNALS_FULL,    /* a signal event not reported: its ring buffer was full */
	RB_BPF_SPAWNS_FULL,     /* a spawn not reported: its ring buffer was full */
	RB_BPF_NCOUNTERS
};

/* log2 slots of exit->reap latency in ns (as bcc's histograms, in ns). */
#define RB_BPF_HIST_SLOTS 40

/* One reap, in the ring buffer. Times are bpf_ktime_get_ns():
 * CLOCK_MONOTONIC, the harness's clock. Pids are the sandbox namespace's. */
struct rb_bpf_reap {
	rb_u32 pid;      /* the reaped thread group */
	rb_u32 reaper;   /* the thread that reaped it */
	rb_u64 t_exit;   /* sched_process_exit of its last thread */
	rb_u64 t_notify; /* the last SIGCHLD for it (its parent's, or PID 1's when
	                    it was reparented as a zombie); 0: none seen */
	rb_u64 t_reap;   /* the reaping wait4/waitid returned */
};

/* A signal other than SIGCHLD generated for a task of the namespace, or
 * delivered to a handler in one (signal_generate, signal_deliver): the
 * hops of a forwarded signal. Pids are the namespace's; 0: from outside. */
enum rb_bpf_signal_kind { RB_BPF_SIG_GENERATE, RB_BPF_SIG_DELIVER };
struct rb_bpf_signal {
	rb_u32 kind;     /* enum rb_bpf_signal_kind */
	rb_u32 sig;
	rb_u32 pid;      /* generate: the target (its thread group); deliver: the receiver */
	rb_u32 from;     /* generate: the sender's thread group, 0 outside the namespace */
	rb_u32 result;   /* generate: the kernel's TRACE_SIGNAL_* (0 delivered, 2 already pending) */
	rb_u32 pad;
	rb_u64 t;
};

/* One fork, clone or clone3 in the namespace (exhaust: spawn latency against
 * how full the pid space is), timed from its entry to its return in the
 * parent. */
struct rb_bpf_spawn {
	rb_u64 t;          /* the return */
	rb_u64 ns;         /* entry -> return */
	rb_u32 allocated;  /* pids allocated in the namespace at the return */
	rb_u32 pid_max;    /* the namespace's own pid_max (Linux 6.14+), 0 unknown */
	rb_u32 failed;     /* the call failed (errno in err) */
	rb_u32 err;
};

/* The namespace's end, as the exits show it (the program's .bss): PID 1's
 * exit starts it (the kernel then kills every other task of the
 * namespace), the last exit after it ends it. */
struct rb_bpf_teardown {
	rb_u64 t_pid1_exit;   /* 0: PID 1 has not exited */
	rb_u64 t_last_exit;   /* the latest exit in the namespace */
	rb_u64 exits_after;   /* exits after PID 1's */
};

/* PID 1's reap batches: the reaps between two of its waits that reaped
 * nothing (WNOHANG with nothing left, ECHILD) — how many zombies it takes
 * per wakeup. A reaper that blocks in wait() between reaps ends a batch
 * only when it runs out of children. */
#define RB_BPF_BATCH_SLOTS 24
struct rb_bpf_batches {
	rb_u64 current;                    /* reaps since the last empty wait */
	rb_u64 total;                      /* reaps by PID 1 */
	rb_u64 count;                      /* batches ended */
	rb_u64 max;
	rb_u64 log2[RB_BPF_BATCH_SLOTS];   /* batch sizes, [2^k, 2^(k+1)) */
};

/* What the harness sets before a run (the program's .bss). */
struct rb_bpf_target {
	rb_u64 pidns_dev, pidns_ino; /* the sandbox's PID namespace (stat of ns/pid) */
	rb_u32 pid1_tgid;            /* its PID 1, as the host numbers it */
	rb_u32 signals;              /* report other signals' hops (rb_bpf_signal) */
	rb_u32 spawns;               /* report spawns (rb_bpf_spawn; on_sys_enter attached) */
	rb_u32 armed;
};

#endif
