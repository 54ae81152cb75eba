/* reapbench smoke: every available reaper clears one orphan burst. The
 * default plan of `make bench` until the full suites exist. */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "record.h"
#include "version.h"
#include "runner.h"
#include "suite.h"

struct smoke_row {
	char name[64], version[64], status[64], verdict[96];
	long long spawned, reaped, peak;
	double reap_ms; /* < 0: not all reaped */
};

struct cfg {
	struct rb_output out;
	long count;
	struct rb_selection sel;
	char **workload;                 /* orphans COUNT */
	char report[RB_CLI_PATH_MAX + 16]; /* DIR/report.md */
};

struct row {
	RB_SUITE_ROW_HEAD;
	struct smoke_row s;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt smoke_opts[] = {
	{ "count", 0, RB_OT_LONG, "N", AT(count), 1, RB_MAX_PID_MAX, .help = "orphans per burst",
	  .record = "count" },
	{ 0 },
};

static const struct rb_cli smoke_cli = {
	.name = "smoke",
	.about = "Each reaper clears one orphan burst as PID 1 of a fresh sandbox: a quick check\n"
		 "that the harness and the reapers work here; writes a report and a record.",
	.opts = smoke_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

static void fill_row(struct smoke_row *row, const struct rb_reaper *r,
		     const struct rb_run_result *res, long count)
{
	const struct rb_channel *c = &res->chan;

	snprintf(row->name, sizeof(row->name), "%s", r->name);
	snprintf(row->version, sizeof(row->version), "%s", r->version);
	rb_status_string(res->sb.status, row->status, sizeof(row->status));
	row->spawned = res->chan_valid ? (long long)c->spawned : -1;
	row->reaped = res->chan_valid ? (long long)c->reaped : -1;
	row->peak = res->sb.has_cgroup ? res->sb.pids_peak : -1;
	row->reap_ms = res->chan_valid && c->t_all_reaped_ns
			       ? (c->t_all_reaped_ns - c->t_released_ns) / 1e6 : -1;
	if (!res->chan_valid)
		snprintf(row->verdict, sizeof(row->verdict), "no payload report");
	else if (row->spawned < count)
		snprintf(row->verdict, sizeof(row->verdict), "only %lld of %ld spawned", row->spawned,
			 count);
	else if (row->reaped == row->spawned)
		snprintf(row->verdict, sizeof(row->verdict), "cleared");
	else
		snprintf(row->verdict, sizeof(row->verdict), "NOT cleared: %lld zombies left",
			 row->spawned - row->reaped);
}

static struct rb_table *smoke_table(const struct smoke_row *rows, int n)
{
	static const struct rb_col cols[] = {
		{ "REAPER", RB_COL_LEFT }, { "VERSION", RB_COL_LEFT }, { "PID 1", RB_COL_LEFT },
		{ "SPAWNED", RB_COL_RIGHT }, { "REAPED", RB_COL_RIGHT }, { "REAP-ALL(ms)", RB_COL_RIGHT },
		{ "PEAK-PIDS", RB_COL_RIGHT }, { "VERDICT", RB_COL_LEFT },
	};
	struct rb_table *t = rb_table_new();
	int rc = t ? rb_table_columns(t, cols, sizeof(cols) / sizeof(cols[0])) : -ENOMEM;

	for (int i = 0; i < n && rc == 0; i++) {
		const struct smoke_row *row = &rows[i];

		rc = rb_table_named_row(t, row->name) ?: rb_table_cell(t, 1, "%s", row->version) ?:
		     rb_table_cell(t, 2, "%s", row->status) ?:
		     rb_table_cell(t, 3, "%lld", row->spawned) ?: rb_table_cell(t, 4, "%lld", row->reaped) ?:
		     (row->reap_ms >= 0 ? rb_table_cell(t, 5, "%.2f", row->reap_ms)
					: rb_table_cell(t, 5, "-")) ?:
		     (row->peak >= 0 ? rb_table_cell(t, 6, "%lld", row->peak) : rb_table_cell(t, 6, "n/a")) ?:
		     rb_table_cell(t, 7, "%s", row->verdict);
	}
	if (rc < 0) {
		rb_table_free(t);
		return NULL;
	}
	return t;
}

static int write_report(const char *path, const struct rb_sysinfo *si, struct rb_table *t,
			long count, struct rb_error *err)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return rb_sys_error(err, errno, "writing %s", path);
	fprintf(f, "# reapbench smoke report\n\nHost `%s`, Linux %s, %d CPUs, reapbench %s (%s).\n\n"
		   "Each reaper runs as PID 1 of a fresh PID namespace; the payload makes %ld orphans\n"
		   "alive at once, releases them, and watches each one's pidfd for the reap.\n"
		   "Reap time is from release to the last reap; one run, not a benchmark.\n\n",
		si->hostname, si->kernel, si->cpus, rb_version, rb_commit, count);
	rb_table_print(t, RB_FORMAT_MD, f);
	if (fclose(f) != 0)
		return rb_sys_error(err, errno, "writing %s", path);
	return 0;
}

static void init(struct rb_suite_ctx *x)
{
	((struct cfg *)x->cfg)->count = 500;
	x->opts.deadline_ns = 20LL * 1000000000;
}

static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	char count[32];

	if (c->count + 8 > x->opts.pid_max)
		return rb_input_error(err, "smoke: --count %ld does not fit in --pid-max %ld", c->count,
				      x->opts.pid_max);
	snprintf(count, sizeof(count), "%ld", c->count);
	return rb_resolve_workload(x->si, (char *[]){ "orphans", count, "--wait-reaped-ms", "3000", NULL },
				   &c->workload, err);
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	(void)err;
	json_object_set_new(json_object_get(x->rec, "options"), "pid_max",
			    json_integer(x->opts.pid_max));
	rb_record_runtime(json_object_get(x->rec, "options"), &x->opts);
	return 0;
}

static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct cfg *c = x->cfg;
	struct row *w = row;
	struct rb_run_result res;
	struct rb_error rerr;

	(void)k;
	(void)step;
	if (rb_run_payload(x->si, w->r, &x->opts, NULL, c->workload, &res, &rerr) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", rerr.msg);
		rb_record_skip(rb_record_add_run(x->rec, w->r, NULL), "smoke", rerr.msg);
		rb_run_result_free(&res);
		return -1;
	}
	rb_run_record(rb_record_add_run(x->rec, w->r, res.argv), &res);
	fill_row(&w->s, w->r, &res, c->count);
	rb_run_result_free(&res);
	return 0;
}

/* The table on stdout, and in report.md. */
static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct smoke_row *rows = calloc((size_t)x->nrows + 1, sizeof(*rows));
	struct rb_table *table cleanup_table = NULL;
	int n = 0;

	if (!rows)
		return rb_sys_error(err, ENOMEM, "smoke");
	for (int i = 0; i < x->nrows; i++) {
		const struct row *w = rb_suite_row(x, i);

		if (w->error[0])
			printf("%-20s error: %s\n", w->r->name, w->error);
		else
			rows[n++] = w->s;
	}
	table = smoke_table(rows, n);
	free(rows);
	if (!table)
		return rb_sys_error(err, ENOMEM, "smoke: the table");
	snprintf(c->report, sizeof(c->report), "%s/report.md", c->out.dir);
	if (rb_table_print(table, (enum rb_format)c->out.format, stdout) < 0)
		return rb_sys_error(err, ENOMEM, "smoke: the table");
	return write_report(c->report, x->si, table, c->count, err);
}

static void footer(const struct rb_suite_ctx *x)
{
	const struct cfg *c = x->cfg;

	printf("\nrecord  %s\nreport  %s\nlogs    %s/logs/ (each sandbox's output)\n",
	       c->out.record, c->report, c->out.dir);
}

static void release(struct rb_suite_ctx *x)
{
	rb_argv_free(((struct cfg *)x->cfg)->workload);
}

const struct rb_suite rb_suite_smoke = {
	.name = "smoke",
	.summary = "each available reaper clears an orphan burst; writes results/",
	.cli = &smoke_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.output = RB_OUTPUT_DIR,
	.log = "%s",
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.measure = measure,
	.report = report,
	.footer = footer,
	.release = release,
};
