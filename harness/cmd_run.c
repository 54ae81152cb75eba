/* reapbench run --reaper R -- PAYLOAD ARGS: one payload under one reaper. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "record.h"
#include "runner.h"

enum { OPT_JSON = RB_OPT_FIRST_FREE, OPT_NO_RECORD };

static void usage(void)
{
	printf("usage: reapbench run --reaper NAME|FILE [OPTIONS] -- PAYLOAD [ARGS...]\n\n"
	       "PAYLOAD is an rb-payload verb (exit N, kill-self SIG, sleep S, signal-recorder,\n"
	       "orphans N, zombies N) or any executable.\n\n"
	       "  -r, --reaper R    reaper name (reapbench list) or descriptor file\n"
	       RB_SANDBOX_USAGE
	       "  --json PATH       where to write the run record\n"
	       "                    (default results/runs/<time>-<reaper>.json)\n"
	       "  --no-record       write no record\n");
}

static void default_record_path(char *buf, size_t len, const char *reaper)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/runs/%s-%s-%d.json", when, reaper, (int)getpid());
}

static void print_result(const struct rb_reaper *r, const struct rb_sandbox_opts *o,
			 const struct rb_run_result *res)
{
	const struct rb_sandbox *sb = &res->sb;
	const struct rb_channel *c = &res->chan;
	char status[64];

	printf("reaper    %s %s  %s  (%s)\n", r->name, r->version, r->path[0] ? r->path : "-",
	       rb_mode_name(r->mode));
	printf("command  ");
	for (char **a = res->argv; *a; a++)
		printf(" %s", *a);
	printf("\n");
	printf("sandbox   ");
	if (sb->pid_max_set)
		printf("pid_max %ld, ", o->pid_max);
	else
		printf("pid_max not set (%s), ", sb->pid_max_skip);
	if (sb->has_cgroup)
		printf("cgroup v%d pids.max %ld, ", sb->cg.version, o->pids_max ? o->pids_max : o->pid_max);
	else
		printf("no cgroup (%s), ", sb->cgroup_skip);
	printf("%s\n", sb->userns ? "user namespace" : "root");
	if (sb->joiner_done)
		printf("workload  %s (joined PID 1's namespaces)\n",
		       rb_status_string(sb->joiner_status, status, sizeof(status)));
	printf("pid1      %s after %.1f ms%s\n", rb_status_string(sb->status, status, sizeof(status)),
	       (sb->t_end_ns - sb->t_start_ns) / 1e6,
	       sb->end == RB_END_DEADLINE      ? " (killed at the deadline)"
	       : sb->end == RB_END_INTERRUPTED ? " (killed: harness interrupted)"
					       : "");
	if (sb->has_cgroup && sb->pids_peak >= 0)
		printf("pids      peak %ld (cgroup pids.peak)\n", sb->pids_peak);
	else
		printf("pids      peak not measured: %s\n", sb->has_cgroup ? "pids.peak unreadable"
								     : sb->cgroup_skip);
	if (res->chan_valid && (c->spawned || c->spawn_failed)) {
		printf("payload   spawned %llu, failed %llu, reaped %llu",
		       (unsigned long long)c->spawned, (unsigned long long)c->spawn_failed,
		       (unsigned long long)c->reaped);
		if (c->t_all_reaped_ns)
			printf(", all reaped %.2f ms after release",
			       (c->t_all_reaped_ns - c->t_released_ns) / 1e6);
		printf("\n");
	}
}

int rb_cmd_run(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	static const struct option longopts[] = {
		{ "reaper", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "no-record", no_argument, NULL, OPT_NO_RECORD }, RB_SANDBOX_LONGOPTS, { 0 },
	};
	struct rb_sandbox_opts opts;
	struct rb_run_result res;
	struct rb_reaper r;
	const char *reaper = NULL, *json_path = NULL;
	char record_path[512], **workload = NULL;
	bool record = true;
	json_t *rec;
	int opt, rc;

	rb_sandbox_opts_default(&opts);
	while ((opt = getopt_long(argc, argv, "+r:h", longopts, NULL)) != -1) {
		rc = rb_sandbox_opt(opt, optarg, &opts, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		switch (opt) {
		case 'r':
			reaper = optarg;
			break;
		case 'h':
			usage();
			return 0;
		case OPT_JSON:
			json_path = optarg;
			break;
		case OPT_NO_RECORD:
			record = false;
			break;
		default:
			return rb_bad_option("run", argv, err);
		}
	}
	if (!reaper)
		return rb_input_error(err, "run: --reaper is required (see reapbench list)");
	if (rb_reaper_find(si, reaper, &r, err) < 0)
		return -1;
	rb_reaper_resolve(si, &r);
	if (rb_require_available(&r, err) < 0 ||
	    rb_resolve_workload(si, argv + optind, &workload, err) < 0)
		return -1;
	rc = rb_run_payload(si, &r, &opts, workload, &res, err);
	rb_argv_free(workload);
	if (rc < 0) {
		rb_run_result_free(&res);
		return -1;
	}
	print_result(&r, &opts, &res);
	if (record) {
		if (!json_path)
			default_record_path(record_path, sizeof(record_path), r.name);
		rec = rb_record_new("run", si);
		json_object_set_new(json_object_get(rec, "options"), "pid_max", json_integer(opts.pid_max));
		json_object_set_new(json_object_get(rec, "options"), "pids_max",
				    json_integer(opts.pids_max ? opts.pids_max : opts.pid_max));
		json_object_set_new(json_object_get(rec, "options"), "deadline_s",
				    json_real(opts.deadline_ns / 1e9));
		rb_run_record(rb_record_add_run(rec, &r, res.argv), &res);
		rc = rb_record_write(rec, json_path ? json_path : record_path, err);
		json_decref(rec);
		if (rc < 0) {
			rb_run_result_free(&res);
			return -1;
		}
		printf("record    %s\n", json_path ? json_path : record_path);
	}
	rc = res.sb.end == RB_END_EXITED ? 0 : res.sb.end == RB_END_DEADLINE ? 1 : 130;
	rb_run_result_free(&res);
	return rc;
}
