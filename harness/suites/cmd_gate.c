/* reapbench gate --base A --new B: a regression gate that needs no stored
 * baseline. A and B (two versions of one reaper: descriptors, or one
 * descriptor with two binaries) are measured side by side in one run, pair
 * by pair (A B, B A, A B, ... so that neither always goes first), and B is
 * judged against A from the pairs: what slows a shared machine for a while
 * slows both runs of a pair and cancels in its ratio. Each part is a suite
 * run as a subcommand with one reaper and one repetition, its record read
 * back: the conformance matrix of both (a claim A holds and B breaks fails),
 * a hoard storm (PID 1's CPU per reap, drain, latency; paired ratios, a
 * bootstrap interval of their median, the Wilcoxon signed-rank test), and
 * the signal train (lost and duplicated signals; latency). Exit 0: no
 * regression; 1: a regression; 2: bad input. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "metrics.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "export.h"
#include "paired.h"
#include "record.h"
#include "registry.h"
#include "units.h"

#define RESAMPLES 2000
#define MAX_PAIRS 200

enum side { BASE, NEW };
static const char *const side_names[] = { "base", "new" };

/* What the gate judges (direction, unit and slack from the registry,
 * metrics.h), and how much of a change matters. PID 1's CPU per reap is the
 * steady figure (--threshold); latency and drain move with whatever else the
 * cores run, so only large shifts of them count. */
static const struct gate_metric {
	const char *part, *name;
	double pct; /* the change that matters; < 0: --threshold; a count: unused */
} gate_metrics[] = {
	{ "storm", "pid1_cpu_per_1000_reaps", -1 },
	{ "storm", "drain_time", 60 },
	{ "storm", "reap_latency_p50", 60 },
	{ "storm", "reap_latency_p99", 60 },
	/* the storm generator's (bench/): --base-payload, --new-payload */
	{ "storm", "spawn_rate", 30 },
	{ "signals", "signal_latency_p50", 300 },
	{ "signals", "signals_lost", 0 },
	{ "signals", "signals_dup", 0 },
};
#define NMETRICS (sizeof(gate_metrics) / sizeof(gate_metrics[0]))

/* Metric M's entry in the registry. */
static const struct rb_metric *info(size_t m)
{
	return rb_metric_find(gate_metrics[m].name, 0);
}
_Static_assert(NMETRICS <= 16, "struct cfg's metric_pct holds 16");

struct cfg {
	const char *spec[2], *binary[2], *payload[2], *check, *gab, *bmf;
	struct rb_output out; /* its format stays text: the gate prints its own forms */
	long pairs, signal_pairs, count;
	double threshold;
	double metric_pct[16]; /* --metric-threshold, per gate_metrics entry; 0: the default */
	bool no_conform;
	int format; /* 0 text, 1 md, 2 json */
};

/* Everything measured: per metric and side, one value per pair (NAN: the
 * run did not give it). */
struct gate {
	char desc[2][RB_CLI_PATH_MAX + 16]; /* the descriptors the parts ran */
	char payload[2][PATH_MAX];          /* --base-payload, --new-payload, absolute */
	double v[NMETRICS][2][MAX_PAIRS];
	long n[NMETRICS];
	json_t *conform;                    /* the regressions of the matrix */
	int regressions;
};

/* ---- the command line ------------------------------------------------------------ */

/* A threshold: a percentage above 0 (0 would fail every significant change). */
static int parse_pct(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	if (rb_cli_store_pct(opt, arg, field, err) < 0)
		return -1;
	if (*(double *)field == 0)
		return rb_input_error(err, "%s: '%s' is not a percentage in (0, 1000]", opt, arg);
	return 0;
}

/* --metric-threshold M=PCT, into the whole cfg */
static int parse_metric_threshold(const char *opt, const char *arg, void *field,
				  struct rb_error *err)
{
	struct cfg *c = field;
	const char *eq = strchr(arg, '=');

	for (size_t m = 0; eq && m < NMETRICS; m++)
		if (strlen(gate_metrics[m].name) == (size_t)(eq - arg) &&
		    strncmp(gate_metrics[m].name, arg, (size_t)(eq - arg)) == 0 &&
		    info(m)->slack == 0)
			return parse_pct(opt, eq + 1, &c->metric_pct[m], err);
	return rb_input_error(err, "%s: '%s' is not METRIC=PCT with a timed metric of the gate", opt,
			      arg);
}

static const char *const formats[] = { "text", "md", "json", NULL };

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt gate_opts[] = {
	{ "base", 0, RB_OT_STR, "A", AT(spec[BASE]),
	  .help = "the base: a reaper name or a descriptor file" },
	{ "new", 0, RB_OT_STR, "B", AT(spec[NEW]), .help = "the change: the same", .dflt = "--base" },
	{ "base-binary", 0, RB_OT_STR, "PATH", AT(binary[BASE]),
	  .help = "run the base's descriptor with this binary" },
	{ "new-binary", 0, RB_OT_STR, "PATH", AT(binary[NEW]),
	  .help = "run the change's descriptor with this binary" },
	{ "base-payload", 0, RB_OT_STR, "PATH", AT(payload[BASE]),
	  .help = "the base's storms and signal trains with this rb-payload\n"
		  "(its storm generator; conformance keeps this build's)" },
	{ "new-payload", 0, RB_OT_STR, "PATH", AT(payload[NEW]),
	  .help = "the change's storms and signal trains with this rb-payload" },
	{ "pairs", 0, RB_OT_LONG, "N", AT(pairs), 6, MAX_PAIRS,
	  .help = "storm pairs (A B or B A); fewer than 6 can never reach p < 0.05" },
	{ "signal-pairs", 0, RB_OT_LONG, "N", AT(signal_pairs), 0, MAX_PAIRS,
	  .help = "signal-train pairs (0: none)" },
	{ "count", 0, RB_OT_LONG, "N", AT(count), 10, 100000, .help = "zombies per hoard" },
	{ "threshold", 0, RB_OT_FN, "PCT", AT(threshold), .parse = parse_pct,
	  .help = "the change in PID 1's CPU per reap that fails the gate\n"
		  "(latency and drain: 60 %, signal latency: 300 %)", .dflt = "5" },
	{ "metric-threshold", 0, RB_OT_FN, "M=PCT", RB_IN_CFG, 0, .parse = parse_metric_threshold,
	  .help = "another threshold for metric M (repeatable)" },
	{ "check", 0, RB_OT_STR, "PATTERN", AT(check),
	  .help = "only these conformance checks (as conform --check)", .dflt = "every check" },
	{ "no-conform", 0, RB_OT_FLAG, NULL, AT(no_conform), .help = "skip the conformance matrix" },
	{ "format", 0, RB_OT_CHOICE, "F", AT(format), .choices = formats, .help = "text, md or json" },
	{ "export-gab", 0, RB_OT_STR, "PATH", AT(gab),
	  .help = "github-action-benchmark JSON (customSmallerIsBetter): each\n"
		  "metric's median ratio new/base (counts: the new median);\n"
		  "range: half the 95 % interval" },
	{ "export-bmf", 0, RB_OT_STR, "PATH", AT(bmf),
	  .help = "the same as Bencher Metric Format, with the interval" },
	{ 0 },
};

static const struct rb_cli gate_cli = {
	.name = "gate",
	.synopsis = "--base A [--new B] [OPTIONS]",
	.about = "B against A, measured side by side in one run (no stored baseline): the\n"
		 "conformance matrix of both, then hoard storms and signal trains in pairs\n"
		 "(A B, B A, ...), each pair's ratio B/A, the median ratio with a bootstrap 95 %\n"
		 "interval and a Wilcoxon signed-rank test. A metric regresses when p < 0.05, the\n"
		 "whole interval lies above 1 and the median ratio past the threshold (the change\n"
		 "that matters); a lost or duplicated signal when\n"
		 "B's median exceeds the most A lost in a run by more than 2; a claim A holds and\n"
		 "B breaks always (a racy check only noted).\n\n"
		 "Exit 0: no regression; 1: a regression; 2: bad input.",
	.opts = gate_opts,
	.groups = RB_CLI_OUTPUT,
	.defaults = (const struct rb_opt_default[]){
		{ "out", "results/<date>-<host>/gate: the parts' records and logs" }, { 0 } },
};

/* ---- the two versions ------------------------------------------------------------ */

/* DIR/SIDE.ini: SPEC's descriptor named SIDE, with BINARY if given. */
static int write_descriptor(const struct rb_sysinfo *si, const char *spec, const char *binary,
			    const char *side, const char *path, struct rb_error *err)
{
	struct rb_reaper r;
	char line[4096], abs[PATH_MAX];
	bool in_reaper = false;
	FILE *in, *out;

	if (rb_reaper_find(si, spec, &r, err) < 0)
		return -1;
	if (binary && !realpath(binary, abs))
		return rb_fail(err, RB_ERR_INPUT, errno, "--%s-binary %s", side, binary);
	in = fopen(r.file, "re");
	out = fopen(path, "we");
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return rb_sys_error(err, errno, "writing %s from %s", path, r.file);
	}
	while (fgets(line, sizeof(line), in)) {
		const char *key = line + strspn(line, " \t");

		if (*key == '[')
			in_reaper = strncmp(key, "[reaper]", 8) == 0;
		if (in_reaper && strncmp(key, "name", 4) == 0 && strchr(" \t=", key[4]))
			fprintf(out, "name = %s\n", side);
		else if (in_reaper && binary && strncmp(key, "binary", 6) == 0 && strchr(" \t=", key[6]))
			fprintf(out, "binary = %s\n", abs);
		else
			fputs(line, out);
	}
	fclose(in);
	if (fclose(out) != 0)
		return rb_sys_error(err, errno, "writing %s", path);
	/* it must load, and run here */
	if (rb_reaper_load(path, &r, err) < 0)
		return -1;
	rb_reaper_resolve(si, &r);
	return rb_require_available(&r, err);
}

/* ---- running a part ---------------------------------------------------------------- */

/* reapbench ARGV... with its output appended to LOG; its exit code (2 and
 * more: the part could not run). */
static int run_part(const struct rb_sysinfo *si, const char *log, char *const argv[],
		    const char *payload, struct rb_error *err)
{
	char self[PATH_MAX + 16], setting[PATH_MAX + 32];
	char **env = environ;
	posix_spawn_file_actions_t fa;
	int status, rc;
	size_t n = 0, k = 0;
	pid_t pid;

	/* PAYLOAD: the part runs with another build's rb-payload
	 * (REAPBENCH_PAYLOAD, sysinfo.h); the rest of the environment as ours
	 * (PATH, REAPBENCH_REAPERS) */
	if (payload) {
		while (environ[n])
			n++;
		env = calloc(n + 2, sizeof(*env));
		if (!env)
			return rb_sys_error(err, ENOMEM, "environment");
		for (size_t i = 0; i < n; i++)
			if (strncmp(environ[i], "REAPBENCH_PAYLOAD=", 18) != 0)
				env[k++] = environ[i];
		snprintf(setting, sizeof(setting), "REAPBENCH_PAYLOAD=%s", payload);
		env[k] = setting;
	}
	snprintf(self, sizeof(self), "%s/reapbench", si->exe_dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	rc = posix_spawn(&pid, self, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (env != environ)
		free(env);
	if (rc != 0)
		return rb_sys_error(err, rc, "starting %s", self);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return rb_sys_error(err, errno, "waiting for %s %s", self, argv[1]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) >= 2)
		return rb_fail(err, WIFEXITED(status) && WEXITSTATUS(status) == 130 ? RB_ERR_SYSTEM
						: RB_ERR_INPUT, 0,
			       "gate: reapbench %s %s failed (exit %d; see %s)", argv[1], argv[3],
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), log);
	return WEXITSTATUS(status);
}

/* The value of measurement NAME in the record's only run; NAN if none. */
static double measure(json_t *rec, const char *name)
{
	json_t *run = json_array_get(json_object_get(rec, "runs"), 0), *m;
	size_t i;

	json_array_foreach(json_object_get(run, "measurements"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "name")) ?: "", name) == 0 &&
		    json_is_number(json_object_get(m, "value")))
			return json_number_value(json_object_get(m, "value"));
	return NAN;
}

/* One run of PART for SIDE, pair K: its record's figures into G. */
static int run_one(const struct rb_sysinfo *si, const struct cfg *c, struct gate *g,
		   const char *part, enum side side, long k, struct rb_error *err)
{
	char record[RB_CLI_PATH_MAX + 64], log[RB_CLI_PATH_MAX + 64], count[32];
	/* one spawner: a base payload from before --spawners takes no such
	 * word, and both sides' generators then work alike */
	char *storm[] = { "reapbench", "storm", "-r", g->desc[side], "--pattern", "hoard", "--count",
			  count, "--spawners", "1", "--repeat", "1", "--no-plots", "--out",
			  (char *)c->out.dir, "--json", record, NULL };
	char *signals[] = { "reapbench", "signals", "-r", g->desc[side], "--conditions", "idle",
			    "--count", "100", "--repeat", "1", "--no-plots", "--out", (char *)c->out.dir,
			    "--json", record, NULL };
	json_t *rec;

	snprintf(count, sizeof(count), "%ld", c->count);
	snprintf(record, sizeof(record), "%s/%s/%s-%ld.json", c->out.dir, part, side_names[side], k);
	snprintf(log, sizeof(log), "%s/%s.log", c->out.dir, part);
	if (run_part(si, log, strcmp(part, "storm") == 0 ? storm : signals, c->payload[side], err) < 0 ||
	    rb_record_load(record, &rec, err) < 0)
		return -1;
	for (size_t m = 0; m < NMETRICS; m++)
		if (strcmp(gate_metrics[m].part, part) == 0)
			g->v[m][side][k] = measure(rec, gate_metrics[m].name);
	json_decref(rec);
	return 0;
}

/* PAIRS pairs of PART: A B, then B A, ... */
static int run_pairs(const struct rb_sysinfo *si, const struct cfg *c, struct gate *g,
		     const char *part, long pairs, struct rb_error *err)
{
	char dir[RB_CLI_PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/%s", c->out.dir, part);
	if (rb_mkdir_p(dir) < 0)
		return rb_sys_error(err, errno, "creating %s", dir);
	for (long k = 0; k < pairs; k++) {
		enum side first = k % 2 ? NEW : BASE;

		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rgate: %s pair %ld/%ld ", part, k + 1, pairs);
		if (run_one(si, c, g, part, first, k, err) < 0 ||
		    run_one(si, c, g, part, 1 - first, k, err) < 0)
			return -1;
	}
	for (size_t m = 0; m < NMETRICS; m++)
		if (strcmp(gate_metrics[m].part, part) == 0)
			g->n[m] = pairs;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%40s\r", "");
	return 0;
}

/* ---- conformance ------------------------------------------------------------------- */

static json_t *cells_of(json_t *rec, const char *reaper)
{
	json_t *run = rb_record_first_run(rec, reaper);

	return run ? json_object_get(run, "conformance") : NULL;
}

/* CHECK's cell among CELLS (matched by name: the two columns need not list
 * the checks in one order), or NULL. */
static json_t *cell_of(json_t *cells, const char *check)
{
	json_t *cell;
	size_t i;

	json_array_foreach(cells, i, cell)
		if (strcmp(json_string_value(json_object_get(cell, "check")) ?: "", check) == 0)
			return cell;
	return NULL;
}

/* The matrix of both; a cell ok for A and deviating for B regresses. */
static int run_conform(const struct rb_sysinfo *si, const struct cfg *c, struct gate *g,
		       struct rb_error *err)
{
	char record[RB_CLI_PATH_MAX + 32], log[RB_CLI_PATH_MAX + 32];
	char *argv[] = { "reapbench", "conform", "-r", g->desc[BASE], "-r", g->desc[NEW], "--json",
			 record, c->check ? "--check" : NULL, (char *)c->check, NULL };
	json_t *rec, *a, *b, *cell;
	size_t i;

	snprintf(record, sizeof(record), "%s/conform.json", c->out.dir);
	snprintf(log, sizeof(log), "%s/conform.log", c->out.dir);
	if (run_part(si, log, argv, NULL, err) < 0 || rb_record_load(record, &rec, err) < 0)
		return -1;
	a = cells_of(rec, "base");
	b = cells_of(rec, "new");
	json_array_foreach(b, i, cell) {
		const char *check = json_string_value(json_object_get(cell, "check")) ?: "?";
		json_t *before = cell_of(a, check);
		bool was_ok = before && strcmp(json_string_value(json_object_get(before, "verdict")) ?: "",
					       "ok") == 0;
		bool now_bad = strcmp(json_string_value(json_object_get(cell, "verdict")) ?: "",
				      "DEVIATES") == 0;

		if (!was_ok || !now_bad)
			continue;
		json_array_append_new(g->conform,
				      json_pack("{s:s, s:s?, s:s?, s:b}", "check", check, "base",
						json_string_value(json_object_get(before, "observed")),
						"new", json_string_value(json_object_get(cell, "observed")),
						"racy", rb_record_check_racy(rec, check)));
		g->regressions += !rb_record_check_racy(rec, check);
	}
	json_decref(rec);
	return 0;
}

/* ---- the verdict ------------------------------------------------------------------- */

struct judged {
	size_t n;               /* pairs with both figures */
	double med[2];          /* each side's median */
	struct rb_paired pr;    /* ratios (not for counts) */
	enum rb_cmp_verdict v;
	double pct;
};

static void judge(const struct cfg *c, const struct gate *g, size_t m, struct judged *j)
{
	const struct gate_metric *gm = &gate_metrics[m];
	double a[MAX_PAIRS], b[MAX_PAIRS];

	memset(j, 0, sizeof(*j));
	for (long k = 0; k < g->n[m]; k++)
		if (!isnan(g->v[m][BASE][k]) && !isnan(g->v[m][NEW][k])) {
			a[j->n] = g->v[m][BASE][k];
			b[j->n++] = g->v[m][NEW][k];
		}
	j->pct = c->metric_pct[m] > 0 ? c->metric_pct[m] : gm->pct < 0 ? c->threshold : gm->pct;
	if (j->n == 0)
		return;
	j->med[BASE] = rb_median(a, j->n);
	j->med[NEW] = rb_median(b, j->n);
	if (info(m)->slack > 0) {
		j->v = rb_cmp_decide_count(a, j->n, b, j->n, info(m)->slack);
		return;
	}
	rb_paired_compare(a, b, j->n, RESAMPLES, 1, &j->pr);
	j->v = rb_paired_decide(&j->pr, info(m)->better, j->pct);
}

/* Metric M's row: its pairs' medians, the ratio and its interval, the verdict. */
static int table_row(struct rb_table *t, size_t m, const struct judged *j)
{
	char ratio[64], base[32], new_[32];

	if (info(m)->slack > 0 || j->n == 0)
		snprintf(ratio, sizeof(ratio), "%s", j->n ? "(a count)" : "no figures");
	else
		snprintf(ratio, sizeof(ratio), "%.3f [%.3f, %.3f]", j->pr.ci.ratio, j->pr.ci.lo,
			 j->pr.ci.hi);
	rb_fmt_value(base, sizeof(base), j->med[BASE], info(m)->unit, 0);
	rb_fmt_value(new_, sizeof(new_), j->med[NEW], info(m)->unit, 0);
	return rb_table_named_row(t, gate_metrics[m].name) ?:
	       rb_table_cell(t, 1, "%s", gate_metrics[m].part) ?: rb_table_cell(t, 2, "%ld", (long)j->n) ?:
	       rb_table_cell(t, 3, "%s", base) ?: rb_table_cell(t, 4, "%s", new_) ?:
	       rb_table_cell(t, 5, "%s", ratio) ?:
	       (info(m)->slack > 0 ? rb_table_cell(t, 6, "-") : rb_table_cell(t, 6, "%.3g", j->pr.p)) ?:
	       rb_table_cell(t, 7, "%s", j->n ? rb_cmp_verdict_name(j->v) : "skipped");
}

static int print_table(const struct cfg *c, const struct gate *g, const struct judged *j)
{
	static const char *const titles[] = { "METRIC", "PART", "PAIRS", "BASE", "NEW",
					      "NEW/BASE [95% CI]", "P", "VERDICT" };
	struct rb_table *t cleanup_table = rb_table_new();
	int rc = t ? 0 : -ENOMEM;

	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]) && rc == 0; k++)
		rc = rb_table_column(t, titles[k], k >= 2 && k <= 4 ? RB_COL_RIGHT : RB_COL_LEFT);
	for (size_t m = 0; m < NMETRICS && rc == 0; m++)
		if (g->n[m])
			rc = table_row(t, m, &j[m]);
	return rc ?: rb_table_print(t, c->format == 1 ? RB_FORMAT_MD : RB_FORMAT_TEXT, stdout);
}

static void print_conform(const struct cfg *c, const struct gate *g)
{
	json_t *r;
	size_t i;

	if (c->no_conform)
		printf("\nconformance: not run (--no-conform)\n");
	else if (json_array_size(g->conform) == 0)
		printf("\nconformance: every claim the base holds%s%s%s, the change holds too\n",
		       c->check ? " (checks matching '" : "", c->check ? c->check : "",
		       c->check ? "')" : "");
	json_array_foreach(g->conform, i, r)
		printf("%sconformance %s: base %s, new %s%s\n", i ? "" : "\n",
		       json_string_value(json_object_get(r, "check")),
		       json_string_value(json_object_get(r, "base")) ?: "?",
		       json_string_value(json_object_get(r, "new")) ?: "?",
		       json_is_true(json_object_get(r, "racy")) ? " (racy: noted, not failed)"
								: "  REGRESSES");
}

static json_t *gate_record(const struct rb_sysinfo *si, const struct cfg *c, const struct gate *g,
			   const struct judged *j)
{
	json_t *rec = rb_record_new("gate", si), *o = json_object_get(rec, "options");
	json_t *metrics = json_array();

	json_object_set_new(o, "base", json_string(c->spec[BASE]));
	json_object_set_new(o, "new", json_string(c->spec[NEW]));
	json_object_set_new(o, "base_binary", c->binary[BASE] ? json_string(c->binary[BASE]) : json_null());
	json_object_set_new(o, "new_binary", c->binary[NEW] ? json_string(c->binary[NEW]) : json_null());
	json_object_set_new(o, "base_payload", c->payload[BASE] ? json_string(c->payload[BASE]) : json_null());
	json_object_set_new(o, "new_payload", c->payload[NEW] ? json_string(c->payload[NEW]) : json_null());
	json_object_set_new(o, "pairs", json_integer(c->pairs));
	json_object_set_new(o, "signal_pairs", json_integer(c->signal_pairs));
	json_object_set_new(o, "count", json_integer(c->count));
	json_object_set_new(o, "threshold", json_real(c->threshold));
	for (size_t m = 0; m < NMETRICS; m++) {
		json_t *pairs;

		if (!g->n[m])
			continue;
		pairs = json_array();
		for (long k = 0; k < g->n[m]; k++)
			json_array_append_new(pairs, json_pack("[f,f]", g->v[m][BASE][k], g->v[m][NEW][k]));
		json_array_append_new(metrics, json_pack("{s:s, s:s, s:i, s:f, s:f, s:o, s:o, s:o, s:o, s:f, s:s, s:o}",
			"name", gate_metrics[m].name, "part", gate_metrics[m].part, "pairs", (int)j[m].n,
			"base_median", j[m].med[BASE], "new_median", j[m].med[NEW],
			"ratio", info(m)->slack > 0 ? json_null() : json_real(j[m].pr.ci.ratio),
			"ratio_lo", info(m)->slack > 0 ? json_null() : json_real(j[m].pr.ci.lo),
			"ratio_hi", info(m)->slack > 0 ? json_null() : json_real(j[m].pr.ci.hi),
			"p", info(m)->slack > 0 ? json_null() : json_real(j[m].pr.p),
			"threshold_pct", j[m].pct, "verdict", rb_cmp_verdict_name(j[m].v),
			"values", pairs));
	}
	json_object_set_new(rec, "metrics", metrics);
	json_object_set_new(rec, "conformance_regressions", json_incref(g->conform));
	json_object_set_new(rec, "regressions", json_integer(g->regressions));
	return rec;
}

/* The verdict's figures for dashboards: lower-is-better metrics in one
 * list, the spawn rate in the other. */
static int export(const struct cfg *c, const struct gate *g, const struct judged *j,
		  struct rb_error *err)
{
	json_t *smaller = json_array(), *bigger = json_array(), *bmf = json_object();
	json_t *measures = json_object();
	char name[128], range[64];
	int rc = 0;

	for (size_t m = 0; m < NMETRICS; m++) {
		const struct gate_metric *gm = &gate_metrics[m];
		bool count = info(m)->slack > 0;
		double v = count ? j[m].med[NEW] : j[m].pr.ci.ratio;
		double lo = count ? v : j[m].pr.ci.lo, hi = count ? v : j[m].pr.ci.hi;

		if (!g->n[m] || !j[m].n || !isfinite(v))
			continue;
		snprintf(name, sizeof(name), "%s/%s%s", gm->part, gm->name, count ? "" : " new/base");
		snprintf(range, sizeof(range), "± %.4g", isfinite(hi - lo) ? (hi - lo) / 2 : 0);
		/* a ratio new/base keeps the metric's direction: the spawn rate's is
		 * bigger-is-better (github-action-benchmark's second file) */
		json_array_append_new(info(m)->better > 0 ? bigger : smaller,
				      json_pack("{s:s, s:s, s:f, s:s}", "name", name, "unit",
						count ? info(m)->unit : "ratio", "value", v, "range", range));
		json_object_set_new(measures, gm->name,
				    json_pack("{s:f, s:o, s:o}", "value", v, "lower_value",
					      isfinite(lo) ? json_real(lo) : json_null(), "upper_value",
					      isfinite(hi) ? json_real(hi) : json_null()));
	}
	json_object_set_new(bmf, "gate", measures);
	if (c->gab)
		rc = rb_export_gab(c->gab, smaller, bigger, err);
	if (rc == 0 && c->bmf)
		rc = rb_write_json(bmf, c->bmf, err);
	json_decref(smaller);
	json_decref(bigger);
	json_decref(bmf);
	return rc;
}

/* ---- the command ------------------------------------------------------------------- */

static int prepare(const struct rb_sysinfo *si, struct cfg *c, struct gate *g, struct rb_error *err)
{
	if (!c->spec[BASE])
		return rb_input_error(err, "gate: --base is required (a reaper name or descriptor file)");
	if (!c->spec[NEW])
		c->spec[NEW] = c->spec[BASE];
	for (int s = BASE; s <= NEW; s++) {
		if (!c->payload[s])
			continue;
		if (!realpath(c->payload[s], g->payload[s]) || access(g->payload[s], X_OK) != 0)
			return rb_fail(err, RB_ERR_INPUT, errno, "--%s-payload %s", side_names[s],
				       c->payload[s]);
		c->payload[s] = g->payload[s];
	}
	if (rb_output_begin(&c->out, "gate", RB_OUTPUT_OWN_DIR, si, err) < 0)
		return -1;
	for (int s = BASE; s <= NEW; s++) {
		snprintf(g->desc[s], sizeof(g->desc[s]), "%s/%s.ini", c->out.dir, side_names[s]);
		if (write_descriptor(si, c->spec[s], c->binary[s], side_names[s], g->desc[s], err) < 0)
			return -1;
	}
	return 0;
}

int rb_cmd_gate(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct cfg c = { .pairs = 30, .signal_pairs = 8, .count = 1000, .threshold = 5,
			 .out = RB_OUTPUT_INIT };
	struct rb_output *out cleanup_output = &c.out;
	static struct gate g; /* the pairs' figures: large */
	struct judged j[NMETRICS];
	int rc, first;
	json_t *rec;

	rc = rb_cli_parse(&gate_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = &c, .output = out }, &first, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	memset(&g, 0, sizeof(g));
	g.conform = json_array();
	if (prepare(si, &c, &g, err) < 0 || (!c.no_conform && run_conform(si, &c, &g, err) < 0) ||
	    run_pairs(si, &c, &g, "storm", c.pairs, err) < 0 ||
	    run_pairs(si, &c, &g, "signals", c.signal_pairs, err) < 0) {
		json_decref(g.conform);
		return -1;
	}
	for (size_t m = 0; m < NMETRICS; m++) {
		judge(&c, &g, m, &j[m]);
		g.regressions += j[m].n && j[m].v == RB_CMP_REGRESSES;
	}
	rec = gate_record(si, &c, &g, j);
	rc = rb_output_end(out, rec, err);
	if (rc == 0 && (c.gab || c.bmf))
		rc = export(&c, &g, j, err);
	if (c.format == 2) {
		json_dumpf(rec, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
	} else {
		printf("%s (base) against %s (new): %ld storm pairs, %ld signal pairs\n\n", c.spec[BASE],
		       c.spec[NEW], c.pairs, c.signal_pairs);
		if (print_table(&c, &g, j) < 0)
			rc = rb_sys_error(err, ENOMEM, "gate: the table");
		print_conform(&c, &g);
		printf("\n%s\n", g.regressions ? "REGRESSION: the change fails the gate"
					       : "no regression");
		if (rc == 0 && rb_output_kept(out))
			printf("record  %s\n", out->record);
	}
	json_decref(rec);
	json_decref(g.conform);
	if (rc < 0)
		return -1;
	return g.regressions ? 1 : 0;
}
