/* Running scenario programs against a reaper: the harness's side of the
 * scenario fuzzer. A session owns one sandbox at a time, with the reaper as
 * PID 1 and rb-payload scenario as the app; it feeds the app programs,
 * serves its requests (scenario_wire.h), and times every exit and reap of
 * the program's processes from outside, through pidfds it takes from the
 * sandbox (pidfd_getfd). In persistent mode one sandbox serves programs
 * until one ends the app or PID 1 or leaves something behind; otherwise
 * each program gets a fresh sandbox and ends with the app's exit 0.
 *
 * What a run saw goes into struct rb_scn_result; scenario_oracle.c judges
 * it against the reaper's claims. */
#ifndef REAPBENCH_SCENARIO_RUN_H
#define REAPBENCH_SCENARIO_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "channel.h"
#include "error.h"
#include "registry.h"
#include "sandbox.h"
#include "scenario.h"
#include "scenario_wire.h"
#include "sysinfo.h"

struct rb_scn_opts {
	int64_t linger_ns;      /* reaping: how long a zombie may wait for PID 1 (50 ms) */
	int64_t forward_ns;     /* forwarding: how long a forwarded signal may take (100 ms) */
	int64_t exit_ns;        /* liveness: PID 1's end after the app's (1 s) */
	int64_t ack_timeout_ns; /* the app's wait for a process's answer (1 s) */
	int64_t input_ns;       /* one program, start to end (10 s) */
	bool persistent;        /* one sandbox for many programs */
	bool show_output;       /* the sandbox's stdout/stderr go to ours (else /dev/null) */
	struct rb_sandbox_opts sb;
};

void rb_scn_opts_default(struct rb_scn_opts *o);


/* One process of the program, as the harness saw it. */
struct rb_scn_seen {
	bool adopted;        /* the harness holds its pidfd */
	pid_t host_pid;
	int64_t t_exit_ns;   /* its pidfd polled readable: it exited (0: not seen) */
	int64_t t_reap_ns;   /* ... and hung up: reaped (0: not seen) */
	pid_t zombie_parent; /* the host pid of its parent, last seen while a zombie (0: none) */
	/* The time PID 1 and the harness's observer had spent waiting for a
	 * CPU, at each stamp (schedstat): what of a delay was the machine's. */
	int64_t exit_cpu_wait_ns, reap_cpu_wait_ns;
};

/* A signal the program sent, and what the claims say of it. */
struct rb_scn_send {
	int op;            /* the program's operation */
	int sig;
	int route;         /* enum rb_scn_route */
	int from;          /* the sending process; -1: the harness */
	int64_t t_ns;      /* stamped just before the send */
	int rc;            /* 0, or -errno of the send itself */
	bool to_pid1;      /* PID 1 was among its receivers */
	const char *expect; /* rb_expect_receivers when to_pid1: app, group, stopped, dropped */
	uint32_t required; /* processes (bit per index) that must log it: in the claimed
	                      target, alive, and catching it when it was sent */
	uint32_t unverifiable; /* in the claimed target, but ignoring it or not catching it */
	uint32_t held;     /* required ones that had it blocked, or were stopped, when sent:
	                      it reaches them once the program unblocks and continues all */
	uint32_t pending_seen; /* required ones that had it pending when the harness stopped
	                          waiting: forwarded, its delivery late (a busy machine) */
	bool stop_seen;    /* "stopped": the app was seen stopped */
};

/* A step of the harness's own, for the timeline. */
struct rb_scn_note {
	int64_t t_ns;
	int op;
	char text[112];
};

#define RB_SCN_MAX_SENDS 96
#define RB_SCN_MAX_NOTES 64

struct rb_scn_result {
	struct rb_scn_program prog;
	bool ran;              /* the program ran (else SKIP says why) */
	char skip[256];
	bool fresh;            /* it started a new sandbox */
	bool persistent;
	int64_t t_input_ns;    /* the harness posted the program */
	int64_t t_start_ns;    /* the app began it */
	int64_t t_ops_done_ns; /* the app's last operation finished */
	int64_t t_end_ns;      /* the harness stopped watching the program */
	int64_t end_cpu_wait_ns; /* as rb_scn_seen's, then */
	bool done;             /* the app finished the program and lives on */
	bool hung;             /* the program did not finish within the input's deadline */
	/* the app */
	pid_t app_nspid, app_host;
	int app_pgid;          /* in the sandbox */
	bool app_start_seen;   /* this program began a sandbox: the app's start state */
	uint64_t app_start_blocked, app_start_ignored;
	bool app_ended;        /* it exited (by the program, by a signal, or by quit) */
	bool app_quit;         /* ... because the harness said quit (fresh mode) */
	int64_t t_app_exit_ns;
	bool app_status_known;
	int app_status;
	/* PID 1 */
	pid_t pid1_host;
	bool pid1_ended;
	int64_t t_pid1_exit_ns;
	int pid1_status;
	bool pid1_killed;      /* the harness SIGKILLed it (why: pid1_kill_reason) */
	bool pid1_late;        /* ... because it outstayed the app (or its failed exec) */
	char pid1_kill_reason[96];
	uint64_t pid1_sent;    /* signals the program sent PID 1 (bit n-1) */
	/* the sandbox's end */
	bool sandbox_ended;
	bool containment_ok;
	char containment[160];
	/* the processes */
	struct rb_scn_slot slots[RB_SCN_MAX_PROCS];
	struct rb_scn_seen seen[RB_SCN_MAX_PROCS];
	struct rb_scn_event events[RB_SCN_MAX_EVENTS];
	uint32_t nevents;
	struct rb_signal_entry *sigs; /* the signal log of this program (malloc'd) */
	uint32_t nsigs;
	bool sigs_overflowed;
	struct rb_scn_send sends[RB_SCN_MAX_SENDS];
	int nsends;
	struct rb_scn_note notes[RB_SCN_MAX_NOTES];
	int nnotes;
};

struct rb_scn_session;

int rb_scn_session_new(const struct rb_sysinfo *si, const struct rb_reaper *r,
		       const struct rb_scn_opts *o, struct rb_scn_session **out,
		       struct rb_error *err);
/* Run the program of DATA (decoded, never rejected). 0: RES filled (with
 * res->ran false and a reason when it could not run, e.g. an exec failure
 * under a reaper that execs nothing); -1: the harness failed (ERR), or it
 * was interrupted (SIGINT/SIGTERM: err->kind RB_ERR_SYSTEM, errnum EINTR). */
int rb_scn_run(struct rb_scn_session *s, const uint8_t *data, size_t len,
	       struct rb_scn_result *res, struct rb_error *err);
/* Ends the sandbox, if one is up. */
void rb_scn_session_free(struct rb_scn_session *s);
void rb_scn_result_free(struct rb_scn_result *res);

/* Sandboxes started so far (a fresh one per program, or fewer). */
int rb_scn_session_sandboxes(const struct rb_scn_session *s);

/* The index of the process whose pid in the sandbox is PID, -1. */
int rb_scn_proc_of(const struct rb_scn_result *res, pid_t pid);

#endif
