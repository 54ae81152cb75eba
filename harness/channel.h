/* The report channel: a small file that the harness creates, maps, and hands
 * to the payload through the REAPBENCH_CHANNEL environment variable (every
 * init under test passes its environment on). The payload maps the same file
 * MAP_SHARED and writes what it observed; the harness reads it after the run
 * (or while it runs, for the ready flag).
 *
 * The layout is fixed-size and append-only so that a signal handler can log
 * with one atomic fetch-add and no locks. All times are CLOCK_MONOTONIC ns,
 * which is the same clock in every PID namespace. */
#ifndef REAPBENCH_CHANNEL_H
#define REAPBENCH_CHANNEL_H

#include <stdint.h>

#define RB_CHANNEL_ENV "REAPBENCH_CHANNEL"
#define RB_CHANNEL_MAGIC 0x52424348u /* "RBCH" */
#define RB_CHANNEL_VERSION 2u
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

struct rb_channel {
	uint32_t magic;
	uint32_t version;
	/* set by the payload once its handlers are installed */
	uint32_t ready;
	int32_t payload_pid;  /* getpid() inside the sandbox */
	int32_t payload_ppid;
	int32_t payload_pgid;
	int32_t payload_sid;
	int32_t pad0;
	int32_t setsid_member_pid; /* signal-recorder --setsid-member: its pid, else 0 */
	int32_t pad3;
	int64_t t_ready_ns;
	int64_t t_start_ns;   /* first instruction of payload main */
	int64_t t_exit_ns;    /* payload main returned from its verb (about to exit); 0: not yet */
	uint64_t sigmask;     /* blocked mask the payload was started with (bit n-1 = signal n) */
	uint64_t sigignored;  /* signals the payload inherited as SIG_IGN */
	/* spawn counters (orphans / zombies verbs) */
	uint64_t spawned;      /* processes created */
	uint64_t spawn_failed; /* clone() failures */
	int32_t spawn_errno;   /* errno of the first failure */
	int32_t pad1;
	uint64_t reaped;       /* spawned processes seen reaped (pidfd EPOLLHUP) */
	int64_t t_released_ns; /* orphans told to exit */
	int64_t t_all_reaped_ns; /* last of them reaped, 0 if not all */
	/* signal log, appended by the handler */
	uint32_t nsignals;     /* entries claimed (may exceed RB_CHANNEL_MAX_SIGNALS) */
	uint32_t pad2;
	struct rb_signal_entry signals[RB_CHANNEL_MAX_SIGNALS];
};

#endif
