/* Main exit: the app's main process exits while other processes of the
 * container still run. What do they get: SIGTERM from PID 1 first, a chance
 * to shut down, or only the SIGKILL of the namespace's teardown (the kernel's
 * zap_pid_ns_processes, once PID 1 exits)? And how long until the sandbox is
 * gone. The app is rb-payload signal-recorder with two members in its
 * process group that outlive it (no PDEATHSIG) and log every signal; it
 * exits 0 after 100 ms. Observed:
 *   term   a member logged SIGTERM before it died
 *   kill   none did: they died of SIGKILL (the only signal they cannot log)
 *   pid1 stays  PID 1 was still there 1.9 s after the main exited (0.2 s
 *               for a standalone PID 1, which is not the main's parent) */
#include <signal.h>
#include <stdio.h>

#include "conform.h"
#include "expect.h"

#define MEMBERS 2
/* PID 1's time to follow the main out, from the app's start (the main
 * exits after 100 ms). A standalone PID 1 is not the app's parent: it
 * does not see the main exit, and it is given less. */
#define STAY_NS (2LL * 1000000000)
#define STAY_STANDALONE_NS (300LL * 1000000)

static int run_main_exit(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	/* no sends: the plan only bounds the run (then SIGKILL) */
	struct rb_run_plan plan = {
		.sends = { .settle_ns = ctx->r->mode == RB_MODE_STANDALONE ? STAY_STANDALONE_NS : STAY_NS },
	};
	const struct rb_channel *ch;
	struct rb_run_result res;
	struct rb_error err;
	int termed = 0, sender = 0;
	double first_ms = 0, gone_ms;
	uint32_t n;

	(void)c;
	rb_cell_expect(cell, rb_expect_main_exit(&ctx->r->claims));
	if (rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "signal-recorder", "--members", "2",
						"--members-outlive", "--seconds", "0.1"),
			   &plan, &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	ch = &res.chan;
	if (!res.chan.ready || !ch->t_exit_ns) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", !res.chan.ready ? "the app never got ready"
								 : "the main recorder did not exit");
	}
	n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_signal_entry *e = &ch->signals[i];

		if (e->signo != SIGTERM || e->receiver == ch->payload_pid)
			continue;
		if (termed++ == 0) {
			first_ms = (e->t_ns - ch->t_exit_ns) / 1e6;
			sender = e->pid;
		}
	}
	gone_ms = (res.sb.t_end_ns - ch->t_exit_ns) / 1e6;
	if (res.ended_by_harness)
		rb_cell_set(cell, "pid1 stays", "PID 1 still there %.0f ms after the main exited "
			    "(SIGKILLed); %d of %d members logged SIGTERM", gone_ms, termed, MEMBERS);
	else if (termed)
		rb_cell_set(cell, "term", "%d of %d members logged SIGTERM (si_pid %d) +%.2f ms after "
			    "the main exited; sandbox gone +%.2f ms", termed, MEMBERS, sender, first_ms,
			    gone_ms);
	else
		rb_cell_set(cell, "kill", "no member logged SIGTERM: SIGKILL only; sandbox gone "
			    "+%.2f ms after the main exited", gone_ms);
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	if (out && max > 0) {
		snprintf(out[0].name, sizeof(out[0].name), "main_exit.members");
		snprintf(out[0].doc, sizeof(out[0].doc),
			 "the app's main process exits, %d members of its group live on: SIGTERM "
			 "first, or only the teardown's SIGKILL?", MEMBERS);
		out[0].run = run_main_exit;
		/* dumb-init's SIGTERM races the kernel's SIGKILL */
		out[0].racy = true;
	}
	return 1;
}

const struct rb_check_family rb_family_main_exit = { .name = "main_exit", .expand = expand };
