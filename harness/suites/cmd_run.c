/* reapbench run --reaper R -- PAYLOAD ARGS: one payload under one reaper. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "output.h"
#include "signames.h"
#include "record.h"
#include "runner.h"

struct cfg {
	const char *reaper;
	struct rb_output out;
	struct rb_run_plan plan;
};

static int parse_send(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct rb_run_plan *plan = field;

	if (plan->sends.n == RB_MAX_SENDS)
		return rb_input_error(err, "%s: at most %d signals", opt, RB_MAX_SENDS);
	plan->sends.sig[plan->sends.n] = rb_signal_parse(arg);
	if (plan->sends.sig[plan->sends.n] < 0)
		return rb_input_error(err, "%s: '%s' is not a signal", opt, arg);
	plan->sends.n++;
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt run_opts[] = {
	{ "reaper", 'r', RB_OT_STR, "R", AT(reaper),
	  .help = "the reaper: a name (reapbench list) or a descriptor file" },
	{ "send", 0, RB_OT_FN, "SIG", AT(plan), .parse = parse_send,
	  .help = "send SIG to PID 1 from outside once the payload is ready\n"
		  "(repeatable; the signal-recorder payload reports ready)" },
	{ "send-delay", 0, RB_OT_NS, "DUR", AT(plan.sends.delay_ns), 0, 3600e9,
	  .help = "wait DUR after ready before sending" },
	{ "json", 0, RB_OT_STR, "PATH", RB_IN_OUTPUT, offsetof(struct rb_output, json),
	  .help = "the record", .dflt = "DIR/run.json, without --out\nresults/runs/<time>-<reaper>-<pid>.json" },
	RB_OPT_FORMAT(rb_output_formats_no_md),
	{ 0 },
};

static const struct rb_cli run_cli = {
	.name = "run",
	.synopsis = "-r REAPER [OPTIONS] -- PAYLOAD [ARGS...]",
	.about = "PAYLOAD is an rb-payload verb (exit N, kill-self SIG, sleep S, signal-recorder,\n"
		 "orphans N, zombies N, storm PATTERN [--count N ...], leave N, scenario FILE)\n"
		 "or any executable.",
	.opts = run_opts,
	.groups = RB_CLI_OUTPUT | RB_CLI_SANDBOX,
	.max_args = 1 << 20,
	.stop_at_args = true,
};

/* One argv word, shell-quoted only when it needs to be. */
static void print_word(const char *w)
{
	char *const one[] = { (char *)w, NULL };
	char *quoted;

	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_./=:,+-@%") == strlen(w)) {
		printf(" %s", w);
		return;
	}
	quoted = rb_shell_join(one);
	printf(" %s", quoted ? quoted : w);
	free(quoted);
}

/* "signals   sent SIGUSR1 SIGTERM; received SIGUSR1 by 2 (si_pid 1, si_code 0) +0.08 ms" */
static void print_signals(const struct rb_run_result *res)
{
	const struct rb_channel *c = &res->chan;
	uint32_t n = c->nsignals < RB_CHANNEL_MAX_SIGNALS ? c->nsignals : RB_CHANNEL_MAX_SIGNALS;
	int64_t t0 = res->nsent ? res->t_sent_ns[0] : res->sb.t_start_ns;
	char name[32];

	if (res->nsent == 0 && n == 0 && !res->send_skip[0])
		return;
	printf("signals   sent");
	for (int i = 0; i < res->nsent; i++)
		printf(" %s", rb_signal_name(res->plan_sig[i], name, sizeof(name)));
	if (res->nsent == 0)
		printf(" none");
	if (res->send_skip[0])
		printf(" (%s)", res->send_skip);
	printf("; payload received %u\n", c->nsignals);
	for (uint32_t i = 0; i < n; i++)
		printf("          %s to pid %d (si_pid %d, si_code %d) at %+.3f ms\n",
		       rb_signal_name(c->signals[i].signo, name, sizeof(name)), c->signals[i].receiver,
		       c->signals[i].pid, c->signals[i].code, (c->signals[i].t_ns - t0) / 1e6);
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
		print_word(*a);
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
	printf("%s%s\n", sb->runtime == RB_RUNTIME_RUNC ? "runc container (root)"
			 : sb->userns			   ? "user namespace"
							   : "root",
	       o->seccomp == RB_SECCOMP_DOCKER_DEFAULT ? ", seccomp docker-default" : "");
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
	print_signals(res);
	if (res->chan_valid && (c->spawned || c->spawn_failed)) {
		printf("payload   spawned %llu, failed %llu, reaped %llu",
		       (unsigned long long)c->spawned, (unsigned long long)c->spawn_failed,
		       (unsigned long long)c->reaped);
		if (c->t_all_reaped_ns)
			printf(", all reaped %.2f ms after release",
			       (c->t_all_reaped_ns - c->t_released_ns) / 1e6);
		else if (c->reaped < c->spawned) /* the payload's wait for them ran out */
			printf(": %llu zombies left, never reaped",
			       (unsigned long long)(c->spawned - c->reaped));
		printf("\n");
	}
}

int rb_cmd_run(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct rb_sandbox_opts opts;
	struct rb_run_result res;
	struct rb_reaper r;
	struct cfg c = { .out = RB_OUTPUT_INIT };
	struct rb_output *out cleanup_output = &c.out;
	const char *reaper;
	char **workload = NULL;
	json_t *rec;
	int rc, first;

	rb_sandbox_opts_default(&opts);
	rc = rb_cli_parse(&run_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = &c, .output = &c.out, .sandbox = &opts },
			  &first, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	reaper = c.reaper;
	if (!reaper)
		return rb_input_error(err, "run: --reaper is required (see reapbench list)");
	if (rb_reaper_find(si, reaper, &r, err) < 0)
		return -1;
	rb_reaper_resolve(si, &r);
	if (rb_require_available(&r, err) < 0 || rb_output_begin(out, "run", 0, si, err) < 0 ||
	    rb_resolve_workload(si, argv + first, &workload, err) < 0)
		return -1;
	if (!out->json && !out->dir[0] && out->record[0]) {
		char name[96];

		/* the pid keeps parallel runs of one reaper apart */
		snprintf(name, sizeof(name), "%s-%d", r.name, (int)getpid());
		rb_default_record_path(out->record, sizeof(out->record), name);
	}
	rc = rb_run_payload(si, &r, &opts, &c.plan, workload, &res, err);
	rb_argv_free(workload);
	if (rc < 0) {
		rb_run_result_free(&res);
		return -1;
	}
	print_result(&r, &opts, &res);
	rec = rb_record_new("run", si);
	rb_sandbox_opts_record(json_object_get(rec, "options"), &opts);
	rb_run_record(rb_record_add_run(rec, &r, res.argv), &res);
	rc = rb_output_end(out, rec, err);
	json_decref(rec);
	if (rc < 0) {
		rb_run_result_free(&res);
		return -1;
	}
	if (rb_output_kept(out))
		printf("record    %s\n", out->record);
	rc = res.sb.end == RB_END_EXITED ? 0 : res.sb.end == RB_END_DEADLINE ? 1 : 130;
	rb_run_result_free(&res);
	return rc;
}
