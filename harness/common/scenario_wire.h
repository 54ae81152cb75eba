/* The scenario area: what the harness and the app (rb-payload scenario)
 * share while a program runs, a file of its own beside the report channel
 * (channel.h keeps the signal log), named by REAPBENCH_SCENARIO.
 *
 * The app interprets the program: it acts itself or posts each operation to
 * the mailbox of the process that must act (its slot), and waits for the
 * acknowledgement. What only the harness can do (send from the parent
 * namespace, stop and continue the app, take a new process's pidfd, wait
 * for PID 1 to reap) the app asks for with a request and waits for the
 * harness's answer. So one program runs as one serial timeline, and the
 * harness, which holds every process's pidfd from outside, times each exit
 * and reap without relying on any process of the sandbox.
 *
 * Words that a side sleeps on are futexes in this MAP_SHARED file: posting
 * bumps the word and wakes it. Times are CLOCK_MONOTONIC ns. */
#ifndef REAPBENCH_SCENARIO_WIRE_H
#define REAPBENCH_SCENARIO_WIRE_H

#include <stdint.h>

#include "scenario.h"

#define RB_SCN_ENV "REAPBENCH_SCENARIO"
#define RB_SCN_MAGIC 0x52425343u /* "RBSC" */
#define RB_SCN_MAX_EVENTS 256

/* What the app asks the harness for. */
enum rb_scn_req_kind {
	RB_SCN_REQ_NONE,
	RB_SCN_REQ_ADOPT,      /* process PROC was made: take its pidfd (from its creator's
	                          fd table, pidfd_getfd) and watch it */
	RB_SCN_REQ_SEND,       /* send SIG to PID 1 from the parent namespace */
	RB_SCN_REQ_SEND_GROUP, /* send SIG to the app's process group from the parent namespace */
	RB_SCN_REQ_SENT,       /* PROC sent SIG (ROUTE) at T_NS: watch where it goes */
	RB_SCN_REQ_STOP_APP,   /* stop the app for DUR_NS, then continue it */
	RB_SCN_REQ_QUIET,      /* the operations are done: wait until PID 1 reaped its zombies */
	RB_SCN_REQ_SETTLE,     /* the app killed PROC (teardown): wait for its exit, then quiet */
};

enum rb_scn_route {
	RB_SCN_ROUTE_PARENT,       /* to PID 1 from the parent namespace */
	RB_SCN_ROUTE_INSIDE,       /* to PID 1 from inside (kill(1, SIG)) */
	RB_SCN_ROUTE_GROUP_HARNESS, /* to the app's process group, from outside */
	RB_SCN_ROUTE_GROUP_INSIDE, /* to the app's process group, from a process inside */
};

struct rb_scn_request {
	int32_t kind;   /* enum rb_scn_req_kind */
	int32_t op;     /* the program's operation it belongs to (-1: the app's own step) */
	int32_t proc;
	int32_t sig;
	int32_t route;  /* RB_SCN_REQ_SENT: enum rb_scn_route */
	int32_t pad;
	int64_t t_ns;   /* RB_SCN_REQ_SENT: when the sender sent it */
	int64_t dur_ns; /* RB_SCN_REQ_STOP_APP */
};

enum rb_scn_state {
	RB_SCN_P_NONE,   /* not made (yet) */
	RB_SCN_P_LIVE,   /* reported itself, takes commands */
	RB_SCN_P_ENDING, /* told to end (exit, kill-self, exec-fail, threads' leader) */
	RB_SCN_P_FAILED, /* its spawn failed */
};

/* Commands beyond the program's opcodes. */
enum { RB_SCN_CMD_UNBLOCK_ALL = 100 };

/* Outcome of an operation (rb_scn_event.result) besides 0 and -errno. */
enum {
	RB_SCN_SKIP_GONE = 1000, /* its process had ended or was ending */
	RB_SCN_SKIP_STOPPED,     /* its process was stopped: the command was withdrawn */
	RB_SCN_SKIP_NO_ACK,      /* its process did not answer in time */
	RB_SCN_SKIP_NO_HARNESS,  /* nobody serves requests (rb-payload run alone) */
	RB_SCN_SKIP_NOT_CHILD,   /* WAIT-like: nothing of its own to act on */
};

/* One process of the program. Its creator fills the first part before the
 * spawn; the process itself fills the rest. */
struct rb_scn_slot {
	/* mailbox: the app posts (cmd_seq), the process takes it (cmd_taken,
	 * by compare-and-swap: the app can withdraw a command the same way) and
	 * answers (cmd_done, cmd_result) */
	uint32_t cmd_seq, cmd_taken, cmd_done;
	int32_t cmd, cmd_arg, cmd_arg2, cmd_newproc, cmd_result;
	/* set by the creator */
	int32_t creator;         /* its index; -1: the app (made by PID 1) */
	int32_t method;          /* enum rb_scn_method */
	int32_t pidfd_in_creator; /* a descriptor for it (CLONE_PIDFD), -1 ... */
	int32_t fd_holder;       /* ... in the fd table of this process (its creator, or
	                            the daemon's grandparent: the creator is gone) */
	int32_t state;           /* enum rb_scn_state */
	int32_t stopped;         /* the program stopped it (SIGSTOP op, until a cont) */
	/* set by the process (pids in the sandbox) */
	int32_t pid, ppid, pgid, sid;
	/* its signal state after its last operation, bit n-1 = signal n; the
	 * creator writes its own as the new process's starting state */
	uint64_t blocked, ignored, defaulted;
	int64_t t_spawned_ns;    /* the creator, after the spawn returned */
	int64_t t_exit_ns;       /* its own stamp before its exit (threads: the last thread's) */
	int64_t t_action_ns;     /* its last command's action (a send: just before the kill) */
	int32_t end_code;        /* the status it was told to end with (N, 128+S), -1 */
	int32_t nthreads;        /* threads started (THREADS) */
};

/* One step of the app's timeline. */
struct rb_scn_event {
	int64_t t_ns, t_end_ns;
	int32_t op;     /* the operation's index; -1: a step of the app's own */
	int32_t code;   /* its opcode, or an RB_SCN_REQ_* kind + 100 for the app's own steps */
	int32_t proc;
	int32_t result; /* 0, -errno, or RB_SCN_SKIP_* */
	int32_t value;  /* a pid made, a count reaped */
	int32_t pad;
};

struct rb_scn_shared {
	uint32_t magic;
	uint32_t size;          /* sizeof(struct rb_scn_shared), as the harness built it */
	/* harness -> app */
	uint32_t serving;       /* the harness serves requests */
	uint32_t input_seq;     /* a new program is in place (futex) */
	uint32_t quit;          /* with input_seq: end (exit 0) instead of running one */
	uint32_t program_len;
	uint8_t program[RB_SCN_MAX_BYTES + 1];
	int64_t ack_timeout_ns; /* how long the app waits for a process's answer */
	char payload_path[256]; /* rb-payload, for members that exec it again */
	/* app -> harness */
	uint32_t done_seq;      /* = input_seq once the app finished that input */
	uint32_t wake;          /* the harness sleeps on it: bumped by each request, each
	                           done, and by the harness's own observer */
	uint32_t req_seq, req_ack;
	struct rb_scn_request req;
	int32_t req_result;
	uint32_t nevents;       /* claimed (may exceed RB_SCN_MAX_EVENTS) */
	int64_t t_started_ns;   /* the app began the input */
	int64_t t_ops_done_ns;  /* its last operation finished: the quiet wait begins */
	struct rb_scn_slot procs[RB_SCN_MAX_PROCS];
	struct rb_scn_event events[RB_SCN_MAX_EVENTS];
};

#endif
