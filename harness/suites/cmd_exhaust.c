/* reapbench exhaust: what a small pid space leaves a reaper. With a
 * per-namespace pid_max P (Linux 6.14+; elsewhere the cgroup's pids.max = P
 * stands in for it), per reaper:
 *   capacity   a burst of P orphans, all alive at once: how many pids the
 *              sandbox holds before clone() fails with EAGAIN (the cgroup's
 *              pids.peak; P - 1 before the first wrap: pids 1 .. P-1)
 *   stream     3 x P orphans at --rate per second (storm stream, open loop):
 *              how many spawns failed (EAGAIN), whether the reaper kept up
 *              (no failure, every orphan reaped: "survived"), and after a
 *              failure whether a later spawn in the same sandbox succeeded
 *              again ("recovered")
 * With --search, the highest rate (of a few bisection steps) at which the
 * stream survives. All of it --repeat times per reaper: each figure is the
 * median with min-max over the runs (every run's value in the record).
 * Writes exhaust.json. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "observer_bpf.h"
#include "suite.h"
#include "record.h"
#include "runner.h"
#include "stats.h"
#include "spawners.h"
#include "storm.h"
#include "storm_args.h"

#define DEFAULT_PID_MAX 1024
#define DEFAULT_RATE 2000.0
#define SEARCH_STEPS 5
#define DEFAULT_REPEAT 5
#define MAX_REPEAT 20

/* Who observes (--observer): the harness (the payload's counts, the
 * cgroup); with both, the kernel also times every spawn (root). */
enum observer_kind { OBS_HARNESS, OBS_BOTH, OBS_AUTO };
static const char *const observer_names[] = { "harness", "both", "auto", NULL };

/* How full the namespace's pid space was when a spawn returned. */
enum band { BAND_HALF, BAND_90, BAND_99, BAND_FULL, BAND_COUNT_ };
static const char *const band_names[BAND_COUNT_] = { "<50%", "50-90%", "90-99%", ">=99%" };

struct cfg {
	int observer; /* enum observer_kind; auto resolved before the runs */
	char observer_why[256]; /* auto: why not both */
	struct rb_bpf_observer *bpf; /* loaded for --observer both */
	double rate;
	unsigned long spawners;
	long repeat;
	bool all, search;
	struct rb_output out;
	struct rb_selection sel;
};

/* One storm run's outcome. */
struct outcome {
	bool ok;              /* the payload reported a finished storm */
	char why[256];        /* else why not */
	unsigned long spawned, failed, reaped;
	int spawn_errno;
	long pids_peak;       /* -1 unknown */
	bool survived;        /* no failure and every orphan reaped */
	int recovered;        /* -1 no failure to recover from; 1 a spawn succeeded after the first
	                         failure; 0 none did */
	char pid1[64];        /* how PID 1 ended */
	double achieved;      /* spawns (made or failed) per second over the spawning, 0: unknown */
	double t_exhaust;     /* s from the first scheduled spawn to the first EAGAIN's; NAN: none */
};

/* One run of the plan for one reaper. */
struct rep {
	struct outcome cap, st;
	double best_rate;     /* --search: highest surviving rate tried, 0: none, NAN: not searched */
	double worst_rate;    /* lowest failing rate tried, NAN: none failed */
	double gen_limit;     /* > 0: the search stopped where the generator fell behind (its rate) */
	bool done;            /* every phase ran */
};

/* --observer both: spawn latencies (s) by band, every run and phase pooled. */
struct spawn_figs {
	double *lat[BAND_COUNT_];
	size_t n[BAND_COUNT_], cap[BAND_COUNT_];
	unsigned long failed[BAND_COUNT_];
	char skip[160];
};

struct row {
	RB_SUITE_ROW_HEAD;     /* runs: the repeats done */
	struct rep rep[MAX_REPEAT];
	struct spawn_figs sp;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt exhaust_opts[] = {
	{ "rate", 0, RB_OT_RATE, "R", AT(rate), 0, 1e6, .help = "the stream's orphans per second",
	  .record = "rate" },
	{ "search", 0, RB_OT_FLAG, NULL, AT(search),
	  .help = "bisect --rate (" RB_STR(SEARCH_STEPS) " steps) for the highest surviving rate",
	  .record = "search" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, MAX_REPEAT,
	  .help = "runs of it all per reaper: medians with min-max", .record = "repeat" },
	RB_OPT_SPAWNERS(struct cfg, spawners),
	{ "observer", 0, RB_OT_CHOICE, "O", AT(observer), .choices = observer_names,
	  .help = "harness (the payload's counts, the cgroup), both (and the\n"
		  "kernel times every spawn, by how full the pid space was; root)\n"
		  "or auto (both where the BPF observer loads, else harness)",
	  .dflt = "auto" },
	{ 0 },
};

static const struct rb_cli exhaust_cli = {
	.name = "exhaust",
	.about = "With a small pid_max, per reaper: the capacity (pids held before EAGAIN, from a\n"
		 "burst of pid_max orphans), then a stream of 3 x pid_max orphans at --rate:\n"
		 "EAGAINs, survived (none, all reaped), recovered (a spawn succeeded after the\n"
		 "first EAGAIN, in the same sandbox). --pid-max is at most 65536 here.",
	.opts = exhaust_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

/* ---- one storm -------------------------------------------------------------------- */

/* The kernel's spawns of one run into W's bands (P: the configured pid_max,
 * for kernels that do not say their own). */
static void take_spawns(const struct rb_run_result *res, long p, struct spawn_figs *sp)
{
	if (!res->bpf.taken) {
		snprintf(sp->skip, sizeof(sp->skip), "%s", res->bpf.skip);
		return;
	}
	for (size_t i = 0; i < res->bpf.nspawns; i++) {
		const struct rb_bpf_spawn *e = &res->bpf.spawns[i];
		double full = (double)e->allocated / (double)(e->pid_max ? e->pid_max : p);
		enum band b = full < 0.5 ? BAND_HALF : full < 0.9 ? BAND_90 : full < 0.99 ? BAND_99
										    : BAND_FULL;
		double *grown;

		if (e->failed) {
			sp->failed[b]++;
			continue;
		}
		if (sp->n[b] == sp->cap[b]) {
			size_t cap = sp->cap[b] ? 2 * sp->cap[b] : 1024;

			if (!(grown = realloc(sp->lat[b], cap * sizeof(*grown))))
				return;
			sp->lat[b] = grown;
			sp->cap[b] = cap;
		}
		sp->lat[b][sp->n[b]++] = (double)e->ns / 1e9;
	}
}

static void outcome_from(const struct rb_run_result *res, struct outcome *o)
{
	const struct rb_channel *ch = &res->chan;
	char st[64];

	memset(o, 0, sizeof(*o));
	o->pids_peak = res->sb.has_cgroup ? res->sb.pids_peak : -1;
	o->recovered = -1;
	o->t_exhaust = NAN;
	snprintf(o->pid1, sizeof(o->pid1), "%s%s", rb_status_string(res->sb.status, st, sizeof(st)),
		 res->sb.end == RB_END_DEADLINE ? " (deadline)" : "");
	if (!res->chan_valid || ch->storm.phase < 2) {
		snprintf(o->why, sizeof(o->why), "%s", res->chan_valid ? "the storm did not finish "
			 "(see the log)" : "the payload wrote no report");
		return;
	}
	o->ok = true;
	o->spawned = ch->spawned;
	o->failed = ch->spawn_failed;
	o->reaped = ch->reaped;
	o->spawn_errno = ch->spawn_errno;
	o->survived = o->failed == 0 && o->reaped == o->spawned;
	if (ch->storm.t_last_spawn_ns > ch->storm.t_start_ns)
		o->achieved = (double)(o->spawned + o->failed) /
			      ((double)(ch->storm.t_last_spawn_ns - ch->storm.t_start_ns) / 1e9);
	if (o->failed && res->samples && ch->storm.samples_kept) {
		uint32_t i = 0;

		while (i < res->nsamples && res->samples[i].pid > 0)
			i++;
		/* stream: every sample has its scheduled time */
		if (i < res->nsamples && res->samples[i].t_sched_ns && res->samples[0].t_sched_ns)
			o->t_exhaust = (res->samples[i].t_sched_ns - res->samples[0].t_sched_ns) / 1e9;
		o->recovered = rb_share_recovered(res->samples, res->nsamples,
						  ch->storm_spawners ? ch->storm_spawners : 1);
	}
}

/* The pids the namespace held: pids.peak, less the helper that a standalone
 * reaper's workload joins through (in the cgroup, but outside the namespace's
 * pid space: setns(CLONE_NEWPID) moves only its children in). -1: unknown. */
static long capacity_of(const struct rb_reaper *r, const struct outcome *o)
{
	if (!o->ok || o->pids_peak < 0)
		return -1;
	return o->pids_peak - (r->mode == RB_MODE_STANDALONE ? 1 : 0);
}

static void record_outcome(json_t *run, const struct rb_reaper *r, const char *phase,
			   const struct outcome *o)
{
	char name[64];

	json_object_set_new(run, "phase", json_string(phase));
	if (!o->ok) {
		rb_record_skip(run, phase, o->why);
		return;
	}
#define M(key, v, unit) (snprintf(name, sizeof(name), "%s_" key, phase), \
			 rb_record_measure(run, name, (double)(v), unit))
	M("spawned", o->spawned, "processes");
	M("eagain", o->failed, "processes");
	M("reaped", o->reaped, "processes");
	if (o->achieved > 0)
		M("achieved_rate", o->achieved, "processes/s");
	if (o->failed)
		json_object_set_new(run, "spawn_error", json_string(strerror(o->spawn_errno)));
	if (!strcmp(phase, "capacity")) {
		if (o->failed && o->pids_peak >= 0)
			rb_record_measure(run, "capacity", (double)capacity_of(r, o), "pids");
		else
			rb_record_skip(run, "capacity", o->failed ? "pids.peak unknown (no cgroup)"
				       : "the burst did not exhaust the pid space");
	} else {
		if (!isnan(o->t_exhaust))
			M("time_to_eagain", o->t_exhaust, "s");
		json_object_set_new(run, "survived", json_boolean(o->survived));
		if (o->recovered >= 0)
			json_object_set_new(run, "recovered", json_boolean(o->recovered == 1));
		else
			rb_record_skip(run, "recovered", "no EAGAIN to recover from");
	}
	json_object_set_new(run, "pid1_end", json_string(o->pid1));
#undef M
}

/* Run storm WORDS under R; 0, or -1 with R's error in W (1: interrupted). */
static int storm_once(const struct rb_sysinfo *si, const struct cfg *c, struct rb_sandbox_opts *opts,
		      struct row *w, char **words, uint32_t samples, const char *phase, json_t *rec,
		      struct outcome *o, double rate)
{
	struct rb_run_plan plan = { .storm = { .samples = samples, .pops = 256 }, .bpf = c->bpf };
	struct rb_run_result res;
	struct rb_error rerr;
	char **workload = NULL;
	json_t *run;
	int rc = 0;

	if (rb_resolve_workload(si, words, &workload, &rerr) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", rerr.msg);
		return -1;
	}
	if (rb_run_payload(si, w->r, opts, &plan, workload, &res, &rerr) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", rerr.msg);
		rb_record_skip(rb_record_add_run(rec, w->r, NULL), phase, rerr.msg);
		rc = -1;
	} else if (res.sb.end == RB_END_INTERRUPTED) {
		snprintf(w->error, sizeof(w->error), "interrupted");
		rc = 1;
	} else {
		run = rb_record_add_run(rec, w->r, res.argv);
		json_object_set_new(run, "repeat", json_integer(w->runs)); /* the one under way */
		rb_run_record(run, &res);
		if (res.chan_valid)
			rb_spawners_record(run, &res.chan);
		outcome_from(&res, o);
		if (c->bpf)
			take_spawns(&res, opts->pid_max, &w->sp);
		if (rate > 0)
			json_object_set_new(run, "rate", json_real(rate));
		record_outcome(run, w->r, phase, o);
	}
	rb_run_result_free(&res);
	rb_argv_free(workload);
	return rc;
}

static int stream_at(const struct rb_sysinfo *si, const struct cfg *c, struct rb_sandbox_opts *opts,
		     struct row *w, long pid_max, double rate, const char *phase, json_t *rec,
		     struct outcome *o)
{
	int64_t saved = opts->deadline_ns;
	struct storm_opts so;
	struct storm_argv words;
	int rc;

	storm_opts_defaults(&so);
	so.count = (unsigned long)(3 * pid_max);
	so.rate = rate;
	so.wait_ns = 1000 * 1000000LL;
	so.spawners = c->spawners;
	/* the schedule's length, and time to wait out the reaps */
	opts->deadline_ns += (int64_t)(3.0 * (double)pid_max / rate * 1e9);
	rc = storm_once(si, c, opts, w, storm_argv(&words, "stream", &so), (uint32_t)(3 * pid_max),
			phase, rec, o, rate);
	opts->deadline_ns = saved;
	return rc;
}

/* One run of the plan (capacity, stream, --search) under W's reaper, into
 * W->rep[W->runs]. */
static int run_once(const struct rb_sysinfo *si, const struct cfg *c, struct rb_sandbox_opts *opts,
		    long pid_max, struct row *w, json_t *rec)
{
	struct rep *p = &w->rep[w->runs];
	struct storm_opts so;
	struct storm_argv burst;
	struct outcome o;
	double lo, hi, mid;
	int rc;

	storm_opts_defaults(&so);
	so.count = (unsigned long)pid_max;
	so.wait_ns = 500 * 1000000LL;
	so.spawners = c->spawners;
	p->best_rate = p->worst_rate = NAN;
	rc = storm_once(si, c, opts, w, storm_argv(&burst, "burst", &so), (uint32_t)pid_max,
			"capacity", rec, &p->cap, 0);
	if (rc)
		return rc;
	rc = stream_at(si, c, opts, w, pid_max, c->rate, "stream", rec, &p->st);
	if (rc)
		return rc;
	p->done = true;
	if (!c->search)
		return 0;
	/* bisect on a log scale between a rate that survives and one that does not */
	lo = 0;
	hi = NAN;
	if (p->st.ok && p->st.survived)
		lo = c->rate;
	else
		hi = c->rate;
	for (int k = 0; k < SEARCH_STEPS; k++) {
		if (isnan(hi))
			mid = lo * 4;
		else if (lo == 0)
			mid = hi / 4;
		else
			mid = sqrt(lo * hi);
		if (mid < (double)pid_max) /* slower streams take over 3 s each: give up there */
			break;
		rc = stream_at(si, c, opts, w, pid_max, mid, "search", rec, &o);
		if (rc)
			return rc;
		if (o.ok && o.survived && o.achieved > 0 && o.achieved < 0.8 * mid) {
			/* the generator, not the reaper, set the pace: no higher rate to find */
			p->gen_limit = o.achieved;
			break;
		}
		if (o.ok && o.survived)
			lo = mid;
		else
			hi = mid;
	}
	p->best_rate = lo;
	p->worst_rate = hi;
	return 0;
}

/* ---- figures over the runs -------------------------------------------------------- */

enum fig_id { F_CAP, F_SPAWNED, F_EAGAIN, F_REAPED, F_T_EAGAIN, F_MAX_RATE, F_COUNT_ };

static const struct {
	const char *name, *unit;
} figs[F_COUNT_] = {
	[F_CAP] = { "capacity", "pids" },
	[F_SPAWNED] = { "stream_spawned", "processes" },
	[F_EAGAIN] = { "stream_eagain", "processes" },
	[F_REAPED] = { "stream_reaped", "processes" },
	[F_T_EAGAIN] = { "stream_time_to_eagain", "s" },
	[F_MAX_RATE] = { "max_surviving_rate", "orphans/s" },
};

/* Figure F of run P; false if that run did not measure it. */
static bool fig_of(const struct row *w, const struct rep *p, enum fig_id f, double *v)
{
	const struct outcome *st = &p->st;

	switch (f) {
	case F_CAP:
		*v = (double)capacity_of(w->r, &p->cap);
		return p->cap.failed && *v >= 0;
	case F_SPAWNED:
		*v = (double)st->spawned;
		return st->ok;
	case F_EAGAIN:
		*v = (double)st->failed;
		return st->ok;
	case F_REAPED:
		*v = (double)st->reaped;
		return st->ok;
	case F_T_EAGAIN:
		*v = st->t_exhaust;
		return st->ok && !isnan(st->t_exhaust);
	case F_MAX_RATE:
		*v = p->gen_limit > 0 ? p->gen_limit : p->best_rate;
		return !isnan(p->best_rate) && *v > 0;
	default:
		return false;
	}
}

/* The values of F over W's runs (in order) and their summary. */
static size_t fig_values(const struct row *w, enum fig_id f, double *v, struct rb_summary *sum)
{
	size_t n = 0;

	for (int k = 0; k < w->runs; k++)
		if (fig_of(w, &w->rep[k], f, &v[n]))
			n++;
	if (rb_summarize(v, n, sum) < 0)
		return 0;
	return n;
}

/* "median" or "median (min-max)" */
static void fmt_fig(char *buf, size_t len, const struct row *w, enum fig_id f, const char *fmt_one)
{
	double v[MAX_REPEAT];
	struct rb_summary sum;
	char a[32], b[32], m[32];

	if (fig_values(w, f, v, &sum) == 0) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(m, sizeof(m), fmt_one, sum.median);
	if (sum.min == sum.max) {
		snprintf(buf, len, "%s", m);
		return;
	}
	snprintf(a, sizeof(a), fmt_one, sum.min);
	snprintf(b, sizeof(b), fmt_one, sum.max);
	snprintf(buf, len, "%s (%s-%s)", m, a, b);
}

/* yes / no / k/n over the runs where it applies (-: none) */
static void fmt_count(char *buf, size_t len, int yes, int of)
{
	if (of == 0)
		snprintf(buf, len, "-");
	else if (yes == of)
		snprintf(buf, len, "yes");
	else if (yes == 0)
		snprintf(buf, len, "no");
	else
		snprintf(buf, len, "%d/%d", yes, of);
}

static void count_flags(const struct row *w, int *survived, int *streamed, int *recovered,
			int *exhausted)
{
	*survived = *streamed = *recovered = *exhausted = 0;
	for (int k = 0; k < w->runs; k++) {
		const struct outcome *st = &w->rep[k].st;

		if (!st->ok)
			continue;
		(*streamed)++;
		*survived += st->survived;
		if (st->recovered >= 0) {
			(*exhausted)++;
			*recovered += st->recovered;
		}
	}
}

/* ---- output ----------------------------------------------------------------------- */

/* PID 1's end as every run saw it, or the last one's with how many agree. */
static void pid1_column(const struct row *w, char *buf, size_t len)
{
	const char *last = w->rep[w->runs - 1].st.pid1;
	int same = 0;

	for (int k = 0; k < w->runs; k++)
		same += strcmp(w->rep[k].st.pid1, last) == 0;
	if (same == w->runs)
		snprintf(buf, len, "%s", last);
	else
		snprintf(buf, len, "%s (%d of %ld runs)", last, same, w->runs);
}

/* The search's rate: "(generator-limited)" when every run stopped at the
 * generator's own pace (the median is then a lower bound), k of n if some. */
static const char *gen_limited(const struct row *w, char *buf, size_t len)
{
	int k = 0;

	for (int i = 0; i < w->runs; i++)
		k += w->rep[i].gen_limit > 0;
	if (k == 0)
		return "";
	if (k == w->runs)
		return " (generator-limited: a lower bound)";
	snprintf(buf, len, " (generator-limited in %d of %ld runs)", k, w->runs);
	return buf;
}

static int table_columns(struct rb_table *t, const struct cfg *c)
{
	static const char *const right[] = { "CAPACITY", "STREAMED", "EAGAIN", "REAPED",
					     "TO EAGAIN s", "SURVIVED", "RECOVERED" };
	int rc = rb_table_column(t, "REAPER", RB_COL_LEFT);

	for (size_t k = 0; k < sizeof(right) / sizeof(right[0]) && rc == 0; k++)
		rc = rb_table_column(t, right[k], RB_COL_RIGHT);
	rc = rc ?: rb_table_column(t, "PID 1", RB_COL_LEFT);
	if (c->search)
		rc = rc ?: rb_table_column(t, "MAX RATE", RB_COL_LEFT);
	return rc;
}

/* One reaper's row from column 1 on. */
static int table_row(struct rb_table *t, const struct row *w, const struct cfg *c)
{
	const struct rep *last = w->runs ? &w->rep[w->runs - 1] : &w->rep[0];
	char cap[48], made[48], eag[48], reaped[48], tex[48], surv[32], rec[32], rate[48];
	char pid1[160], lim[64];
	int survived, streamed, recovered, exhausted, rc;

	if (w->runs == 0)
		return rb_table_cell(t, 1, "error: %s", w->error[0] ? w->error : last->st.why);
	count_flags(w, &survived, &streamed, &recovered, &exhausted);
	fmt_fig(cap, sizeof(cap), w, F_CAP, "%.0f");
	if (!strcmp(cap, "-") && last->cap.ok && !last->cap.failed && capacity_of(w->r, &last->cap) >= 0)
		snprintf(cap, sizeof(cap), ">=%ld", capacity_of(w->r, &last->cap));
	if (streamed == 0)
		return rb_table_cell(t, 1, "%s", cap) ?:
		       rb_table_cell(t, 2, "stream: %s; PID 1 %s", last->st.why, last->st.pid1);
	fmt_fig(made, sizeof(made), w, F_SPAWNED, "%.0f");
	fmt_fig(eag, sizeof(eag), w, F_EAGAIN, "%.0f");
	fmt_fig(reaped, sizeof(reaped), w, F_REAPED, "%.0f");
	fmt_fig(tex, sizeof(tex), w, F_T_EAGAIN, "%.3f");
	fmt_count(surv, sizeof(surv), survived, streamed);
	fmt_count(rec, sizeof(rec), recovered, exhausted);
	pid1_column(w, pid1, sizeof(pid1));
	rc = rb_table_cell(t, 1, "%s", cap) ?: rb_table_cell(t, 2, "%s", made) ?:
	     rb_table_cell(t, 3, "%s", eag) ?: rb_table_cell(t, 4, "%s", reaped) ?:
	     rb_table_cell(t, 5, "%s", tex) ?: rb_table_cell(t, 6, "%s", surv) ?:
	     rb_table_cell(t, 7, "%s", rec) ?:
	     rb_table_cell(t, 8, "%s%s", pid1, w->error[0] ? " (stopped: see the record)" : "");
	if (rc == 0 && c->search) {
		fmt_fig(rate, sizeof(rate), w, F_MAX_RATE, "%.0f");
		rc = rb_table_cell(t, 9, "%s/s%s", rate, gen_limited(w, lim, sizeof(lim)));
	}
	return rc;
}

static int print_table(const struct row *rows, int n, const struct cfg *c)
{
	struct rb_table *t cleanup_table = rb_table_new();
	enum rb_format format = (enum rb_format)c->out.format;
	int rc = t ? table_columns(t, c) : -ENOMEM;

	for (int i = 0; i < n && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: table_row(t, &rows[i], c);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "%s over %ld run%s per reaper (min-max where the runs differ)",
			      c->repeat > 1 ? "medians" : "one run", c->repeat, c->repeat == 1 ? "" : "s");
	return rc ?: rb_table_print(t, format, stdout);
}

/* --observer both: one reaper's spawn latency by band, from column 1 on. */
static int spawns_row(struct rb_table *t, struct spawn_figs *sp)
{
	unsigned long failed = 0;
	int rc = 0;

	if (sp->skip[0] && !sp->n[0] && !sp->n[1] && !sp->n[2] && !sp->n[3])
		return rb_table_cell(t, 1, "skipped: %s", sp->skip);
	for (int b = 0; b < BAND_COUNT_ && rc == 0; b++) {
		failed += sp->failed[b];
		if (!sp->n[b]) {
			rc = rb_table_cell(t, 1 + b, "-");
			continue;
		}
		rb_sort_doubles(sp->lat[b], sp->n[b]);
		rc = rb_table_cell(t, 1 + b, "%.1f/%.1f (%zu)",
				   rb_percentile_sorted(sp->lat[b], sp->n[b], 50) * 1e6,
				   rb_percentile_sorted(sp->lat[b], sp->n[b], 99) * 1e6, sp->n[b]);
	}
	return rc ?: rb_table_cell(t, 1 + BAND_COUNT_, "%lu", failed);
}

/* --observer both: each reaper's spawn latency by how full the pid space was. */
static int print_spawns(struct row *rows, int n, enum rb_format format)
{
	struct rb_table *t cleanup_table = rb_table_new();
	int rc = t ? rb_table_column(t, "REAPER", RB_COL_LEFT) : -ENOMEM;

	for (int b = 0; b < BAND_COUNT_ && rc == 0; b++)
		rc = rb_table_column(t, band_names[b], RB_COL_RIGHT);
	rc = rc ?: rb_table_column(t, "EAGAIN", RB_COL_RIGHT);
	for (int i = 0; i < n && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: spawns_row(t, &rows[i].sp);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "spawn latency (fork/clone entry -> return in the parent, the kernel's clock) by how\n"
			      "full the pid space was at the return: p50/p99 us (spawns), every run and phase pooled;\n"
			      "EAGAIN: refused spawns in that band");
	return rc ?: rb_table_print(t, format, stdout);
}

static json_t *spawns_json(const struct spawn_figs *sp)
{
	json_t *o = json_object();

	if (sp->skip[0])
		json_object_set_new(o, "skip", json_string(sp->skip));
	for (int b = 0; b < BAND_COUNT_; b++) {
		json_t *x = json_pack("{s:i, s:i}", "spawns", (json_int_t)sp->n[b], "eagain",
				      (json_int_t)sp->failed[b]);

		if (sp->n[b]) { /* sorted by print_spawns */
			json_object_set_new(x, "p50_s", json_real(rb_percentile_sorted(sp->lat[b], sp->n[b], 50)));
			json_object_set_new(x, "p99_s", json_real(rb_percentile_sorted(sp->lat[b], sp->n[b], 99)));
		}
		json_object_set_new(o, band_names[b], x);
	}
	return o;
}

static void record_summary(json_t *rec, const struct row *rows, int n, const struct cfg *c)
{
	json_t *all = json_array();

	for (int i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		json_t *o = json_object(), *ms = json_object();
		int survived, streamed, recovered, exhausted;

		count_flags(w, &survived, &streamed, &recovered, &exhausted);
		json_object_set_new(o, "reaper", json_string(w->r->name));
		json_object_set_new(o, "runs", json_integer(w->runs));
		json_object_set_new(o, "streams_survived", json_integer(survived));
		json_object_set_new(o, "streams", json_integer(streamed));
		json_object_set_new(o, "recovered", json_integer(recovered));
		json_object_set_new(o, "exhausted", json_integer(exhausted));
		if (w->error[0])
			json_object_set_new(o, "error", json_string(w->error));
		for (int f = 0; f < F_COUNT_; f++) {
			double v[MAX_REPEAT];
			struct rb_summary sum;
			size_t k = fig_values(w, (enum fig_id)f, v, &sum);
			json_t *x, *vals = json_array();

			if (k == 0) {
				json_decref(vals);
				continue;
			}
			for (size_t j = 0; j < k; j++)
				json_array_append_new(vals, json_real(v[j]));
			x = json_pack("{s:s, s:i, s:f, s:f, s:f}", "unit", figs[f].unit, "n", (json_int_t)k,
				      "median", sum.median, "min", sum.min, "max", sum.max);
			json_object_set_new(x, "values", vals);
			json_object_set_new(ms, figs[f].name, x);
		}
		json_object_set_new(o, "metrics", ms);
		if (c->bpf)
			json_object_set_new(o, "spawn_latency_by_fullness", spawns_json(&w->sp));
		json_array_append_new(all, o);
	}
	json_object_set_new(rec, "summary", all);
}


static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->observer = OBS_AUTO;
	c->rate = DEFAULT_RATE;
	c->repeat = DEFAULT_REPEAT;
	c->spawners = rb_spawners_default();
	x->opts.pid_max = DEFAULT_PID_MAX;
	x->opts.deadline_ns = 15LL * 1000000000;
}

/* The bounds, and the BPF observer where it loads (auto) or is asked for. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	long pid_max = x->opts.pid_max;
	uint32_t records = (uint32_t)(8 * pid_max) + 4096;

	if (rb_spawners_check("exhaust", c->spawners, err) < 0)
		return -1;
	if (pid_max > 65536)
		return rb_input_error(err, "exhaust: --pid-max %ld is not small (at most 65536: the "
				      "stream makes 3 x pid_max orphans)", pid_max);
	/* the bound is pid_max; the cgroup stays out of its way. Without a
	 * per-namespace pid_max, pids.max = P plays its part. */
	if (!x->si->per_ns_pid_max)
		x->opts.pids_max = pid_max;
	else if (!x->opts.pids_max)
		x->opts.pids_max = 4 * pid_max;
	if (c->observer == OBS_AUTO)
		c->observer = rb_observer_try(&c->bpf, (uint32_t)pid_max + 1, records, c->observer_why,
					      sizeof(c->observer_why)) ? OBS_BOTH : OBS_HARNESS;
	if (c->observer == OBS_BOTH && !c->bpf &&
	    rb_bpf_observer_open(&c->bpf, (uint32_t)pid_max + 1, records, err) < 0)
		return -1;
	if (c->bpf)
		rb_bpf_observer_spawns(c->bpf);
	x->repeat = c->repeat;
	return 0;
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	const struct cfg *c = x->cfg;
	long pid_max = x->opts.pid_max;
	json_t *o = json_object_get(x->rec, "options");
	bool per_ns = x->si->per_ns_pid_max;

	(void)err;
	json_object_set_new(o, "pid_max", json_integer(pid_max));
	json_object_set_new(o, "bound", json_string(per_ns ? "per-namespace pid_max"
						     : "cgroup pids.max (no per-namespace pid_max before Linux 6.14)"));
	json_object_set_new(o, "pids_max", json_integer(x->opts.pids_max));
	rb_record_runtime(o, &x->opts);
	json_object_set_new(o, "stream_count", json_integer(3 * pid_max));
	json_object_set_new(o, "observer", json_string(observer_names[c->observer]));
	if (c->observer_why[0])
		json_object_set_new(o, "observer_why", json_string(c->observer_why));
	printf("exhaust: pid_max %ld (%s); capacity: a burst of %ld; stream: %ld orphans at %g/s; "
	       "%lu spawner%s; %ld run%s per reaper (interleaved)\n", pid_max,
	       per_ns ? "per namespace" : "as pids.max: no per-namespace pid_max", pid_max,
	       3 * pid_max, c->rate, c->spawners, c->spawners == 1 ? "" : "s", c->repeat,
	       c->repeat == 1 ? "" : "s");
	return 0;
}

static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	(void)k;
	(void)step;
	return run_once(x->si, x->cfg, &x->opts, x->opts.pid_max, row, x->rec);
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	const struct cfg *c = x->cfg;
	const struct row *rows = (const struct row *)x->rows;

	if (print_table(rows, x->nrows, c) < 0 ||
	    (c->bpf && print_spawns((struct row *)x->rows, x->nrows, (enum rb_format)c->out.format) < 0))
		return rb_sys_error(err, ENOMEM, "exhaust: the table");
	record_summary(x->rec, rows, x->nrows, c);
	printf("\ncapacity: pids the namespace held when a burst hit EAGAIN (cgroup pids.peak; a\n"
	       "standalone reaper's join helper, outside the namespace, not counted): pid_max - 1\n"
	       "before the first wrap;\n"
	       "to EAGAIN: from the stream's first scheduled orphan to the first one refused;\n"
	       "survived: no EAGAIN and every orphan reaped; recovered: a spawn succeeded after the\n"
	       "first EAGAIN, in the same sandbox (- : no EAGAIN; from N spawners, more than N - 1\n"
	       "after a spawner's first EAGAIN: their intermediates' pids come back without PID 1);\n"
	       "k/n: in k of the n runs\n");
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	printf("\nrecord  %s\nlogs    %s/logs/exhaust-*.log\n", x->out->record, x->out->dir);
}

static void row_free(void *row)
{
	struct row *w = row;

	for (int b = 0; b < BAND_COUNT_; b++)
		free(w->sp.lat[b]);
}

static void release(struct rb_suite_ctx *x)
{
	rb_bpf_observer_close(((struct cfg *)x->cfg)->bpf);
}

const struct rb_suite rb_suite_exhaust = {
	.name = "exhaust",
	.summary = "a small pid_max: capacity, EAGAINs under an orphan stream, recovery",
	.cli = &exhaust_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.output = RB_OUTPUT_DIR,
	.log = "exhaust-%s",
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.measure = measure,
	.report = report,
	.footer = footer,
	.row_free = row_free,
	.release = release,
};
