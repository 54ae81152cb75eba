/* Signal forwarding: one signal sent to PID 1, from the parent namespace (as
 * `docker stop`/`docker kill` send it) or from inside (`kill 1` in the
 * container). The application is rb-payload signal-recorder, with one more
 * member of its process group and one process that called setsid, all with
 * handlers for every catchable signal. Observed, by who logged the signal:
 *   dropped  nobody            app    the app only
 *   group    app + its group   all    app, group and the setsid process
 *   stopped  nobody, but the app is stopped (the init sent SIGSTOP instead)
 * and " xN" when the app got it N > 1 times. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "expect.h"
#include "signames.h"

#define FROM_INSIDE 0x1000

/* Standard signals, minus the two that cannot be caught, plus a sample of
 * realtime ones (glibc keeps 32 and 33 for itself). */
static const int signals[] = {
	SIGHUP,  SIGINT,    SIGQUIT, SIGILL,  SIGTRAP,  SIGABRT, SIGBUS,   SIGFPE,
	SIGUSR1, SIGSEGV,   SIGUSR2, SIGPIPE, SIGALRM,  SIGTERM, SIGSTKFLT, SIGCHLD,
	SIGCONT, SIGTSTP,   SIGTTIN, SIGTTOU, SIGURG,   SIGXCPU, SIGXFSZ,  SIGVTALRM,
	SIGPROF, SIGWINCH,  SIGIO,   SIGPWR,  SIGSYS,   34,      37,       64,
};
#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))

struct receipts {
	int app, group, session; /* how many times each kind of process logged SIG */
	double first_ms;         /* app's receipt after the send (or after ready) */
	int sender, code;        /* si_pid, si_code as the app saw them */
};

static void count_receipts(const struct rb_run_result *res, int sig, struct receipts *rc)
{
	const struct rb_channel *ch = &res->chan;
	uint32_t n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;
	int64_t t0 = res->nsent ? res->t_sent_ns[0] : ch->t_ready_ns;

	memset(rc, 0, sizeof(*rc));
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_signal_entry *e = &ch->signals[i];

		if (e->signo != sig)
			continue;
		if (e->receiver == ch->payload_pid) {
			if (rc->app++ == 0) {
				rc->first_ms = (e->t_ns - t0) / 1e6;
				rc->sender = e->pid;
				rc->code = e->code;
			}
		} else if (e->receiver == ch->setsid_member_pid) {
			rc->session++;
		} else {
			rc->group++;
		}
	}
}

static void observed_receivers(const struct receipts *rc, char *buf, size_t len)
{
	const char *who = rc->session ? "all" : rc->group ? "group" : rc->app ? "app" : "dropped";

	if (!rc->app && (rc->group || rc->session))
		who = rc->session ? "others only" : "group only";
	if (rc->app > 1)
		snprintf(buf, len, "%s x%d", who, rc->app);
	else
		snprintf(buf, len, "%s", who);
}

static int run_forward(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	int sig = c->arg & 0xff;
	bool inside = c->arg & FROM_INSIDE;
	struct rb_run_plan plan = {
		.sends = { .n = inside ? 0 : 1, .sig = { sig }, .settle_ns = 200 * 1000000LL, .settle_sig = sig },
	};
	char signum[16], observed[48];
	struct rb_run_result res;
	struct receipts rc;
	struct rb_error err;
	int rcode;

	rb_cell_expect(cell, rb_expect_receivers(ctx->r, sig));
	snprintf(signum, sizeof(signum), "%d", sig);
	if (inside)
		rcode = rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "signal-recorder", "--members", "1",
							    "--setsid-member", "--kill-pid1", signum),
				       &plan, &res, &err);
	else
		rcode = rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "signal-recorder", "--members", "1",
							    "--setsid-member"),
				       &plan, &res, &err);
	if (rcode < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (!res.chan.ready || (!inside && res.nsent != 1)) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "the signal was not sent: %s",
				     res.send_skip[0] ? res.send_skip : "the app never got ready");
	}
	count_receipts(&res, sig, &rc);
	observed_receivers(&rc, observed, sizeof(observed));
	if (!rc.app && !rc.group && !rc.session && res.children_stopped)
		snprintf(observed, sizeof(observed), "stopped");
	if (rc.app)
		rb_cell_set(cell, observed, "app +%.2f ms (si_pid %d, si_code %d), group %d, setsid %d",
			    rc.first_ms, rc.sender, rc.code, rc.group, rc.session);
	else
		rb_cell_set(cell, observed, "group %d, setsid %d; PID 1 %s", rc.group, rc.session,
			    res.ended_by_harness ? "still running" : "exited first");
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = 0;
	char name[24];

	for (int inside = 0; inside < 2; inside++)
		for (size_t i = 0; i < N_SIGNALS; i++, n++) {
			struct rb_check *c = out && n < max ? &out[n] : NULL;

			if (!c)
				continue;
			rb_signal_name(signals[i], name, sizeof(name));
			c->arg = signals[i] | (inside ? FROM_INSIDE : 0);
			c->run = run_forward;
			snprintf(c->name, sizeof(c->name), "forward.%s.%s", inside ? "inside" : "parent",
				 name);
			snprintf(c->doc, sizeof(c->doc), "%s sent to PID 1 from %s: who of the app, its "
				 "group and a setsid process gets it", name,
				 inside ? "inside the namespace" : "the parent namespace");
		}
	return n;
}

const struct rb_check_family rb_family_forward = { .name = "forward", .expand = expand };
