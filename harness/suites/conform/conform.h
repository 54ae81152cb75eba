/* The PID 1 conformance suite: checks run each reaper as real PID 1 of a
 * fresh sandbox and report what they OBSERVED, next to what the reaper's
 * descriptor CLAIMS. One family of checks per check_*.c file, each ending in
 * one const struct rb_check_family; conform.c lists the families once. */
#ifndef REAPBENCH_CONFORM_H
#define REAPBENCH_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "runner.h"
#include "sandbox.h"
#include "sysinfo.h"

enum rb_verdict {
	RB_VERDICT_UNCLAIMED, /* "-": the reaper claims nothing here */
	RB_VERDICT_OK,        /* observed == claimed */
	RB_VERDICT_DEVIATES,  /* observed != claimed */
	RB_VERDICT_ERROR,     /* the harness could not observe (the reason is the detail) */
};

struct rb_cell {
	char observed[48];  /* e.g. "app", "group", "dropped", "143", "all reaped" */
	char expected[48];  /* from the claims; "" when nothing is claimed */
	char detail[256];   /* counts, pids, times: what a reader needs to believe it */
	enum rb_verdict verdict;
	int runs, matches;  /* --repeat: runs made, runs that observed what was claimed */
};

/* reap.prompt's yardstick, measured once per conform run under the
 * reference (shared by every reaper's context). */
struct rb_prompt_ref {
	bool done;
	double p90_ms;   /* the reference's p90 reap latency, ms; < 0: not measured */
	char why[160];   /* why not */
};

struct rb_conform_ctx {
	const struct rb_sysinfo *si;
	const struct rb_reaper *r;
	struct rb_sandbox_opts opts; /* per-run sandbox options */
	char payload[4096];          /* <builddir>/rb-payload */
	int64_t grace_ns;            /* docker stop's grace period */
	struct rb_prompt_ref *prompt_ref; /* NULL: the fixed bound only */
	int observer;                /* enum rb_observer: who times the checks that time */
	struct rb_bpf_observer *bpf; /* observer bpf or both: loaded once per conform run */
};

struct rb_check;
/* Fill CELL->observed (and expected, detail). Return 0, or -1 with
 * CELL->detail saying why nothing could be observed. */
typedef int rb_check_fn(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell);

struct rb_check {
	char name[48];  /* "forward.parent.SIGTERM" */
	char doc[160];  /* one line */
	int arg;        /* the check's parameter: a signal, an exit code, a count */
	bool racy;      /* repeated by --repeat N, reported as a rate */
	rb_check_fn *run;
};

struct rb_check_family {
	const char *name;
	/* Write up to MAX checks into OUT; return how many exist. */
	size_t (*expand)(struct rb_check *out, size_t max);
};

extern const struct rb_check_family rb_family_exit;
extern const struct rb_check_family rb_family_forward;
extern const struct rb_check_family rb_family_reap;
extern const struct rb_check_family rb_family_default;
extern const struct rb_check_family rb_family_early;
extern const struct rb_check_family rb_family_inherit;
extern const struct rb_check_family rb_family_shutdown;
extern const struct rb_check_family rb_family_main_exit;
extern const struct rb_check_family rb_family_pod;

/* Fill one check: what every family's expand() does per row. */
void rb_check_set(struct rb_check *c, const char *name, const char *doc, int arg, rb_check_fn *run,
		  bool racy);

/* Every check, in family order; *N set. Free with free(). */
struct rb_check *rb_conform_checks(size_t *n);

/* Run ARGV (already resolved) under ctx->r with PLAN; output to /dev/null. */
int rb_conform_run(struct rb_conform_ctx *ctx, char *const argv[], const struct rb_run_plan *plan,
		   struct rb_run_result *res, struct rb_error *err);

/* A payload argv: ctx->payload followed by the NULL-terminated words. */
#define RB_PAYLOAD_ARGV(ctx, ...) ((char *const[]){ (ctx)->payload, __VA_ARGS__, NULL })

/* Helpers for the cells. */
void rb_cell_set(struct rb_cell *cell, const char *observed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rb_cell_expect(struct rb_cell *cell, const char *expected);
int rb_cell_error(struct rb_cell *cell, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
