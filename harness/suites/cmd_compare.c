/* reapbench compare BASE.json NEW.json: a regression gate between two records
 * of the same command on the same machine. storm: per (reaper, metric), the
 * ratio of the medians over the runs NEW / BASE with a seeded bootstrap 95%
 * interval and a Mann-Whitney U test; a metric regresses only when the whole
 * interval lies beyond the threshold in the bad direction and p < 0.05.
 * conform: a cell ok in BASE and DEVIATES in NEW fails the gate.
 * Exit 0: no regression, 1: a regression, 2: bad input. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "export.h"
#include "comparable.h"
#include "compare.h"
#include "metrics.h"
#include "table.h"
#include "options.h"
#include "record.h"
#include "units.h"

#define RESAMPLES 2000
#define MAX_METRIC_THRESHOLDS 64
#define DEFAULT_THRESHOLD 10.0

struct cfg {
	const char *base_path, *new_path;
	double threshold, trim;
	const char *relative_to; /* a yardstick reaper: timed metrics as ratios to it */
	struct {
		const char *name;
		double pct;
	} mt[MAX_METRIC_THRESHOLDS];
	int nmt;
	uint64_t seed;
	int format; /* 0 text, 1 json */
	bool json, other_machine;
	const char *gab, *bmf;
};

/* NAME (LEN bytes) if it is one compare judges (the registry's compared
 * figures; the others describe the storm rather than the reaper). */
static const struct rb_metric *metric_find(const char *name, size_t len)
{
	const struct rb_metric *m = rb_metric_find(name, len);

	return m && m->compared ? m : NULL;
}


static int parse_metric_threshold(const char *opt, const char *arg, void *field,
				  struct rb_error *err)
{
	struct cfg *c = field;
	const struct rb_metric *m;
	const char *eq = strchr(arg, '=');

	if (!eq || !(m = metric_find(arg, (size_t)(eq - arg))))
		return rb_input_error(err, "%s: '%s' is not METRIC=PCT with a compared metric", opt, arg);
	if (c->nmt == MAX_METRIC_THRESHOLDS)
		return rb_input_error(err, "%s: at most %d", opt, MAX_METRIC_THRESHOLDS);
	c->mt[c->nmt].name = m->name;
	if (rb_cli_store_pct(opt, eq + 1, &c->mt[c->nmt].pct, err) < 0)
		return -1;
	c->nmt++;
	return 0;
}

static int parse_trim(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	if (rb_cli_store_pct(opt, arg, field, err) < 0)
		return -1;
	if (*(double *)field >= 100)
		return rb_input_error(err, "%s: '%s' leaves no run (below 100)", opt, arg);
	return 0;
}

static int parse_seed(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	long v;

	if (rb_parse_long(opt, arg, 0, __LONG_MAX__, &v, err) < 0)
		return -1;
	*(uint64_t *)field = (uint64_t)v;
	return 0;
}

static const char *const formats[] = { "text", "json", "md", NULL };

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt compare_opts[] = {
	{ "threshold", 0, RB_OT_FN, "PCT", AT(threshold), .parse = rb_cli_store_pct,
	  .help = "the change that matters", .dflt = RB_STR(DEFAULT_THRESHOLD) },
	{ "metric-threshold", 0, RB_OT_FN, "M=PCT", RB_IN_CFG, 0, .parse = parse_metric_threshold,
	  .help = "another threshold for metric M (repeatable)" },
	{ "seed", 0, RB_OT_FN, "N", AT(seed), .parse = parse_seed, .help = "the bootstrap's seed",
	  .dflt = "1" },
	{ "format", 0, RB_OT_CHOICE, "F", AT(format), .choices = formats,
	  .help = "the report on stdout: text, json or md (the table in\n"
		  "Markdown, for a pull request's comment)" },
	{ "export-gab", 0, RB_OT_STR, "PATH", AT(gab),
	  .help = "NEW's medians for github-action-benchmark: PATH holds the\n"
		  "lower-is-better metrics (customSmallerIsBetter); PATH with\n"
		  "\".json\" replaced by \"-bigger.json\" the higher-is-better\n"
		  "ones (customBiggerIsBetter). range: half the 95% interval" },
	{ "export-bmf", 0, RB_OT_STR, "PATH", AT(bmf),
	  .help = "NEW's medians as Bencher Metric Format, with the interval" },
	{ "allow-other-machine", 0, RB_OT_FLAG, NULL, AT(other_machine),
	  .help = "compare records of a different hostname, kernel or cpus" },
	{ "trim", 0, RB_OT_FN, "PCT", AT(trim), .parse = parse_trim,
	  .help = "timed metrics (latency, drain, PID 1's CPU): drop the worst\n"
		  "PCT % of each record's runs first: on a shared machine other\n"
		  "load only makes runs worse", .dflt = "0" },
	{ "relative-to", 0, RB_OT_STR, "REAPER", AT(relative_to),
	  .help = "timed metrics of the others as ratios to REAPER's median\n"
		  "in the same record and condition (a yardstick run side by\n"
		  "side: what slows the machine slows both); REAPER itself not\n"
		  "judged; both records must have run it" },
	{ 0 },
};

static const struct rb_cli compare_cli = {
	.name = "compare",
	.synopsis = "[OPTIONS] BASE.json NEW.json",
	.about = "Compares two records of the same command (storm, signals or conform) from the same\n"
		 "machine, made with the same options (all that shape a measurement: any but repeat and\n"
		 "deadline) and observed alike; any other pair is bad input (exit 2, naming what differs).\n"
		 "storm, signals: per reaper (and condition) and metric, the ratio of the\n"
		 "medians over the runs NEW/BASE, its bootstrap 95% interval (" RB_STR(RESAMPLES)
		 " resamples, seeded)\n"
		 "and a two-sided Mann-Whitney U test. A metric REGRESSES when the whole interval lies\n"
		 "beyond the threshold in the bad direction and p < " RB_STR(RB_CMP_ALPHA)
		 "; it improves likewise in the\n"
		 "good one; else it is the same. Signals lost or duplicated (should be zero) regress\n"
		 "when NEW's median exceeds the most BASE saw in a run by more than " RB_STR(RB_COUNT_SLACK)
		 ".\n"
		 "conform: a cell ok in BASE and DEVIATES in NEW is a regression; for a racy check,\n"
		 "only when its claim held significantly less often (one-sided Fisher exact test over\n"
		 "the runs, p < 0.05; one run each never is).\n\n"
		 "Figures below the storm observer's resolution count as the resolution and show as\n"
		 "\"<100 us\"; a BASE median of 0 has no ratio (\"from 0\").\n"
		 "Exit 0: no regression, 1: a regression, 2: bad input.",
	.opts = compare_opts,
	.max_args = 2,
};

static int parse_args(int argc, char **argv, struct cfg *c, struct rb_error *err)
{
	int rc, first;

	rc = rb_cli_parse(&compare_cli, argc, argv, &(struct rb_cli_targets){ .cfg = c }, &first,
			  err);
	if (rc != 0)
		return rc;
	if (argc - first != 2)
		return rb_input_error(err, "compare: needs BASE.json and NEW.json (try reapbench compare --help)");
	c->json = c->format == 1;
	c->base_path = argv[first];
	c->new_path = argv[first + 1];
	return 0;
}

static double threshold_of(const struct cfg *c, const char *metric)
{
	double t = c->threshold;

	for (int i = 0; i < c->nmt; i++)
		if (strcmp(c->mt[i].name, metric) == 0)
			t = c->mt[i].pct; /* the last one wins */
	return t;
}

/* The reaper of a run key ("tini/storm" -> "tini"). */
static const char *run_reaper_of_key(const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(key, "/"), key);
	return buf;
}

/* --relative-to names a reaper both records ran: a yardstick missing from
 * one (a typo, or a record made without it) cannot be divided by. */
static int yardstick_present(json_t *b, json_t *n, const struct cfg *c, struct rb_error *err)
{
	bool hb, hn;

	if (!c->relative_to)
		return 0;
	hb = rb_record_first_run(b, c->relative_to) != NULL;
	hn = rb_record_first_run(n, c->relative_to) != NULL;
	if (hb && hn)
		return 0;
	return rb_input_error(err, "--relative-to %s: no reaper '%s' in %s%s%s", c->relative_to,
			      c->relative_to, !hb ? c->base_path : c->new_path,
			      !hb && !hn ? " nor in " : "", !hb && !hn ? c->new_path : "");
}

/* What runs are grouped by: the reaper, and its condition where the command
 * has several (signals: "tini/storm"). */
static const char *run_key(json_t *run, char *buf, size_t len)
{
	const char *r = rb_run_reaper(run), *cond = json_string_value(json_object_get(run, "condition"));

	if (!r || !cond)
		return r;
	snprintf(buf, len, "%s/%s", r, cond);
	return buf;
}

/* The values of METRIC over REC's runs of REAPER: malloc'd, count in *N. */
static double *values_of(json_t *rec, const char *reaper, const char *metric, size_t *n,
			 const char **unit)
{
	json_t *runs = json_object_get(rec, "runs"), *run, *m;
	size_t i, j;
	double *v = malloc((json_array_size(runs) + 1) * sizeof(double));

	if (!v)
		abort();
	*n = 0;
	json_array_foreach(runs, i, run) {
		char key[256];
		const char *r = run_key(run, key, sizeof(key));

		if (!r || strcmp(r, reaper) != 0)
			continue;
		json_array_foreach(json_object_get(run, "measurements"), j, m) {
			const char *name = json_string_value(json_object_get(m, "name"));
			json_t *val = json_object_get(m, "value");

			if (name && strcmp(name, metric) == 0 && json_is_number(val) &&
			    isfinite(json_number_value(val))) {
				v[(*n)++] = json_number_value(val);
				if (unit && json_string_value(json_object_get(m, "unit")))
					*unit = json_string_value(json_object_get(m, "unit"));
				break;
			}
		}
	}
	return v;
}

/* The reapers of REC, in order, once each (a JSON array of strings). */
static json_t *reapers_of(json_t *rec)
{
	json_t *names = json_array(), *run, *x;
	size_t i, j;

	json_array_foreach(json_object_get(rec, "runs"), i, run) {
		char key[256];
		const char *r = run_key(run, key, sizeof(key));
		bool seen = false;

		if (!r)
			continue;
		json_array_foreach(names, j, x)
			seen |= strcmp(json_string_value(x), r) == 0;
		if (!seen)
			json_array_append_new(names, json_string(r));
	}
	return names;
}

static uint64_t seed_for(uint64_t seed, const char *reaper, const char *metric)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of "reaper/metric" */

	for (const char *p = reaper; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ '/') * 0x100000001b3ULL;
	for (const char *p = metric; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	return seed ^ h;
}

static json_t *finite_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void fmt_pct(char *buf, size_t len, double ratio)
{
	if (!isfinite(ratio))
		snprintf(buf, len, "%s", ratio > 0 ? "+inf%" : "-inf%");
	else
		snprintf(buf, len, "%+.1f%%", (ratio - 1) * 100);
}

static int export_new(json_t *rec, json_t *reapers, const struct cfg *c, struct rb_error *err)
{
	json_t *smaller = json_array(), *bigger = json_array(), *bmf = json_object(), *x;
	const char *pattern = json_string_value(json_object_get(json_object_get(rec, "options"), "pattern"));
	char bench[256], name[512], range[64];
	size_t i;
	int rc = 0;

	snprintf(bench, sizeof(bench), "%s-%s", json_string_value(json_object_get(rec, "command")),
		 pattern ? pattern : "default");
	const struct rb_metric *m;

	json_array_foreach(reapers, i, x) {
		const char *r = json_string_value(x);
		json_t *measures = json_object();

		for (size_t k = 0; (m = rb_metric_at(k)); k++) {
			const char *unit = "", *mname = m->name;
			size_t n = 0;
			double *v = m->compared ? values_of(rec, r, mname, &n, &unit) : NULL, med, lo, hi;

			if (n == 0) {
				free(v);
				continue;
			}
			med = rb_median(v, n);
			rb_bootstrap_median(v, n, RESAMPLES, seed_for(c->seed, r, mname), &lo, &hi);
			free(v);
			snprintf(name, sizeof(name), "%s/%s", r, mname);
			snprintf(range, sizeof(range), "± %.4g", (hi - lo) / 2);
			json_array_append_new(m->better < 0 ? smaller : bigger,
					      json_pack("{s:s, s:s, s:f, s:s}", "name", name, "unit", unit,
							"value", med, "range", range));
			json_object_set_new(measures, mname,
					    json_pack("{s:f, s:f, s:f}", "value", med, "lower_value", lo,
						      "upper_value", hi));
		}
		snprintf(name, sizeof(name), "%s/%s", r, bench);
		json_object_set_new(bmf, name, measures);
	}
	if (c->gab)
		rc = rb_export_gab(c->gab, smaller, bigger, err);
	if (rc == 0 && c->bmf)
		rc = rb_write_json(bmf, c->bmf, err);
	json_decref(smaller);
	json_decref(bigger);
	json_decref(bmf);
	return rc;
}

/* The storm observer's resolution (options.resolution_s) for a reap
 * latency M; 0 for anything else. */
static double resolution_of(json_t *rec, const struct rb_metric *m)
{
	if (strncmp(m->name, "reap_latency_", 13) != 0)
		return 0;
	return json_number_value(json_object_get(json_object_get(rec, "options"), "resolution_s"));
}

/* REC's values of metric M for KEY (malloc'd, *N of them): a reap latency
 * below the observer's resolution counts as the resolution (all such values
 * are alike to it); the worst --trim % of the runs dropped when M is timed. */
static double *values_trimmed(json_t *rec, const char *key, const struct rb_metric *m,
			      const struct cfg *c, size_t *n, const char **unit)
{
	double *v = values_of(rec, key, m->name, n, unit), res = resolution_of(rec, m);

	for (size_t i = 0; i < *n; i++)
		v[i] = fmax(v[i], res); /* the observer cannot tell smaller ones apart */
	if (m->timed && c->trim > 0 && *n > 0)
		*n = rb_trim_worst(v, *n, m->better, c->trim);
	return v;
}

/* The yardstick's runs that go with KEY: the same condition ("tini/idle"
 * for "reference/idle"), else the yardstick itself. */
static const char *yard_key(const char *key, const char *yard, char *buf, size_t len)
{
	const char *slash = strchr(key, '/');

	if (!slash)
		return yard;
	snprintf(buf, len, "%s%s", yard, slash);
	return buf;
}

/* --relative-to: the yardstick's median of timed metric M in REC for KEY,
 * into *MED. false: the yardstick has no such value there (or only 0). */
static bool yardstick(json_t *rec, const char *key, const struct rb_metric *m,
		      const struct cfg *c, double *med)
{
	char buf[256];
	size_t ny;
	double *y = values_trimmed(rec, yard_key(key, c->relative_to, buf, sizeof(buf)), m, c, &ny,
				   NULL);

	*med = ny ? rb_median(y, ny) : 0;
	free(y);
	return *med > 0;
}

static void divide(double *v, size_t n, double by)
{
	for (size_t i = 0; i < n; i++)
		v[i] /= by;
}

/* One compared figure: one reaper (and condition), one metric. */
struct row {
	const char *key;
	const struct rb_metric *m;
	const char *unit;
	double *vb, *vn;
	size_t nb, nn;
	double mb, mn, p, pct, resolution;
	struct rb_ratio_ci ci;
	enum rb_cmp_verdict v;
	bool rel;
	char raw_why[192]; /* --relative-to was asked and this row is raw: why */
};

/* --relative-to: both sides as ratios to the yardstick's median in their own
 * record; where the yardstick lacks the figure the row stays raw and says so. */
static void relate(json_t *b, json_t *n, struct row *r, const struct cfg *c)
{
	double yb, yn;
	bool hb, hn;

	if (!c->relative_to || !r->m->timed)
		return;
	hb = yardstick(b, r->key, r->m, c, &yb);
	hn = yardstick(n, r->key, r->m, c, &yn);
	if (hb && hn) {
		divide(r->vb, r->nb, yb);
		divide(r->vn, r->nn, yn);
		r->rel = true;
		r->unit = "ratio";
		return;
	}
	snprintf(r->raw_why, sizeof(r->raw_why), "%s/%s raw: %s has no %s above 0 in %s",
		 r->key, r->m->name, c->relative_to, r->m->name, !hb ? c->base_path : c->new_path);
}

static void judge(struct row *r, const struct cfg *c)
{
	r->mb = rb_median(r->vb, r->nb);
	r->mn = rb_median(r->vn, r->nn);
	rb_bootstrap_ratio(r->vb, r->nb, r->vn, r->nn, RESAMPLES, seed_for(c->seed, r->key, r->m->name),
			   &r->ci);
	r->p = rb_mann_whitney_p(r->vb, r->nb, r->vn, r->nn);
	if (r->m->slack > 0)
		r->v = rb_cmp_decide_count(r->vb, r->nb, r->vn, r->nn, r->m->slack);
	else
		r->v = rb_cmp_decide(r->ci.lo, r->ci.hi, r->p, r->m->better, r->pct);
}

/* A change as a reader says it: "+12.3%", or "from 0" where BASE's median
 * is 0 and no ratio exists. */
static void fmt_change(char *buf, size_t len, const struct row *r)
{
	if (r->mb == 0 && r->mn != 0)
		snprintf(buf, len, "from 0");
	else
		fmt_pct(buf, len, r->ci.ratio);
}

/* The interval; a bound with no ratio (a resample whose BASE median is 0)
 * is "unbounded". A count that should be zero has no interval. */
static void fmt_interval(char *buf, size_t len, const struct row *r)
{
	char lo[32], hi[32];

	if (r->m->slack > 0) {
		snprintf(buf, len, "(max rule)");
		return;
	}
	if (isfinite(r->ci.lo))
		fmt_pct(lo, sizeof(lo), r->ci.lo);
	else
		snprintf(lo, sizeof(lo), "unbounded");
	if (isfinite(r->ci.hi))
		fmt_pct(hi, sizeof(hi), r->ci.hi);
	else
		snprintf(hi, sizeof(hi), "unbounded");
	snprintf(buf, len, "[%s, %s]", lo, hi);
}

static int table_row(struct rb_table *t, const struct row *r)
{
	char sb[32], sn[32], ch[32], iv[64];

	rb_fmt_value(sb, sizeof(sb), r->mb, r->unit, r->resolution);
	rb_fmt_value(sn, sizeof(sn), r->mn, r->unit, r->resolution);
	fmt_change(ch, sizeof(ch), r);
	fmt_interval(iv, sizeof(iv), r);
	return rb_table_named_row(t, r->key) ?: rb_table_cell(t, 1, "%s", r->m->name) ?:
	       rb_table_cell(t, 2, "%s", sb) ?: rb_table_cell(t, 3, "%s", sn) ?:
	       rb_table_cell(t, 4, "%s", ch) ?: rb_table_cell(t, 5, "%s", iv) ?:
	       rb_table_cell(t, 6, "%.3g", r->p) ?: rb_table_cell(t, 7, "%s", rb_cmp_verdict_name(r->v));
}

static int table_columns(struct rb_table *t)
{
	static const struct rb_col cols[] = {
		{ "REAPER", RB_COL_LEFT }, { "METRIC", RB_COL_LEFT }, { "BASE", RB_COL_RIGHT },
		{ "NEW", RB_COL_RIGHT }, { "CHANGE", RB_COL_RIGHT }, { "95% INTERVAL", RB_COL_LEFT },
		{ "P", RB_COL_RIGHT }, { "VERDICT", RB_COL_LEFT },
	};

	return rb_table_columns(t, cols, sizeof(cols) / sizeof(cols[0]));
}

static json_t *row_json(const struct row *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:f, s:f, s:s, s:o}",
			 "reaper", r->key, "metric", r->m->name, "unit", r->unit, "better",
			 r->m->better < 0 ? "lower" : "higher", "relative", r->rel, "n_base", (int)r->nb,
			 "n_new", (int)r->nn, "base_median", json_real(r->mb), "new_median",
			 json_real(r->mn), "ratio", finite_or_null(r->ci.ratio), "ratio_lo",
			 finite_or_null(r->ci.lo), "ratio_hi", finite_or_null(r->ci.hi), "p", r->p,
			 "threshold_pct", r->pct, "verdict", rb_cmp_verdict_name(r->v), "raw_why",
			 r->raw_why[0] ? json_string(r->raw_why) : json_null());
}

/* KEY's metric M in both records; false when one of them lacks it. */
static bool make_row(json_t *b, json_t *n, const char *key, const struct rb_metric *m,
		     const struct cfg *c, struct row *r)
{
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->m = m;
	r->unit = "";
	r->pct = threshold_of(c, m->name);
	r->vb = values_trimmed(b, key, m, c, &r->nb, &r->unit);
	r->vn = values_trimmed(n, key, m, c, &r->nn, &r->unit);
	if (r->nb == 0 || r->nn == 0) {
		free(r->vb);
		free(r->vn);
		return false;
	}
	relate(b, n, r, c);
	r->resolution = r->rel ? 0 : resolution_of(b, m);
	judge(r, c);
	return true;
}

static void print_header(const struct cfg *c)
{
	if (c->trim > 0)
		printf("timed metrics: each record's best %g%% of runs (--trim %g)\n", 100 - c->trim, c->trim);
	if (c->relative_to)
		printf("timed metrics: relative to %s's median in the same record (xN; %s: not judged)\n",
		       c->relative_to, c->relative_to);
}

/* The closing lines: how many rows, what came of them, which regressed. */
static void print_footer(json_t *results)
{
	int counts[3] = { 0 };
	json_t *x;
	size_t i;

	json_array_foreach(results, i, x) {
		const char *v = json_string_value(json_object_get(x, "verdict"));

		counts[strcmp(v, "REGRESSES") == 0 ? 0 : strcmp(v, "improves") == 0 ? 1 : 2]++;
		if (json_is_string(json_object_get(x, "raw_why")))
			printf("note: %s\n", json_string_value(json_object_get(x, "raw_why")));
	}
	if (json_array_size(results) == 0) {
		printf("(no metric measured in both records)\n");
		return;
	}
	printf("\n%zu figures in both: %d regression%s, %d improve%s, %d the same", json_array_size(results),
	       counts[0], counts[0] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "s" : "", counts[2]);
	if (counts[0]) {
		printf(":");
		json_array_foreach(results, i, x)
			if (strcmp(json_string_value(json_object_get(x, "verdict")), "REGRESSES") == 0)
				printf(" %s/%s", json_string_value(json_object_get(x, "reaper")),
				       json_string_value(json_object_get(x, "metric")));
	}
	printf("\n");
}

static int compare_measurements(json_t *b, json_t *n, const struct cfg *c, json_t *report)
{
	json_t *reapers = reapers_of(b), *results = json_array(), *x;
	struct rb_table *t cleanup_table = rb_table_new();
	int regressions = 0, rc = t ? table_columns(t) : -ENOMEM;
	const struct rb_metric *m;
	size_t i;

	if (!c->json)
		print_header(c);
	json_array_foreach(reapers, i, x) {
		const char *key = json_string_value(x);
		char rbuf[256];
		struct row r;

		if (c->relative_to && strcmp(run_reaper_of_key(key, rbuf, sizeof(rbuf)), c->relative_to) == 0)
			continue; /* the yardstick */
		for (size_t k = 0; (m = rb_metric_at(k)); k++) {
			if (!m->compared || !make_row(b, n, key, m, c, &r))
				continue;
			regressions += r.v == RB_CMP_REGRESSES;
			rc = rc ?: table_row(t, &r);
			json_array_append_new(results, row_json(&r));
			free(r.vb);
			free(r.vn);
		}
	}
	if (rc < 0)
		fprintf(stderr, "reapbench: compare: out of memory for the table\n");
	else if (!c->json && rb_table_rows(t) > 0)
		rb_table_print(t, c->format == 2 ? RB_FORMAT_MD : RB_FORMAT_TEXT, stdout);
	if (!c->json)
		print_footer(results);
	json_object_set_new(report, "results", results);
	json_decref(reapers);
	return regressions;
}

static json_t *cell_of(json_t *rec, const char *reaper, const char *check)
{
	json_t *run, *cell;
	size_t i, j;

	json_array_foreach(json_object_get(rec, "runs"), i, run) {
		const char *r = rb_run_reaper(run);

		if (!r || strcmp(r, reaper) != 0)
			continue;
		json_array_foreach(json_object_get(run, "conformance"), j, cell) {
			const char *ch = json_string_value(json_object_get(cell, "check"));

			if (ch && strcmp(ch, check) == 0)
				return cell;
		}
	}
	return NULL;
}

static long cell_long(json_t *cell, const char *key)
{
	return (long)json_integer_value(json_object_get(cell, key));
}

/* A regression: ok -> DEVIATES; for a racy check, only when the claim held
 * significantly less often (rb_fisher_fewer_p < alpha), since one run of a
 * race says little. *P: that test's p, or NAN. */
static bool cell_regresses(json_t *b, json_t *cb, json_t *cn, const char *check, double *p)
{
	const char *vb = json_string_value(json_object_get(cb, "verdict"));
	const char *vn = json_string_value(json_object_get(cn, "verdict"));

	*p = NAN;
	if (strcmp(vb, "ok") != 0 || strcmp(vn, "DEVIATES") != 0)
		return false;
	if (!rb_record_check_racy(b, check))
		return true;
	*p = rb_fisher_fewer_p(cell_long(cb, "matches"), cell_long(cb, "runs"),
			       cell_long(cn, "matches"), cell_long(cn, "runs"));
	return *p < RB_CMP_ALPHA;
}

static int compare_conform(json_t *b, json_t *n, const struct cfg *c, json_t *report)
{
	json_t *changes = json_array(), *run, *cell;
	int regressions = 0, cells = 0;
	size_t i, j;

	json_array_foreach(json_object_get(n, "runs"), i, run) {
		const char *r = rb_run_reaper(run);

		if (!r)
			continue;
		json_array_foreach(json_object_get(run, "conformance"), j, cell) {
			const char *ch = json_string_value(json_object_get(cell, "check"));
			const char *vn = json_string_value(json_object_get(cell, "verdict"));
			json_t *cb = ch ? cell_of(b, r, ch) : NULL;
			const char *vb = json_string_value(json_object_get(cb, "verdict"));
			bool regress;
			double p;

			if (!ch || !vn || !vb)
				continue;
			cells++;
			if (strcmp(vb, vn) == 0)
				continue;
			regress = cell_regresses(b, cb, cell, ch, &p);
			regressions += regress;
			if (!c->json && isnan(p))
				printf("%-12s %-20s %s -> %s%s\n", r, ch, vb, vn, regress ? "  REGRESSES" : "");
			else if (!c->json)
				printf("%-12s %-20s %s -> %s  racy: %ld/%ld -> %ld/%ld, p %.3g%s\n", r, ch,
				       vb, vn, cell_long(cb, "matches"), cell_long(cb, "runs"),
				       cell_long(cell, "matches"), cell_long(cell, "runs"), p,
				       regress ? "  REGRESSES" : " (chance)");
			json_array_append_new(changes, json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "reaper", r,
								 "check", ch, "base", vb, "new", vn,
								 "regresses", regress,
								 "racy_p", isnan(p) ? json_null() : json_real(p)));
		}
	}
	if (!c->json)
		printf("%d cells in both, %zu changed, %d regression%s (ok -> DEVIATES)\n", cells,
		       json_array_size(changes), regressions, regressions == 1 ? "" : "s");
	json_object_set_new(report, "changes", changes);
	return regressions;
}

int rb_cmd_compare(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct cfg c = { .threshold = DEFAULT_THRESHOLD, .seed = 1 };
	json_t *b = NULL, *n = NULL, *report = NULL, *reapers;
	const char *cb;
	int rc, regressions;

	(void)si;
	rc = parse_args(argc, argv, &c, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (rb_record_load(c.base_path, &b, err) < 0)
		return -1;
	if (rb_record_load(c.new_path, &n, err) < 0) {
		json_decref(b);
		return -1;
	}
	rc = -1;
	cb = json_string_value(json_object_get(b, "command"));
	if (rb_records_comparable(b, n, &(struct rb_comparable){ c.base_path, c.new_path, c.other_machine },
				  err) < 0)
		goto out;
	if (strcmp(cb, "storm") != 0 && strcmp(cb, "signals") != 0 && strcmp(cb, "conform") != 0) {
		rb_input_error(err, "%s: compare reads storm, signals and conform records, not '%s'",
			       c.base_path, cb);
		goto out;
	}
	if (yardstick_present(b, n, &c, err) < 0)
		goto out;
	report = json_pack("{s:s, s:s, s:s, s:f, s:f, s:I}", "base", c.base_path, "new", c.new_path,
			   "command", cb, "threshold_pct", c.threshold, "trim_pct", c.trim, "seed",
			   (json_int_t)c.seed);
	json_object_set_new(report, "relative_to", c.relative_to ? json_string(c.relative_to) : json_null());
	if (strcmp(cb, "conform") != 0)
		regressions = compare_measurements(b, n, &c, report);
	else
		regressions = compare_conform(b, n, &c, report);
	json_object_set_new(report, "regressions", json_integer(regressions));
	if (c.json) {
		json_dumpf(report, stdout, JSON_INDENT(2));
		printf("\n");
	}
	fflush(stdout);
	reapers = reapers_of(n);
	if ((c.gab || c.bmf) && export_new(n, reapers, &c, err) < 0) {
		json_decref(reapers);
		goto out;
	}
	json_decref(reapers);
	rc = regressions ? 1 : 0;
out:
	json_decref(report);
	json_decref(b);
	json_decref(n);
	return rc;
}
