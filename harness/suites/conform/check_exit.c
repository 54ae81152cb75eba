/* Exit status: what PID 1 reports when its application exits with N, dies
 * of a signal, or cannot be executed at all. This is what `docker run`
 * returns and what orchestrators act on. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "conform.h"
#include "expect.h"
#include "signames.h"

enum exit_kind { EXIT_CODE, EXIT_SIGNAL, EXEC_NOT_FOUND, EXEC_NOT_EXECUTABLE };

static const struct {
	enum exit_kind kind;
	int arg;
} cases[] = {
	{ EXIT_CODE, 0 },       { EXIT_CODE, 1 },         { EXIT_CODE, 42 },
	{ EXIT_CODE, 255 },     { EXIT_SIGNAL, SIGTERM }, { EXIT_SIGNAL, SIGKILL },
	{ EXIT_SIGNAL, SIGSEGV }, { EXEC_NOT_FOUND, 0 },  { EXEC_NOT_EXECUTABLE, 0 },
};

/* What the claims say PID 1 reports; "" if they say nothing. */
static void expected_status(const struct rb_claims *c, enum exit_kind kind, int arg, char *buf,
			    size_t len)
{
	static const enum rb_app_end how[] = {
		[EXIT_CODE] = RB_APP_EXITED, [EXIT_SIGNAL] = RB_APP_KILLED,
		[EXEC_NOT_FOUND] = RB_APP_NOT_FOUND, [EXEC_NOT_EXECUTABLE] = RB_APP_NOT_EXECUTABLE,
	};
	int code = rb_expect_exit_code(c, how[kind], arg);

	if (code >= 0)
		snprintf(buf, len, "%d", code);
	else
		buf[0] = '\0';
}

static int run_exit(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	enum exit_kind kind = cases[c->arg].kind;
	int arg = cases[c->arg].arg;
	char num[16], sig[16], expected[16];
	struct rb_run_result res;
	struct rb_error err;
	int rc;

	snprintf(num, sizeof(num), "%d", arg);
	snprintf(sig, sizeof(sig), "%d", arg);
	expected_status(&ctx->r->claims, kind, arg, expected, sizeof(expected));
	rb_cell_expect(cell, expected);
	switch (kind) {
	case EXIT_CODE:
		rc = rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "exit", num), NULL, &res, &err);
		break;
	case EXIT_SIGNAL:
		rc = rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "kill-self", sig), NULL, &res, &err);
		break;
	case EXEC_NOT_FOUND:
		rc = rb_conform_run(ctx, ((char *const[]){ "/nonexistent/reapbench-app", NULL }), NULL,
				    &res, &err);
		break;
	default:
		/* a file that exists but has no execute bit */
		rc = rb_conform_run(ctx, ((char *const[]){ "/etc/passwd", NULL }), NULL, &res, &err);
		break;
	}
	if (rc < 0) {
		rb_run_result_free(&res);
		/* Without a wrapper, nothing but the harness can exec the app. */
		if (ctx->r->mode != RB_MODE_WRAP && (kind == EXEC_NOT_FOUND || kind == EXEC_NOT_EXECUTABLE)) {
			rb_cell_set(cell, "n/a", "no %s execs the app: %s",
				    ctx->r->mode == RB_MODE_NONE ? "PID 1" : "reaper", err.msg);
			return 0;
		}
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (res.sb.end != RB_END_EXITED) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "PID 1 did not exit before the deadline");
	}
	snprintf(num, sizeof(num), "%d", rb_status_code(res.sb.status));
	rb_status_string(res.sb.status, sig, sizeof(sig));
	rb_cell_set(cell, num, "PID 1 %s%s", sig,
		    res.sb.joiner_done ? " (after SIGTERM; the joined app ended first)" : "");
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);
	char name[32];

	for (size_t i = 0; out && i < n && i < max; i++) {
		struct rb_check *c = &out[i];

		c->arg = (int)i;
		c->run = run_exit;
		switch (cases[i].kind) {
		case EXIT_CODE:
			snprintf(c->name, sizeof(c->name), "exit.code.%d", cases[i].arg);
			snprintf(c->doc, sizeof(c->doc), "the app exits %d: PID 1's exit status",
				 cases[i].arg);
			break;
		case EXIT_SIGNAL:
			rb_signal_name(cases[i].arg, name, sizeof(name));
			snprintf(c->name, sizeof(c->name), "exit.killed.%s", name);
			snprintf(c->doc, sizeof(c->doc), "the app dies of %s: PID 1's exit status", name);
			break;
		case EXEC_NOT_FOUND:
			snprintf(c->name, sizeof(c->name), "exit.exec.not-found");
			snprintf(c->doc, sizeof(c->doc), "the app does not exist: PID 1's exit status");
			break;
		case EXEC_NOT_EXECUTABLE:
			snprintf(c->name, sizeof(c->name), "exit.exec.not-executable");
			snprintf(c->doc, sizeof(c->doc),
				 "the app is a file without execute permission: PID 1's exit status");
			break;
		}
	}
	return n;
}

const struct rb_check_family rb_family_exit = { .name = "exit", .expand = expand };
