/* Scenario programs: what the scenario fuzzer runs against a reaper. A
 * program is a short list of operations on a small tree of processes (the
 * app and what it makes), with signals the harness sends to PID 1 between
 * them. Every byte string decodes to a valid, bounded program (libFuzzer's
 * inputs are never rejected); programs also have a text form (the replay's
 * listing, the seeds) that assembles back to the same bytes.
 *
 * Bytes: one header byte (how the app starts), then 3 bytes per operation
 * [opcode][process][argument]; a trailing partial operation is ignored, and
 * so is everything after RB_SCN_MAX_OPS operations or after the app ends.
 * Pure code: linked into the harness, the payload and the fuzz targets. */
#ifndef REAPBENCH_SCENARIO_H
#define REAPBENCH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define RB_SCN_MAX_PROCS 16 /* the app (index 0) included */
#define RB_SCN_MAX_OPS 64
#define RB_SCN_OP_BYTES 3
#define RB_SCN_MAX_BYTES (1 + RB_SCN_MAX_OPS * RB_SCN_OP_BYTES)
/* Sleeps, the app's stops and thread holds add up to at most this. */
#define RB_SCN_TIME_BUDGET_NS (200 * 1000000LL)
#define RB_SCN_APP 0

/* How PID 1 is asked to start the app. */
enum rb_scn_start {
	RB_SCN_START_APP,     /* rb-payload scenario: the program runs */
	RB_SCN_START_MISSING, /* a file that does not exist: the init's exec fails */
	RB_SCN_START_NOEXEC,  /* a file without execute permission */
};

enum rb_scn_opcode {
	RB_SCN_NOP,           /* decoded from an operation with nothing to act on */
	RB_SCN_SPAWN,         /* P makes process NEW (method: clone-vm, vfork+exec, fork) */
	RB_SCN_EXIT,          /* P exits with CODE (the app: the program ends) */
	RB_SCN_KILL_SELF,     /* P dies of SIG (its default action, by its own kill) */
	RB_SCN_EXIT_CHILDREN, /* P's live children exit with CODE, all at once */
	RB_SCN_DAEMON,        /* P double-forks: NEW exits at once (P reaps it), NEW+1
	                         calls setsid and lives on (reparented to PID 1) */
	RB_SCN_SETSID,        /* P calls setsid() */
	RB_SCN_SETPGID,       /* P joins the process group of process Q (itself: its own) */
	RB_SCN_THREADS,       /* P starts K threads and its leader exits; they exit after HOLD */
	RB_SCN_EXEC_FAIL,     /* P execs a missing / non-executable file, then exits 127 / 126
	                         as a shell does */
	RB_SCN_MASK,          /* P blocks / unblocks SIG */
	RB_SCN_DISPOSITION,   /* P handles / ignores / defaults SIG */
	RB_SCN_STOP,          /* SIGSTOP to P until a cont (the app: the harness stops it for D) */
	RB_SCN_CONT,          /* SIGCONT to P */
	RB_SCN_WAIT,          /* P reaps its children that have exited */
	RB_SCN_SLEEP,         /* the program pauses for D */
	RB_SCN_SEND_PARENT,   /* the harness sends SIG to PID 1 from the parent namespace */
	RB_SCN_SEND_INSIDE,   /* P sends SIG to PID 1 (kill(1, SIG), as `kill 1` in a container) */
	RB_SCN_SEND_GROUP,    /* SIG to the app's process group, from P or from the harness */
	RB_SCN_NOPCODES
};

enum rb_scn_method { RB_SCN_CLONE_VM, RB_SCN_VFORK_EXEC, RB_SCN_FORK, RB_SCN_NMETHODS };
enum rb_scn_disp { RB_SCN_HANDLE, RB_SCN_IGNORE, RB_SCN_DEFAULT, RB_SCN_NDISPS };

/* SEND_GROUP's proc when the harness sends (from the parent namespace). */
#define RB_SCN_HARNESS 0xff

struct rb_scn_op {
	uint8_t code;    /* enum rb_scn_opcode */
	uint8_t proc;    /* the process it acts on (RB_SCN_HARNESS: the harness sends) */
	uint8_t arg;     /* SPAWN's method, EXIT's code, the signal (KILL_SELF, MASK,
	                    DISPOSITION, SEND_*), SETPGID's Q, THREADS' K, EXEC_FAIL's
	                    0 missing / 1 not executable */
	uint8_t arg2;    /* MASK: 1 block, 0 unblock; DISPOSITION: enum rb_scn_disp; a
	                    duration index (SLEEP, STOP of the app, THREADS' hold) */
	uint8_t newproc; /* SPAWN, DAEMON: the index of the (first) process made */
};

struct rb_scn_program {
	enum rb_scn_start start;
	int nops;
	int nprocs;                        /* processes it makes, the app included */
	int8_t parent[RB_SCN_MAX_PROCS];   /* who makes each (-1: the app, made by PID 1) */
	struct rb_scn_op ops[RB_SCN_MAX_OPS];
};

/* Durations of SLEEP, STOP and THREADS' hold, by index (0..7). */
extern const int64_t rb_scn_durations_ns[8];

/* Decode any LEN bytes (never fails). */
void rb_scn_decode(const uint8_t *data, size_t len, struct rb_scn_program *p);

/* The bytes that decode to P (a program from rb_scn_decode or
 * rb_scn_parse); returns how many were written (<= RB_SCN_MAX_BYTES). */
size_t rb_scn_encode(const struct rb_scn_program *p, uint8_t *out, size_t cap);

/* One operation as text ("spawn 1 fork", "send-parent SIGTERM"). */
void rb_scn_op_text(const struct rb_scn_op *op, char *buf, size_t len);
const char *rb_scn_opcode_name(int code);
const char *rb_scn_method_name(int method);
const char *rb_scn_start_name(enum rb_scn_start s);

/* The whole program as text: "start app" then one operation per line,
 * each a line of the text form that rb_scn_parse reads. Returns a malloc'd
 * string. */
char *rb_scn_program_text(const struct rb_scn_program *p);

/* Parse the text form (comments after '#', blank lines ignored). The
 * indices of new processes are implicit (the next free one), as in the
 * decoder. Errors name NAME:LINE. */
int rb_scn_parse(const char *text, const char *name, struct rb_scn_program *p,
		 struct rb_error *err);

/* The signals each operand can name (tables of the decoder). */
int rb_scn_signal_ok(int code, int sig);

/* A and B are the same program, nops aside (nothing encodes a nop). */
bool rb_scn_equal(const struct rb_scn_program *a, const struct rb_scn_program *b);

/* Read a program file: *.scn is the text form, anything else the fuzzer's
 * bytes (as a crash file holds them). BYTES (RB_SCN_MAX_BYTES) gets the
 * encoding. Errors name the file (and line). */
int rb_scn_load_file(const char *path, uint8_t *bytes, size_t *len, struct rb_error *err);

#endif
