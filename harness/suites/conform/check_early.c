/* Early signals: SIGTERM sent to PID 1 from the parent namespace in the
 * first milliseconds after its exec, before the reaper has set up its
 * handlers or its mask and before the app has (a container stopped right
 * after it was started). The app is rb-payload signal-recorder --exit-on
 * TERM. Observed:
 *   delivered  the app logged TERM, or died of it before its handler was in
 *              place (PID 1 passed 143 on, or the joined app was killed by it)
 *   lost       the app never saw it: still running at the end of the settle
 * Where it gets lost: a namespace init drops a signal it neither blocks nor
 * handles (kernel/signal.c sig_ignored -> sig_task_ignored: SIG_DFL and
 * SIGNAL_UNKILLABLE); only a blocked signal stays pending. The harness execs
 * PID 1 with an empty mask, as runc does, so a TERM that comes between the
 * exec and the reaper's first sigprocmask (its own start-up: the dynamic
 * loader, option parsing) vanishes, and so does one that comes before the app
 * has a handler when the app is PID 1. Racy: `conform --repeat N`. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "conform.h"

#define SETTLE_NS (300 * 1000000LL)

static const struct {
	const char *name;
	int64_t delay_ns; /* after PID 1's exec */
	const char *doc;
} cases[] = {
	{ "early.sigterm", 0,
	  "SIGTERM right after PID 1's exec, before any set-up: does it reach the app?" },
	{ "early.sigterm.1ms", 1000000,
	  "SIGTERM 1 ms after PID 1's exec: does it reach the app?" },
};

/* The inits in the field make no claim: losing it is the finding, and
 * --repeat gives the rate. The reference blocks every signal before it
 * starts the app, so a TERM sent once the app runs must reach it. One sent
 * before may come before the reference's own first instruction, and only a
 * parent that execs PID 1 with signals blocked could keep that one (the
 * harness, like runc, execs with an empty mask): no claim then. At 0 ms that
 * is every run; at 1 ms, the runs where the start-up took longer (a loaded
 * machine, the sanitized build). */
static const char *expected_delivery(const struct rb_reaper *r, const struct rb_run_result *res)
{
	bool app_first = res->chan_valid && res->nsent == 1 && res->chan.t_start_ns > 0 &&
			 res->chan.t_start_ns < res->t_sent_ns[0];

	return r->class_ == RB_CLASS_REFERENCE && app_first ? "delivered" : "";
}

static double app_receipt_ms(const struct rb_run_result *res)
{
	const struct rb_channel *ch = &res->chan;
	uint32_t n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;

	for (uint32_t i = 0; i < n; i++)
		if (ch->signals[i].signo == SIGTERM && ch->signals[i].receiver == ch->payload_pid)
			return (ch->signals[i].t_ns - res->t_sent_ns[0]) / 1e6;
	return -1;
}

static int run_early(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	struct rb_run_plan plan = {
		.sends = { .n = 1, .sig = { SIGTERM }, .delay_ns = cases[c->arg].delay_ns,
			   .settle_ns = SETTLE_NS, .settle_sig = SIGTERM, .no_wait_ready = true },
	};
	const struct rb_reaper *r = ctx->r;
	char status[64], app[64] = "";
	struct rb_run_result res;
	struct rb_error err;
	double got_ms, start_ms;
	bool died_of_it;

	if (rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "signal-recorder", "--exit-on", "TERM"), &plan,
			   &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (res.nsent != 1) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "the signal was not sent: %s", res.send_skip);
	}
	rb_cell_expect(cell, expected_delivery(r, &res));
	got_ms = res.chan_valid ? app_receipt_ms(&res) : -1;
	/* The app's start relative to the send: negative = before it. */
	start_ms = res.chan_valid ? (res.chan.t_start_ns - res.t_sent_ns[0]) / 1e6 : 0;
	rb_status_string(res.sb.status, status, sizeof(status));
	if (r->mode == RB_MODE_STANDALONE) {
		if (res.sb.joiner_done)
			rb_status_string(res.sb.joiner_status, app, sizeof(app));
		died_of_it = res.sb.joiner_done && WIFSIGNALED(res.sb.joiner_status) &&
			     WTERMSIG(res.sb.joiner_status) == SIGTERM;
	} else if (r->mode == RB_MODE_WRAP) {
		/* A wrapper exits when its app does. An app that never returned
		 * from its verb (t_exit_ns 0) was killed, and TERM is all it was
		 * sent: before its handler, it died of it (PID 1 passes 143 on, or
		 * 0 if it loses the status). */
		died_of_it = !res.ended_by_harness &&
			     (res.chan_valid ? res.chan.t_exit_ns == 0
					     : rb_status_code(res.sb.status) == 128 + SIGTERM);
	} else {
		died_of_it = false; /* as PID 1, the app cannot die of it: sig_task_ignored */
	}
	if (got_ms >= 0)
		rb_cell_set(cell, "delivered", "the app logged it %.2f ms after the send (it started "
			    "%.2f ms %s it); PID 1 %s", got_ms, start_ms < 0 ? -start_ms : start_ms,
			    start_ms < 0 ? "before" : "after", status);
	else if (died_of_it)
		rb_cell_set(cell, "delivered", "the app died of it before its handler (%s%s%s)",
			    app[0] ? "the app " : "PID 1 ", app[0] ? app : status,
			    res.chan_valid ? "" : ", before it mapped the channel");
	else if (res.ended_by_harness)
		rb_cell_set(cell, "lost", "the app never saw it (it started %.2f ms %s the send); it "
			    "and PID 1 still ran at %lld ms", start_ms < 0 ? -start_ms : start_ms,
			    start_ms < 0 ? "before" : "after", (long long)(SETTLE_NS / 1000000));
	else
		rb_cell_set(cell, "lost", "the app never saw it; PID 1 %s%s%s", status,
			    app[0] ? ", the app " : "", app);
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; out && i < n && i < max; i++) {
		rb_check_set(&out[i], cases[i].name, cases[i].doc, (int)i, run_early, true);
	}
	return n;
}

const struct rb_check_family rb_family_early = { .name = "early", .expand = expand };
