/* Shutdown: `docker stop` sends SIGTERM to PID 1 from the parent namespace,
 * waits the grace period (--grace, ctx->grace_ns) and then sends SIGKILL.
 * Four applications: one with no SIGTERM handler at all, one that exits at
 * once on SIGTERM, one that takes 100 ms to shut down, one that ignores it.
 * Observed:
 *   graceful               PID 1 exited within the grace period and the app
 *                          ended by its own hand (it logged SIGTERM, or died
 *                          of its default action)
 *   killed                 PID 1 was still there after the grace period: the
 *                          SIGKILL was needed
 *   pid1 exits, app killed PID 1 exited in time but the app died of SIGKILL:
 *                          the namespace's teardown (zap_pid_ns_processes)
 *                          cut it short
 * The app's end is the app's own wait status (PIDFD_INFO_EXIT under a wrap
 * reaper), not what PID 1 reports. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "conform.h"

enum app { APP_NO_HANDLER, APP_EXITS, APP_SLOW, APP_IGNORES };

#define SLOW_MS "100"

static const struct {
	const char *name;
	char *argv[8]; /* payload words (execve takes char *const []) */
	const char *doc;
} apps[] = {
	[APP_NO_HANDLER] = { "shutdown.no-handler", { "sleep", "60" },
			     "docker stop, the app has no SIGTERM handler: stopped within the grace "
			     "period, or killed?" },
	[APP_EXITS] = { "shutdown.exits", { "signal-recorder", "--exit-on", "TERM" },
			"docker stop, the app exits at once on SIGTERM: stopped within the grace "
			"period, or killed?" },
	[APP_SLOW] = { "shutdown.slow", { "signal-recorder", "--exit-on", "TERM", "--exit-delay-ms",
					  SLOW_MS },
		       "docker stop, the app takes " SLOW_MS " ms to shut down: stopped within the "
		       "grace period, or killed?" },
	[APP_IGNORES] = { "shutdown.ignores", { "signal-recorder" },
			  "docker stop, the app ignores SIGTERM: killed after the grace period?" },
};

/* What the claims say: the app gets SIGTERM if the reaper forwards it
 * (mode none: the app is PID 1, and the kernel drops a signal from the
 * parent namespace that PID 1 has no handler for). Standalone: the app
 * runs beside PID 1, nothing is claimed. */
static const char *expected(const struct rb_reaper *r, enum app app)
{
	const struct rb_claims *c = &r->claims;
	bool delivered;

	switch (r->mode) {
	case RB_MODE_STANDALONE:
		return "";
	case RB_MODE_NONE:
		delivered = app != APP_NO_HANDLER;
		break;
	default:
		if (sigismember(&c->stops, SIGTERM))
			return "";
		delivered = c->forward_to != RB_FORWARD_NONE && sigismember(&c->forwards, SIGTERM);
		break;
	}
	return delivered && app != APP_IGNORES ? "graceful" : "killed";
}

/* Did the app log SIGTERM; when (ms after the send). */
static bool app_logged_term(const struct rb_run_result *res, double *ms)
{
	const struct rb_channel *ch = &res->chan;
	uint32_t n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;

	for (uint32_t i = 0; i < n; i++)
		if (ch->signals[i].signo == SIGTERM && ch->signals[i].receiver == ch->payload_pid) {
			*ms = (ch->signals[i].t_ns - res->t_sent_ns[0]) / 1e6;
			return true;
		}
	return false;
}

static int run_shutdown(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	enum app app = (enum app)c->arg;
	struct rb_run_plan plan = {
		/* via_runtime: under runc, runc kill, as containerd stops it */
		.sends = { .n = 1, .sig = { SIGTERM }, .settle_ns = ctx->grace_ns, .via_runtime = true },
		.watch_app = true,
	};
	char *argv[10] = { ctx->payload };
	char app_end[48], pid1_end[48], logged[48];
	struct rb_run_result res;
	struct rb_error err;
	double exit_ms, term_ms = 0;
	bool got_term, by_own_hand, killed;

	rb_cell_expect(cell, expected(ctx->r, app));
	for (size_t i = 0; apps[app].argv[i]; i++)
		argv[i + 1] = apps[app].argv[i];
	if (rb_conform_run(ctx, argv, &plan, &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (!res.chan.ready || res.nsent != 1) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "SIGTERM was not sent: %s",
				     res.send_skip[0] ? res.send_skip : "the app never got ready");
	}
	got_term = app_logged_term(&res, &term_ms);
	if (got_term)
		snprintf(logged, sizeof(logged), "logged SIGTERM +%.2f ms", term_ms);
	else
		snprintf(logged, sizeof(logged), "logged no SIGTERM");
	if (res.app_status_known)
		rb_status_string(res.app_status, app_end, sizeof(app_end));
	else
		snprintf(app_end, sizeof(app_end), "end unknown: %s", res.app_skip);
	rb_status_string(res.sb.status, pid1_end, sizeof(pid1_end));
	exit_ms = (res.sb.t_end_ns - res.t_sent_ns[0]) / 1e6;
	killed = res.app_status_known && WIFSIGNALED(res.app_status) &&
		 WTERMSIG(res.app_status) == SIGKILL;
	by_own_hand = !killed && (got_term || (res.app_status_known && WIFSIGNALED(res.app_status) &&
					       WTERMSIG(res.app_status) == SIGTERM));
	if (res.ended_by_harness)
		rb_cell_set(cell, "killed", "PID 1 still there %.0f ms after SIGTERM: SIGKILL; app %s, %s",
			    ctx->grace_ns / 1e6, logged, app_end);
	else if (killed)
		rb_cell_set(cell, "pid1 exits, app killed", "PID 1 %s %.1f ms after SIGTERM; app %s, %s",
			    pid1_end, exit_ms, logged, app_end);
	else if (by_own_hand)
		rb_cell_set(cell, "graceful", "PID 1 %s %.1f ms after SIGTERM; app %s, %s", pid1_end,
			    exit_ms, logged, app_end);
	else
		rb_cell_set(cell, "pid1 exits", "PID 1 %s %.1f ms after SIGTERM; app %s, %s", pid1_end,
			    exit_ms, logged, app_end);
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = sizeof(apps) / sizeof(apps[0]);

	for (size_t i = 0; out && i < n && i < max; i++) {
		rb_check_set(&out[i], apps[i].name, apps[i].doc, (int)i, run_shutdown, false);
	}
	return n;
}

const struct rb_check_family rb_family_shutdown = { .name = "shutdown", .expand = expand };
