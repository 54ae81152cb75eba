/* Inherited signal state: the blocked mask and the SIG_IGN dispositions the
 * application starts with. The harness execs PID 1 with an empty mask and
 * every disposition default (sandbox.c reset_signals), as a container
 * runtime does, so whatever the app starts with is what the init did: a
 * signal left blocked or ignored across the init's exec never reaches the
 * app (catatonit blocks TSTP/TTIN/TTOU in its child on purpose; glibc's
 * posix_spawn leaves its internal signals 32/33 SIG_IGN). The payload
 * (`exit 0`) reads both at its first instruction, through raw system calls,
 * so glibc's own signals are seen too (bit n-1 = signal n). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "expect.h"
#include "signames.h"

enum inherit_case { INHERIT_BLOCKED, INHERIT_IGNORED };

static const struct {
	const char *name, *doc;
} cases[] = {
	[INHERIT_BLOCKED] = { "inherit.blocked",
			      "the app's blocked signal mask at start (what the init left blocked)" },
	[INHERIT_IGNORED] = { "inherit.ignored",
			      "signals the app inherits as SIG_IGN (what the init left ignored)" },
};

static void expected_state(const struct rb_reaper *r, enum inherit_case kind, char *buf, size_t len)
{
	rb_expect_inherit(r, kind == INHERIT_BLOCKED, buf, len);
}

static int run_inherit(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	enum inherit_case kind = (enum inherit_case)c->arg;
	char expected[48], observed[48], blocked[160], ignored[160];
	struct rb_run_result res;
	struct rb_error err;

	expected_state(ctx->r, kind, expected, sizeof(expected));
	rb_cell_expect(cell, expected);
	if (rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "exit", "0"), NULL, &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (!res.chan_valid) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "the app never reported its start state");
	}
	rb_signal_set_names(res.chan.sigmask, blocked, sizeof(blocked));
	rb_signal_set_names(res.chan.sigignored, ignored, sizeof(ignored));
	snprintf(observed, sizeof(observed), "%s", kind == INHERIT_BLOCKED ? blocked : ignored);
	rb_cell_set(cell, observed, "blocked %#llx (%s), ignored %#llx (%s)%s",
		    (unsigned long long)res.chan.sigmask, blocked,
		    (unsigned long long)res.chan.sigignored, ignored,
		    ctx->r->mode == RB_MODE_NONE ? "; the harness started the app itself"
		    : ctx->r->mode == RB_MODE_STANDALONE ? "; the harness started the joined app" : "");
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; out && i < n && i < max; i++) {
		rb_check_set(&out[i], cases[i].name, cases[i].doc, (int)i, run_inherit, false);
	}
	return n;
}

const struct rb_check_family rb_family_inherit = { .name = "inherit", .expand = expand };
