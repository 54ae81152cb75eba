/* reapbench scale: how a reaper's cost grows with the storm. The same storm
 * (a hoard by default: N zombies inherited at once) at each N of --counts,
 * every reaper interleaved (run k of every reaper at every N, then k + 1),
 * with no storm process watched (the drain is timed from the cgroup's
 * pids.current, as calibrate does: the observer's own cost would grow with
 * N too). Per N: the drain, the time per reap, PID 1's CPU per reap
 * (schedstat), the pids at the peak (each run's record), and the harness's
 * own peak RSS. Per
 * reaper: PID 1's CPU per reap fitted against N on log-log axes; a slope
 * whose interval lies above GROW_SLOPE is flagged: its per-reap cost grows
 * with N (a reaper that rescans its process table per reap is O(N) there).
 * Writes scale.json, scale.csv and, with gnuplot, scale-drain.svg. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "loglog.h"
#include "plot.h"
#include "procfs.h"
#include "record.h"
#include "runner.h"
#include "stats.h"
#include "storm.h"
#include "storm_args.h"
#include "suite.h"

#define MAX_COUNTS 8
/* Pids a count leaves free besides the storm's: the machine's own
 * processes come and go while it runs. */
#define SPARE_PIDS 1024
#define MAX_REPEAT 50
#define FIT_SEED 1
/* The flag: per-reap CPU growing at least like N^0.5, beyond the
 * interval. The shipped inits' slopes sit at 0.07-0.15 here (intervals up
 * to 0.23: the kernel's own per-reap cost creeps up with N), a /proc
 * rescan per reap at ~1.5. */
#define GROW_SLOPE 0.5

struct cfg {
	long counts[MAX_COUNTS];
	int ncounts;
	long repeat;
	const struct storm_pattern *pat;
	bool no_plots;
	struct rb_output out;
	struct rb_selection sel;
	FILE *csv;    /* scale.csv */
	json_t *rss;  /* the harness's peak RSS after each count */
	long dropped[MAX_COUNTS]; /* left out: beyond the pids free here */
	int ndropped;
	long pid_free, pid_max;
};

/* One reaper's figures: [count][run], NAN where a run gave none. */
struct row {
	RB_SUITE_ROW_HEAD;
	double drain[MAX_COUNTS][MAX_REPEAT];   /* s */
	double cpu[MAX_COUNTS][MAX_REPEAT];     /* PID 1's CPU per reap, s */
	struct rb_loglog fit, fit_drain;
	bool has_fit, has_fit_drain;
	char skip[MAX_COUNTS][192];             /* why a run gave nothing (the latest) */
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int parse_counts(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct cfg *c = field;
	char *end;
	const char *p = arg;

	c->ncounts = 0;
	while (*p) {
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno || v < 100 || v > (long)STORM_MAX_COUNT || (*end && *end != ','))
			return rb_input_error(err, "%s: '%s' is not a list of counts from 100 to %lu",
					      opt, arg, (unsigned long)STORM_MAX_COUNT);
		if (c->ncounts == MAX_COUNTS)
			return rb_input_error(err, "%s: at most %d counts", opt, MAX_COUNTS);
		c->counts[c->ncounts++] = v;
		p = *end ? end + 1 : end;
	}
	if (c->ncounts < 2)
		return rb_input_error(err, "%s: '%s': a curve needs two counts or more", opt, arg);
	qsort(c->counts, (size_t)c->ncounts, sizeof(long), cmp_long);
	return 0;
}

static json_t *pattern_json(const void *field)
{
	return json_string((*(const struct storm_pattern *const *)field)->name);
}

static int parse_pattern(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	const struct storm_pattern **pat = field;

	*pat = storm_pattern_find(arg);
	if (!*pat || (strcmp(arg, "hoard") != 0 && strcmp(arg, "burst") != 0))
		return rb_input_error(err, "%s: '%s' is not hoard or burst (a drain of N at once)",
				      opt, arg);
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt scale_opts[] = {
	{ "counts", 0, RB_OT_FN, "LIST", RB_IN_CFG, 0, .parse = parse_counts,
	  .help = "storm sizes, comma-separated (each sandbox's pid_max\n"
		  "follows)", .dflt = "1000,3000,10000" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, MAX_REPEAT, .help = "runs per reaper and count",
	  .record = "repeat" },
	{ "pattern", 0, RB_OT_FN, "P", AT(pat), .parse = parse_pattern, .help = "hoard or burst",
	  .dflt = "hoard", .record = "pattern", .to_json = pattern_json },
	{ "no-plots", 0, RB_OT_FLAG, NULL, AT(no_plots), .help = "no scale-drain.svg" },
	{ 0 },
};

static const struct rb_cli scale_cli = {
	.name = "scale",
	.about = "How each reaper's cost grows with the storm: the same storm at each count,\n"
		 "every reaper interleaved; per count the drain, the time and PID 1's CPU per\n"
		 "reap; per reaper a log-log fit of the CPU per reap against the count, flagged\n"
		 "where it grows (a slope above " RB_STR(GROW_SLOPE) " beyond its 95 % interval).",
	.opts = scale_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

/* ---- one run ------------------------------------------------------------------ */

static void run_once(const struct rb_sysinfo *si, const struct cfg *c, struct rb_sandbox_opts *base,
		     struct row *w, int ci, long k, json_t *rec, FILE *csv)
{
	struct storm_opts so;
	struct storm_argv words;
	struct rb_run_plan plan = { .storm = { .drain = true, .probe_pid1 = true } };
	struct rb_sandbox_opts opts = *base;
	char why[192] = "";
	const struct rb_channel *ch;
	struct rb_run_result res;
	char **workload = NULL;
	struct rb_error e;
	int64_t dt;
	json_t *run;

	w->drain[ci][k] = w->cpu[ci][k] = NAN;
	storm_opts_defaults(&so);
	so.count = (unsigned long)c->counts[ci];
	so.wait_ns = 2000 * 1000000LL;
	so.no_monitor = true;
	/* room for the storm: its own pid_max, the cgroup following */
	if (opts.pid_max < c->counts[ci] + 64)
		opts.pid_max = c->counts[ci] + 64;
	if (opts.pids_max && opts.pids_max < opts.pid_max)
		opts.pids_max = opts.pid_max;
	opts.deadline_ns += (int64_t)c->counts[ci] * 20000; /* 20 us per process more */
	if (rb_resolve_workload(si, storm_argv(&words, c->pat->name, &so), &workload, &e) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", e.msg);
		return;
	}
	if (rb_run_payload(si, w->r, &opts, &plan, workload, &res, &e) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", e.msg);
		rb_record_skip(rb_record_add_run(rec, w->r, NULL), "scale", e.msg);
		goto out;
	}
	ch = &res.chan;
	run = rb_record_add_run(rec, w->r, res.argv);
	json_object_set_new(run, "count", json_integer(c->counts[ci]));
	json_object_set_new(run, "repeat", json_integer(k));
	rb_run_record(run, &res);
	dt = res.t_drained_ns - ch->storm.t_root_exit_seen_ns;
	if (res.sb.end == RB_END_DEADLINE)
		snprintf(why, sizeof(why), "not drained by the deadline (%.1f s): PID 1 was killed",
			 opts.deadline_ns / 1e9);
	else if (!res.chan_valid || ch->spawned != (uint64_t)c->counts[ci] || ch->reaped != ch->spawned)
		snprintf(why, sizeof(why), "made %llu of %ld, reaped %llu",
			 (unsigned long long)ch->spawned, c->counts[ci], (unsigned long long)ch->reaped);
	else if (!res.t_drained_ns || !ch->storm.t_root_exit_seen_ns || dt <= 0)
		snprintf(why, sizeof(why), "%s", res.drain_skip[0] ? res.drain_skip
			 : "the storm's root exit was not seen");
	else
		w->drain[ci][k] = dt / 1e9;
	if (!why[0] && res.probe[0].has_cpu && res.probe[1].has_cpu)
		w->cpu[ci][k] = (double)(res.probe[1].cpu_ns - res.probe[0].cpu_ns) / 1e9 /
				(double)ch->reaped;
	if (why[0]) /* the table says why under the row (the latest run's reason) */
		snprintf(w->skip[ci], sizeof(w->skip[ci]), "%s", why);
	if (!isnan(w->drain[ci][k]))
		rb_record_measure(run, "drain_time", w->drain[ci][k], "s");
	else
		rb_record_skip(run, "drain_time", why);
	if (!isnan(w->cpu[ci][k]))
		rb_record_measure(run, "pid1_cpu_per_reap", w->cpu[ci][k], "s");
	else
		rb_record_skip(run, "pid1_cpu_per_reap", why[0] ? why
			       : res.probe_skip[0] ? res.probe_skip : "schedstat unreadable");
	fprintf(csv, "%s,%ld,%ld,", w->r->name, c->counts[ci], k);
	if (!isnan(w->drain[ci][k]))
		fprintf(csv, "%.6f", w->drain[ci][k] * 1e3);
	fprintf(csv, ",");
	if (!isnan(w->cpu[ci][k]))
		fprintf(csv, "%.4f", w->cpu[ci][k] * 1e6);
	fprintf(csv, "\n");
out:
	rb_run_result_free(&res);
	rb_argv_free(workload);
}

/* ---- figures ----------------------------------------------------------------------- */

/* The fits of one reaper over every run that gave a figure. */
static void fit_row(const struct cfg *c, struct row *w)
{
	double x[MAX_COUNTS * MAX_REPEAT], y[MAX_COUNTS * MAX_REPEAT], d[MAX_COUNTS * MAX_REPEAT];
	size_t n = 0;

	for (int ci = 0; ci < c->ncounts; ci++)
		for (long k = 0; k < c->repeat; k++) {
			x[n] = (double)c->counts[ci];
			y[n] = w->cpu[ci][k];
			d[n++] = isnan(w->drain[ci][k]) ? NAN : w->drain[ci][k] / (double)c->counts[ci];
		}
	w->has_fit = rb_loglog_fit(x, y, n, FIT_SEED, &w->fit) == 0;
	w->has_fit_drain = rb_loglog_fit(x, d, n, FIT_SEED, &w->fit_drain) == 0;
}

static bool grows(const struct row *w)
{
	return w->has_fit && w->fit.lo > GROW_SLOPE;
}

/* The median of the runs' figures V[0..REPEAT), NAN if none. */
static double median_of(const double *v, long repeat)
{
	double t[MAX_REPEAT];
	size_t n = 0;

	for (long k = 0; k < repeat; k++)
		if (!isnan(v[k]))
			t[n++] = v[k];
	if (n == 0)
		return NAN;
	rb_sort_doubles(t, n);
	return rb_percentile_sorted(t, n, 50);
}

static int table_columns(struct rb_table *t, const struct cfg *c)
{
	char title[64];
	int rc = rb_table_column(t, "REAPER", RB_COL_LEFT);

	for (int ci = 0; ci < c->ncounts && rc == 0; ci++) {
		snprintf(title, sizeof(title), "N=%ld us", c->counts[ci]);
		rc = rb_table_column(t, title, RB_COL_RIGHT);
	}
	for (int ci = 0; ci < c->ncounts && rc == 0; ci++) {
		snprintf(title, sizeof(title), "N=%ld ms", c->counts[ci]);
		rc = rb_table_column(t, title, RB_COL_RIGHT);
	}
	return rc ?: rb_table_column(t, "SLOPE", RB_COL_RIGHT);
}

/* A reaper's medians and slope from column 1 on; a row under it for each
 * count it has no figure for, saying why. */
static int table_row(struct rb_table *t, const struct cfg *c, const struct row *w)
{
	int rc = 0, col = 1;

	if (w->error[0])
		return rb_table_cell(t, 1, "error: %s", w->error);
	for (int ci = 0; ci < c->ncounts && rc == 0; ci++) {
		double m = median_of(w->cpu[ci], c->repeat);

		rc = isnan(m) ? rb_table_cell(t, col++, "-") : rb_table_cell(t, col++, "%.2f", m * 1e6);
	}
	for (int ci = 0; ci < c->ncounts && rc == 0; ci++) {
		double m = median_of(w->drain[ci], c->repeat);

		rc = isnan(m) ? rb_table_cell(t, col++, "-") : rb_table_cell(t, col++, "%.1f", m * 1e3);
	}
	if (rc == 0 && w->has_fit)
		rc = rb_table_cell(t, col, "%+.2f [%+.2f,%+.2f]%s", w->fit.slope, w->fit.lo, w->fit.hi,
				   grows(w) ? " GROWS" : "");
	else if (rc == 0)
		rc = rb_table_cell(t, col, "-");
	for (int ci = 0; ci < c->ncounts && rc == 0; ci++)
		if (w->skip[ci][0])
			rc = rb_table_row(t) ?: rb_table_cell(t, 1, "N=%ld: %s", c->counts[ci],
							       w->skip[ci]);
	return rc;
}

static int print_table(const struct cfg *c, const struct row *rows, int nrows)
{
	struct rb_table *t cleanup_table = rb_table_new();
	enum rb_format format = (enum rb_format)c->out.format;
	int rc = t ? table_columns(t, c) : -ENOMEM;

	for (int i = 0; i < nrows && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: table_row(t, c, &rows[i]);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "medians over %ld run%s: PID 1's CPU per reap (us) and the drain (ms) at each count;\n"
			      "SLOPE: d log(CPU per reap) / d log(N) with its 95%% interval (0 flat, 1 linear);\n"
			      "GROWS: the interval lies above %.2f", c->repeat, c->repeat == 1 ? "" : "s",
			      GROW_SLOPE);
	return rc ?: rb_table_print(t, format, stdout);
}

static json_t *fit_json(const struct rb_loglog *f, bool has)
{
	if (!has)
		return json_pack("{s:s}", "skip", "fewer than 3 runs with a figure, or one count only");
	return json_pack("{s:f, s:f, s:f, s:f, s:i}", "slope", f->slope, "lo", f->lo, "hi", f->hi,
			 "intercept", f->intercept, "points", (json_int_t)f->n);
}

static void record_summary(json_t *rec, const struct cfg *c, const struct row *rows, int nrows)
{
	json_t *all = json_array();

	for (int i = 0; i < nrows; i++) {
		const struct row *w = &rows[i];
		json_t *o = json_object(), *per = json_object();
		char key[32];

		json_object_set_new(o, "reaper", json_string(w->r->name));
		if (w->error[0])
			json_object_set_new(o, "error", json_string(w->error));
		for (int ci = 0; ci < c->ncounts; ci++) {
			double cpu = median_of(w->cpu[ci], c->repeat), dr = median_of(w->drain[ci], c->repeat);

			snprintf(key, sizeof(key), "%ld", c->counts[ci]);
			json_object_set_new(per, key, json_pack("{s:o, s:o, s:o}",
				"pid1_cpu_per_reap_s", isnan(cpu) ? json_null() : json_real(cpu),
				"drain_s", isnan(dr) ? json_null() : json_real(dr),
				"time_per_reap_s", isnan(dr) ? json_null() : json_real(dr / (double)c->counts[ci])));
		}
		json_object_set_new(o, "per_count", per);
		json_object_set_new(o, "fit_pid1_cpu_per_reap", fit_json(&w->fit, w->has_fit));
		json_object_set_new(o, "fit_time_per_reap", fit_json(&w->fit_drain, w->has_fit_drain));
		json_object_set_new(o, "grows", json_boolean(grows(w)));
		json_array_append_new(all, o);
	}
	json_object_set_new(rec, "summary", all);
	json_object_set_new(rec, "grow_slope", json_real(GROW_SLOPE));
}

/* scale-drain.svg: each reaper's drain against N, log-log, one line each. */
static void plot(const struct cfg *c, const struct row *rows, int nrows, json_t *rec)
{
	char *body = NULL, q[160];
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	struct rb_plot p;
	struct rb_error err;
	json_t *o = json_object();

	if (c->no_plots || !f) {
		json_object_set_new(o, "skip", json_string(c->no_plots ? "--no-plots" : "out of memory"));
		json_object_set_new(rec, "plots", o);
		if (f)
			fclose(f);
		free(body);
		printf("plot    skipped: %s\n", c->no_plots ? "--no-plots" : "out of memory");
		return;
	}
	fprintf(f, "set datafile separator \",\"\nset datafile columnheaders\nset datafile missing \"\"\n"
		"set logscale xy\nset grid\nset key top left\n"
		"set xlabel \"storm size N (processes)\"\nset ylabel \"drain (ms, log scale)\"\n"
		"set title \"%s of N: drain time against N (medians are the runs' middle)\"\n"
		"d(r) = strcol(1) eq r ? $4 : NaN\nplot", c->pat->name);
	for (int i = 0; i < nrows; i++) {
		rb_plot_quote(q, sizeof(q), rows[i].r->name);
		fprintf(f, "%s \"scale.csv\" using 2:(d(%s)) smooth unique", i ? ", \\\n    " : " ", q);
		rb_plot_style(f, i, rows[i].r->name);
	}
	fprintf(f, "\n");
	fclose(f);
	if (rb_plot_run(c->out.dir, "scale-drain", body, RB_PLOT_TIMEOUT_MS, &p, &err) < 0) {
		json_object_set_new(o, "error", json_string(err.msg));
		printf("plot    failed: %s\n", err.msg);
	} else if (p.state == RB_PLOT_SKIPPED) {
		json_object_set_new(o, "skip", json_string(p.skip));
		printf("plot    skipped: %s\n", p.skip);
	} else {
		json_object_set_new(o, "drain", json_string("scale-drain.svg"));
		if (rb_output_kept(&c->out))
			printf("plot    %s/scale-drain.svg\n", c->out.dir);
	}
	json_object_set_new(rec, "plots", o);
	free(body);
}

/* ---- the command ------------------------------------------------------------------ */

static void record_options(json_t *rec, const struct cfg *c, const struct rb_sandbox_opts *opts)
{
	json_t *o = json_object_get(rec, "options"), *counts = json_array();

	for (int ci = 0; ci < c->ncounts; ci++)
		json_array_append_new(counts, json_integer(c->counts[ci]));
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "monitor", json_false());
	json_object_set_new(o, "deadline_s", json_real(opts->deadline_ns / 1e9));
	rb_record_runtime(o, opts);
}

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->counts[0] = 1000;
	c->counts[1] = 3000;
	c->counts[2] = 10000;
	c->ncounts = 3;
	c->repeat = 3;
	c->pat = storm_pattern_find("hoard");
	x->opts.deadline_ns = 20LL * 1000000000;
}

/* Every storm process takes a pid in our PID namespace too (a pid in each
 * ancestor): counts beyond the pids free here are left out, and
 * C->dropped says which. -1 when fewer than two remain. (The storm makes
 * no pidfds, nothing watches it: RLIMIT_NOFILE does not bound it.) */
static int fit_pid_space(struct cfg *c, struct rb_error *err)
{
	int kept = 0;

	c->pid_free = rb_pid_space_free(&c->pid_max);
	if (c->pid_free < 0)
		return 0; /* unknown: the storm's failed spawns will say */
	for (int ci = 0; ci < c->ncounts; ci++)
		if (c->counts[ci] + SPARE_PIDS <= c->pid_free)
			c->counts[kept++] = c->counts[ci];
		else
			c->dropped[c->ndropped++] = c->counts[ci];
	c->ncounts = kept;
	if (kept >= 2)
		return 0;
	return rb_fail(err, RB_ERR_UNSUPPORTED, 0, "scale: fewer than two of the counts fit in the "
		       "%ld pids free here (pid_max %ld, /proc/sys/kernel/pid_max)", c->pid_free,
		       c->pid_max);
}

/* The counts that fit; the plan: repeat x counts x reapers. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	if (fit_pid_space(c, err) < 0)
		return -1;
	c->rss = json_object();
	x->repeat = c->repeat;
	x->steps = c->ncounts;
	return 0;
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	char path[RB_CLI_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/scale.csv", c->out.dir);
	c->csv = fopen(path, "we");
	if (!c->csv)
		return rb_sys_error(err, errno, "writing %s", path);
	fprintf(c->csv, "reaper,count,repeat,drain_ms,pid1_cpu_per_reap_us\n");
	record_options(x->rec, c, &x->opts);
	printf("scale %s:", c->pat->name);
	for (int ci = 0; ci < c->ncounts; ci++)
		printf("%s%ld", ci ? "," : " N = ", c->counts[ci]);
	printf("; %ld run%s per reaper and N, interleaved; no storm process watched\n", c->repeat,
	       c->repeat == 1 ? "" : "s");
	for (int i = 0; i < c->ndropped; i++) {
		char key[32], why[256];

		snprintf(why, sizeof(why), "N=%ld left out: a storm process takes a pid in every "
			 "ancestor PID namespace too, and ours has %ld free (pid_max %ld; raising "
			 "/proc/sys/kernel/pid_max there makes room)", c->dropped[i], c->pid_free,
			 c->pid_max);
		printf("%s\n", why);
		snprintf(key, sizeof(key), "count_%ld", c->dropped[i]);
		rb_record_skip(x->rec, key, why);
	}
	return 0;
}

static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct row *w = row;

	run_once(x->si, x->cfg, &x->opts, w, (int)step, k, x->rec, ((struct cfg *)x->cfg)->csv);
	return w->error[0] ? -1 : 0;
}

static void step_label(const struct rb_suite_ctx *x, long step, char *buf, size_t len)
{
	snprintf(buf, len, "N=%ld", ((const struct cfg *)x->cfg)->counts[step]);
}

/* The harness's peak RSS once every run of a count is in. */
static void round_end(struct rb_suite_ctx *x, long k, long step)
{
	struct cfg *c = x->cfg;
	char key[32];

	if (k != x->repeat - 1)
		return;
	snprintf(key, sizeof(key), "%ld", c->counts[step]);
	json_object_set_new(c->rss, key, json_integer(rb_proc_status_field(0, "\nVmHWM:")));
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct row *rows = (struct row *)x->rows;

	fclose(c->csv);
	c->csv = NULL;
	for (int i = 0; i < x->nrows; i++)
		fit_row(c, &rows[i]);
	if (print_table(c, rows, x->nrows) < 0)
		return rb_sys_error(err, ENOMEM, "scale: the table");
	record_summary(x->rec, c, rows, x->nrows);
	json_object_set_new(json_object_get(x->rec, "harness"), "rss_peak_kib_after_count", c->rss);
	c->rss = NULL;
	printf("\n");
	plot(c, rows, x->nrows, x->rec);
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	printf("record  %s\ncsv     %s/scale.csv\n", x->out->record, x->out->dir);
}

static void release(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	if (c->csv)
		fclose(c->csv);
	json_decref(c->rss);
}

const struct rb_suite rb_suite_scale = {
	.name = "scale",
	.summary = "how each reaper's cost grows with the storm: a curve per reaper, flagged if it grows",
	.cli = &scale_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.output = RB_OUTPUT_DIR,
	.log = "scale",
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.measure = measure,
	.step_label = step_label,
	.round_end = round_end,
	.report = report,
	.footer = footer,
	.release = release,
};
