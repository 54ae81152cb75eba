/* Pods: Kubernetes runs a standalone reaper (pause) as PID 1 of a shared PID
 * namespace and joins each container to it. The kubelet stops a pod by
 * sending SIGTERM to each container's main process, SIGKILL to those left
 * after the grace period (--grace), and then stopping the sandbox: SIGTERM
 * to pause, which exits 0. Only a standalone reaper can hold a pod; under
 * the others the cells are "n/a" and nothing runs.
 *   pod.orphans  one container makes 200 orphans while the other runs: PID 1
 *                inherits them: "all reaped" or "leaks"
 *   pod.stop     both containers shut down on SIGTERM (one takes 100 ms),
 *                then PID 1 is stopped: "clean", or what went wrong first:
 *                "container killed", "pid1 killed" (it ignored its stop
 *                signal), "pid1 exit N", "pid1 gone early" */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conform.h"

enum pod_case { POD_ORPHANS, POD_STOP };

static int run_pod(struct rb_conform_ctx *ctx, char *const *const containers[], int n,
		   struct rb_pod_result *res, struct rb_error *err)
{
	struct rb_pod_plan plan = { .grace_ns = ctx->grace_ns, .stop_signal = SIGTERM };
	struct rb_sandbox_opts opts = ctx->opts;
	int rc;

	/* as rb_conform_run: the programs' own output goes nowhere */
	opts.output_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	rc = rb_run_pod(ctx->si, ctx->r, &opts, &plan, containers, n, res, err);
	if (opts.output_fd >= 0)
		close(opts.output_fd);
	return rc;
}

/* "exited 143 +0.3 ms": how container I ended, after its SIGTERM. */
static void container_end(const struct rb_pod_result *res, int i, char *buf, size_t len)
{
	const struct rb_pod_container *c = &res->c[i];
	char st[48];

	rb_status_string(c->status, st, sizeof(st));
	if (!c->done)
		snprintf(buf, len, "status unknown");
	else if (c->t_term_ns)
		snprintf(buf, len, "%s +%.1f ms%s", st, (c->t_exit_ns - c->t_term_ns) / 1e6,
			 c->killed ? " (SIGKILLed)" : "");
	else
		snprintf(buf, len, "%s before the stop", st);
}

static bool logged(const struct rb_channel *ch, int sig)
{
	uint32_t n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;

	for (uint32_t i = 0; i < n; i++)
		if (ch->signals[i].signo == sig && ch->signals[i].receiver == ch->payload_pid)
			return true;
	return false;
}

/* PID 1's part of the stop, for the detail. */
static void pid1_end(const struct rb_pod_result *res, char *buf, size_t len)
{
	char st[48];

	rb_status_string(res->sb.status, st, sizeof(st));
	if (res->t_stop_ns)
		snprintf(buf, len, "PID 1 %s +%.1f ms after SIGTERM%s", st,
			 (res->sb.t_end_ns - res->t_stop_ns) / 1e6,
			 res->pid1_killed ? " (SIGKILLed after the grace period)" : "");
	else
		snprintf(buf, len, "PID 1 %s before it was stopped", st);
}

static int run_orphans(struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	char *const maker[] = { ctx->payload, "orphans", "200", "--wait-reaped-ms", "1000", NULL };
	char *const other[] = { ctx->payload, "signal-recorder", "--exit-on", "TERM", NULL };
	char *const *const containers[] = { maker, other };
	struct rb_pod_result res;
	struct rb_error err;
	const struct rb_channel *ch;
	char pid1[128];

	rb_cell_expect(cell, ctx->r->claims.reaps ? "all reaped" : "leaks");
	if (run_pod(ctx, containers, 2, &res, &err) < 0) {
		rb_pod_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	ch = res.c[0].chan;
	if (!res.c[0].chan_valid || ch->spawned == 0) {
		rb_pod_result_free(&res);
		return rb_cell_error(cell, "the orphan-making container spawned nothing");
	}
	if (!res.c[1].chan_valid || !res.c[1].chan->ready) {
		rb_pod_result_free(&res);
		return rb_cell_error(cell, "the other container never got ready");
	}
	pid1_end(&res, pid1, sizeof(pid1));
	if (ch->t_all_reaped_ns)
		rb_cell_set(cell, ch->reaped == ch->spawned ? "all reaped" : "leaks",
			    "reaped %llu of %llu, the last %.1f ms after release, the other container "
			    "running; %s", (unsigned long long)ch->reaped,
			    (unsigned long long)ch->spawned,
			    (ch->t_all_reaped_ns - ch->t_released_ns) / 1e6, pid1);
	else
		rb_cell_set(cell, "leaks", "reaped %llu of %llu within 1 s, the other container "
			    "running; %s", (unsigned long long)ch->reaped,
			    (unsigned long long)ch->spawned, pid1);
	rb_pod_result_free(&res);
	return 0;
}

static int run_stop(struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	char *const quick[] = { ctx->payload, "signal-recorder", "--exit-on", "TERM", NULL };
	char *const slow[] = { ctx->payload, "signal-recorder", "--exit-on", "TERM",
			       "--exit-delay-ms", "100", NULL };
	char *const *const containers[] = { quick, slow };
	struct rb_pod_result res;
	struct rb_error err;
	char ends[2][64], pid1[128], observed[48] = "clean";

	/* nothing in the claims says what a standalone reaper does on SIGTERM */
	rb_cell_expect(cell, "");
	if (run_pod(ctx, containers, 2, &res, &err) < 0) {
		rb_pod_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	for (int i = 0; i < 2; i++)
		if (!res.c[i].chan_valid || !res.c[i].chan->ready) {
			rb_pod_result_free(&res);
			return rb_cell_error(cell, "container %d never got ready", i + 1);
		}
	for (int i = 0; i < 2; i++)
		container_end(&res, i, ends[i], sizeof(ends[i]));
	pid1_end(&res, pid1, sizeof(pid1));
	if (res.pid1_early)
		snprintf(observed, sizeof(observed), "pid1 gone early");
	else if (res.c[0].killed || res.c[1].killed || !logged(res.c[0].chan, SIGTERM) ||
		 !logged(res.c[1].chan, SIGTERM))
		snprintf(observed, sizeof(observed), "container killed");
	else if (res.pid1_killed || !WIFEXITED(res.sb.status))
		snprintf(observed, sizeof(observed), "pid1 killed");
	else if (WEXITSTATUS(res.sb.status) != 0)
		snprintf(observed, sizeof(observed), "pid1 exit %d", WEXITSTATUS(res.sb.status));
	rb_cell_set(cell, observed, "containers: %s, %s; %s", ends[0], ends[1], pid1);
	rb_pod_result_free(&res);
	return 0;
}

static int run_pod_check(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	if (ctx->r->mode != RB_MODE_STANDALONE) {
		rb_cell_expect(cell, "");
		rb_cell_set(cell, "n/a", "a pod needs a standalone reaper, %s runs in %s mode",
			    ctx->r->name, rb_mode_name(ctx->r->mode));
		return 0;
	}
	return c->arg == POD_ORPHANS ? run_orphans(ctx, cell) : run_stop(ctx, cell);
}

static size_t expand(struct rb_check *out, size_t max)
{
	static const struct {
		const char *name, *doc;
	} cases[] = {
		[POD_ORPHANS] = { "pod.orphans", "a pod of two containers, one makes 200 orphans: "
						 "does PID 1 (the pod's reaper) reap them all?" },
		[POD_STOP] = { "pod.stop", "the kubelet stops a pod: SIGTERM to each container, "
					   "grace period, SIGKILL, then SIGTERM to PID 1: clean?" },
	};
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; out && i < n && i < max; i++) {
		rb_check_set(&out[i], cases[i].name, cases[i].doc, (int)i, run_pod_check, false);
	}
	return n;
}

const struct rb_check_family rb_family_pod = { .name = "pod", .expand = expand };
