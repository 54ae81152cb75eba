/* reapbench smoke: every available reaper clears one orphan burst. The
 * default plan of `make bench` until the full suites exist. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
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
	char out[RB_CLI_PATH_MAX];
	const char *json;
	long count;
	struct rb_selection sel;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt smoke_opts[] = {
	{ "count", 0, RB_OT_LONG, "N", AT(count), 1, RB_MAX_PID_MAX, .help = "orphans per burst" },
	RB_OPT_OUT(struct cfg, out),
	RB_OPT_JSON(struct cfg, json, "smoke"),
	{ 0 },
};

static const struct rb_cli smoke_cli = {
	.name = "smoke",
	.about = "Each reaper clears one orphan burst as PID 1 of a fresh sandbox: a quick check\n"
		 "that the harness and the reapers work here; writes a report and a record.",
	.opts = smoke_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_SANDBOX,
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

static void print_row(FILE *f, const struct smoke_row *row, bool md)
{
	char reap[32], peak[32];

	if (row->reap_ms >= 0)
		snprintf(reap, sizeof(reap), "%.2f", row->reap_ms);
	else
		snprintf(reap, sizeof(reap), "-");
	snprintf(peak, sizeof(peak), row->peak >= 0 ? "%lld" : "n/a", row->peak);
	if (md)
		fprintf(f, "| %s | %s | %s | %lld | %lld | %s | %s | %s |\n", row->name, row->version,
			row->status, row->spawned, row->reaped, reap, peak, row->verdict);
	else
		fprintf(f, "%-20s %-8s %-12s %7lld %7lld %12s %9s  %s\n", row->name, row->version,
			row->status, row->spawned, row->reaped, reap, peak, row->verdict);
}


static int write_report(const char *path, const struct rb_sysinfo *si, const struct smoke_row *rows,
			int n, long count, struct rb_error *err)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return rb_sys_error(err, errno, "writing %s", path);
	fprintf(f, "# reapbench smoke report\n\nHost `%s`, Linux %s, %d CPUs, reapbench %s (%s).\n\n"
		   "Each reaper runs as PID 1 of a fresh PID namespace; the payload makes %ld orphans\n"
		   "alive at once, releases them, and watches each one's pidfd for the reap.\n"
		   "Reap time is from release to the last reap; one run, not a benchmark.\n\n",
		si->hostname, si->kernel, si->cpus, rb_version, rb_commit, count);
	fprintf(f, "| reaper | version | PID 1 | spawned | reaped | reap all (ms) | peak pids | verdict |\n"
		   "|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < n; i++)
		print_row(f, &rows[i], true);
	fclose(f);
	return 0;
}

int rb_cmd_smoke(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct rb_sandbox_opts opts;
	struct smoke_row rows[64];
	struct cfg c = { .count = 500 };
	char path[1200], countarg[32], **workload = NULL, record[1200];
	char *payload[] = { "orphans", countarg, "--wait-reaped-ms", "3000", NULL };
	struct rb_reaper *reapers;
	size_t nreapers;
	int rc, n = 0, failures = 0, first;
	json_t *rec;

	rb_sandbox_opts_default(&opts);
	opts.deadline_ns = 20LL * 1000000000;
	rc = rb_cli_parse(&smoke_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = &c, .sandbox = &opts, .sel = &c.sel }, &first,
			  err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c.count + 8 > opts.pid_max)
		return rb_input_error(err, "smoke: --count %ld does not fit in --pid-max %ld", c.count,
				      opts.pid_max);
	if (rb_suite_results_dir(c.out, sizeof(c.out), si, err) < 0)
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
	rb_record_runtime(json_object_get(rec, "options"), opts.runtime);
	printf("%-20s %-8s %-12s %7s %7s %12s %9s  %s\n", "REAPER", "VERSION", "PID 1", "SPAWNED",
	       "REAPED", "REAP-ALL(ms)", "PEAK-PIDS", "VERDICT");
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
		snprintf(path, sizeof(path), "%s/logs/%s.log", c.out, rp->name);
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
		print_row(stdout, &rows[n], false);
		fflush(stdout);
		n++;
		rb_run_result_free(&res);
	}
	free(reapers);
	rb_argv_free(workload);
	rb_suite_record_path(record, sizeof(record), c.json, c.out, "smoke");
	rc = rb_record_write(rec, record, err);
	json_decref(rec);
	if (rc < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/report.md", c.out);
	if (write_report(path, si, rows, n, c.count, err) < 0)
		return -1;
	printf("\nrecord  %s\nreport  %s\nlogs    %s/logs/ (each sandbox's output)\n", record, path, c.out);
	return failures ? 1 : 0;
}
