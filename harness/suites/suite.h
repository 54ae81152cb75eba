/* What every measuring suite does around its measurement, written once. */
#ifndef REAPBENCH_SUITE_H
#define REAPBENCH_SUITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "metrics.h"
#include "output.h"
#include "registry.h"
#include "runner.h"
#include "sysinfo.h"

/* Who times exits and reaps in a storm: the payload's pidfd per process,
 * the kernel's tracepoints (observer_bpf.h), both side by side, or auto:
 * the kernel's where the BPF observer loads, else the pidfds. */
enum rb_observer { RB_OBS_PIDFD, RB_OBS_BPF, RB_OBS_BOTH, RB_OBS_AUTO };
extern const char *const rb_observer_names[]; /* "pidfd", "bpf", "both", "auto", NULL */

struct rb_bpf_observer;
/* Loads the BPF observer that *OBSERVER asks for (room for PID_SPACE pids
 * and RECORDS reaps) into *BPF, and resolves auto: bpf where it loads, else
 * pidfd with WHY (LEN bytes) saying why not. bpf and both that cannot load
 * fail with ERR (unsupported: exit 3). */
int rb_observer_open(int *observer, struct rb_bpf_observer **bpf, uint32_t pid_space,
		     uint32_t records, char *why, size_t len, struct rb_error *err);

/* auto for a suite whose kernel figures come beside its own (signals,
 * exhaust): true with the BPF observer loaded into *BPF, else false with
 * WHY saying why it cannot run here. */
bool rb_observer_try(struct rb_bpf_observer **bpf, uint32_t pid_space, uint32_t records,
		     char *why, size_t len);

/* R cannot run here: its run in REC is a skip with the reason, and a line
 * "NAME unavailable: REASON" says so. Returns whether R was skipped. */
bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite);

/* The payload holds a pidfd per storm process and raises its soft
 * RLIMIT_NOFILE to the hard one: make the hard one PROCESSES + SLACK (root
 * may raise it). -1 with WHY when it stays below. */
int rb_suite_raise_nofile(unsigned long processes, unsigned long slack, char *why, size_t len);

/* ---- the driver ----------------------------------------------------------------
 * A measuring suite declares itself as data (struct rb_suite, at the end of
 * its file, as a stress-ng stressor ends with its stressor_info_t) and the
 * one driver, rb_suite_main, runs the lifecycle every suite shares:
 *
 *   init (defaults) -> the command line -> prepare (checks, observers) ->
 *   the results directory -> the reapers selected -> the record -> begin
 *   (the record's options, files, the first lines) -> a row per available
 *   reaper -> run: repeat x steps x rows interleaved, measure per cell, a
 *   progress line -> report (tables, summary, plots) -> the record written
 *   -> footer -> release.
 *
 * Exit: 130 when interrupted, 1 when a reaper or a part failed, else 0; -1
 * with ERR for errors (bad input, the results directory). */

/* The driver's part of a suite's row, one per available reaper. */
#define RB_SUITE_ROW_FIELDS                                                                   \
	const struct rb_reaper *r;                                                            \
	char error[256]; /* set: the reaper failed; its later runs are not made */           \
	long runs        /* runs measured */
struct rb_suite_row {
	RB_SUITE_ROW_FIELDS;
};

/* The head of a suite's own struct row: the same fields by name (w->r,
 * w->error) and as the driver's struct (w->head), as the kernel's
 * struct_group() gives them. It must come first. */
#define RB_SUITE_ROW_HEAD                                                                     \
	union {                                                                               \
		struct rb_suite_row head;                                                     \
		struct {                                                                      \
			RB_SUITE_ROW_FIELDS;                                                  \
		};                                                                            \
	}

struct rb_suite;
/* The run's state, handed to every hook. */
struct rb_suite_ctx {
	const struct rb_suite *suite;
	const struct rb_sysinfo *si;
	void *cfg;                    /* the suite's configuration and state (cfg_size bytes) */
	struct rb_output *out;        /* in cfg */
	struct rb_sandbox_opts opts;  /* the sandbox of every run */
	json_t *rec;                  /* the record, from the reapers' selection on */
	struct rb_reaper *reapers;    /* the selection (nreapers) */
	size_t nreapers;
	char *rows;                   /* nrows rows of row_size bytes, headed by RB_SUITE_ROW_HEAD */
	int nrows;
	long repeat, steps;           /* the plan: 1 and 1 unless prepare or begin sets them */
	bool interrupted;             /* a measurement saw the harness interrupted: the plan stops */
	int failures;                 /* failed measurements and parts: exit 1 */
};

struct rb_suite {
	const char *name;        /* the subcommand and the record's suite */
	const char *summary;     /* its line in reapbench --help */
	const struct rb_cli *cli; /* its options: parsing and --help */
	size_t cfg_size;         /* the suite's struct (zeroed, then init) */
	size_t out_off;          /* offsetof its struct rb_output */
	size_t sel_off;          /* offsetof its struct rb_selection (RB_CLI_SELECTION) */
	size_t row_size;         /* its struct row; 0: no reapers are selected */
	const struct rb_metric *metrics; /* the figures it records (metrics.h) */
	size_t nmetrics;
	unsigned output;         /* rb_output_begin's flags */
	/* each run's output: "DIR/logs/<log>-NAME.log" per reaper when it holds
	 * "%s" (truncated at the reaper's first run, appended to after), else
	 * "DIR/logs/<log>.log" for the whole plan; NULL: the suite's affair */
	const char *log;
	/* every hook may be NULL */
	void (*init)(struct rb_suite_ctx *x);                   /* defaults */
	/* after the command line: -1 with ERR; 1: nothing more to do (exit 0) */
	int (*prepare)(struct rb_suite_ctx *x, struct rb_error *err);
	int (*begin)(struct rb_suite_ctx *x, struct rb_error *err);
	int (*row_init)(struct rb_suite_ctx *x, void *row, struct rb_error *err);
	/* the runs; NULL: rb_suite_run_rows */
	int (*run)(struct rb_suite_ctx *x, struct rb_error *err);
	/* run K of step STEP of one reaper: figures into ROW and a run into the
	 * record, nothing printed. 0; -1 it failed (with row->error set, the
	 * reaper's later runs are not made); 1 the harness was interrupted */
	int (*measure)(struct rb_suite_ctx *x, void *row, long k, long step);
	/* the progress line's word for STEP ("N=1000"); NULL or "" none */
	void (*step_label)(const struct rb_suite_ctx *x, long step, char *buf, size_t len);
	/* after run K of STEP of every reaper */
	void (*round_end)(struct rb_suite_ctx *x, long k, long step);
	int (*report)(struct rb_suite_ctx *x, struct rb_error *err);
	/* the lines naming what was kept; NULL: "record  PATH" */
	void (*footer)(const struct rb_suite_ctx *x);
	void (*row_free)(void *row);
	void (*release)(struct rb_suite_ctx *x); /* on every path, after init */
};

/* Row I of the run, as the suite's own struct row. */
static inline void *rb_suite_row(const struct rb_suite_ctx *x, int i)
{
	return x->rows + (size_t)i * x->suite->row_size;
}

/* The suite's cfg fields as the driver finds them. */
#define RB_SUITE_CFG(type)                                                                    \
	.cfg_size = sizeof(type), .out_off = offsetof(type, out), .sel_off = offsetof(type, sel)

/* Every suite, as RB_SUITES (commands.h) lists them; NULL-terminated. */
extern const struct rb_suite *const rb_suites[];

/* Runs suite S as a subcommand (ARGV[0] its name). */
int rb_suite_main(const struct rb_suite *s, int argc, char **argv, const struct rb_sysinfo *si,
		  struct rb_error *err);

/* The runs interleaved: run k of step s of every reaper, then the next
 * reaper's, so that what slows the machine for a while slows them all
 * alike. The default run; a suite's own run hook may call it. */
int rb_suite_run_rows(struct rb_suite_ctx *x, struct rb_error *err);

#endif
