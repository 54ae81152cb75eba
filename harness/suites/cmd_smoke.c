/* reapbench smoke: every available reaper clears one orphan burst. The
 * default plan of `make bench` until the full suites exist. */
#include <errno.h>
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
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt smoke_opts[] = {
	{ "count", 0, RB_OT_LONG, "N", AT(count), 1, RB_MAX_PID_MAX, .help = "orphans per burst" },
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

int rb_cmd_smoke(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct rb_sandbox_opts opts;
	struct smoke_row rows[64];
	struct cfg c = { .out = RB_OUTPUT_INIT, .count = 500 };
	char path[1200], countarg[32], **workload = NULL;
	struct rb_table *table cleanup_table = NULL;
	struct rb_output *out cleanup_output = &c.out;
	char *payload[] = { "orphans", countarg, "--wait-reaped-ms", "3000", NULL };
	struct rb_reaper *reapers;
	size_t nreapers;
	int rc, n = 0, failures = 0, first;
	json_t *rec;

	rb_sandbox_opts_default(&opts);
	opts.deadline_ns = 20LL * 1000000000;
	rc = rb_cli_parse(&smoke_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = &c, .output = &c.out, .sandbox = &opts, .sel = &c.sel }, &first,
			  err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c.count + 8 > opts.pid_max)
		return rb_input_error(err, "smoke: --count %ld does not fit in --pid-max %ld", c.count,
				      opts.pid_max);
	if (rb_output_begin(&c.out, "smoke", RB_OUTPUT_DIR, si, err) < 0)
		return -1;
	snprintf(countarg, sizeof(countarg), "%ld", c.count);
	if (rb_resolve_workload(si, payload, &workload, err) < 0 ||
	    rb_registry_select(si, c.sel.names, c.sel.n, c.sel.all, &reapers, &nreapers, err) < 0) {
		rb_argv_free(workload);
		return -1;
	}
	rec = rb_record_new("smoke", si);
	json_object_set_new(json_object_get(rec, "options"), "count", json_integer(c.count));
	json_object_set_new(json_object_get(rec, "options"), "pid_max", json_integer(opts.pid_max));
	rb_record_runtime(json_object_get(rec, "options"), &opts);
	for (size_t i = 0; i < nreapers && n < (int)(sizeof(rows) / sizeof(rows[0])); i++) {
		const struct rb_reaper *rp = &reapers[i];
		struct rb_run_result res;
		struct rb_error rerr;
		json_t *run;

		if (!rp->available) {
			printf("%-20s unavailable: %s\n", rp->name, rp->unavailable_reason);
			run = rb_record_add_run(rec, rp, NULL);
			rb_record_skip(run, "smoke", rp->unavailable_reason);
			continue;
		}
		snprintf(path, sizeof(path), "%s/logs/%s.log", c.out.dir, rp->name);
		opts.output_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		rc = rb_run_payload(si, rp, &opts, NULL, workload, &res, &rerr);
		if (opts.output_fd >= 0)
			close(opts.output_fd);
		if (rc < 0) {
			printf("%-20s error: %s\n", rp->name, rerr.msg);
			rb_record_skip(rb_record_add_run(rec, rp, NULL), "smoke", rerr.msg);
			rb_run_result_free(&res);
			failures++;
			continue;
		}
		rb_run_record(rb_record_add_run(rec, rp, res.argv), &res);
		fill_row(&rows[n], rp, &res, c.count);
		n++;
		rb_run_result_free(&res);
	}
	free(reapers);
	rb_argv_free(workload);
	table = smoke_table(rows, n);
	if (!table)
		rc = rb_sys_error(err, ENOMEM, "smoke: the table");
	else
		rc = rb_table_print(table, (enum rb_format)c.out.format, stdout);
	snprintf(path, sizeof(path), "%s/report.md", c.out.dir);
	if (rc == 0)
		rc = rb_output_end(&c.out, rec, err) ?: write_report(path, si, table, c.count, err);
	json_decref(rec);
	if (rc < 0)
		return -1;
	if (rb_output_kept(&c.out))
		printf("\nrecord  %s\nreport  %s\nlogs    %s/logs/ (each sandbox's output)\n",
		       c.out.record, path, c.out.dir);
	return failures ? 1 : 0;
}
