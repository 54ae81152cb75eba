/* The claims model: see expect.h. */
#include "expect.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "signames.h"

const char *rb_expect_receivers(const struct rb_reaper *r, int sig)
{
	const struct rb_claims *c = &r->claims;

	/* No init: the app is PID 1 and has a handler, so the kernel delivers. */
	if (r->mode == RB_MODE_NONE)
		return "app";
	if (sigismember(&c->stops, sig))
		return "stopped";
	if (c->forward_to == RB_FORWARD_NONE || !sigismember(&c->forwards, sig))
		return "dropped";
	return c->forward_to == RB_FORWARD_GROUP ? "group" : "app";
}

int rb_expect_exit_code(const struct rb_claims *c, enum rb_app_end how, int arg)
{
	switch (how) {
	case RB_APP_EXITED:
	case RB_APP_KILLED:
		if (c->exit_status == RB_EXIT_PASSTHROUGH)
			return how == RB_APP_EXITED ? arg & 0xff : 128 + arg;
		return c->exit_status == RB_EXIT_ZERO ? 0 : -1;
	case RB_APP_NOT_FOUND:
		return c->exec_not_found;
	case RB_APP_NOT_EXECUTABLE:
		return c->exec_not_executable;
	}
	return -1;
}

const char *rb_expect_main_exit(const struct rb_claims *c)
{
	switch (c->main_exit) {
	case RB_MAIN_EXIT_KILL:
		return "kill";
	case RB_MAIN_EXIT_TERM:
		return "term";
	default:
		return "";
	}
}

void rb_signal_set_names(uint64_t bits, char *buf, size_t len)
{
	size_t at = 0;
	char name[32];

	buf[0] = '\0';
	for (int sig = 1; sig <= 64 && at < len; sig++) {
		if (!(bits & (1ull << (sig - 1))))
			continue;
		rb_signal_name(sig, name, sizeof(name));
		at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? " " : "",
				       strncmp(name, "SIG", 3) == 0 ? name + 3 : name);
	}
	if (!bits)
		snprintf(buf, len, "none");
}

static uint64_t sigset_bits(const sigset_t *s)
{
	uint64_t bits = 0;

	for (int sig = 1; sig <= 64 && sig <= SIGRTMAX; sig++)
		if (sigismember(s, sig) == 1)
			bits |= 1ull << (sig - 1);
	return bits;
}

void rb_expect_inherit(const struct rb_reaper *r, bool blocked, char *buf, size_t len)
{
	const struct rb_claims *c = &r->claims;

	buf[0] = '\0';
	if (blocked) {
		if (c->child_blocked_claimed)
			rb_signal_set_names(sigset_bits(&c->child_blocked), buf, len);
		return;
	}
	/* The harness hands PID 1 no SIG_IGN: a correct init passes none on. A
	 * descriptor that states the child's mask speaks for its start state. */
	if (r->class_ == RB_CLASS_REFERENCE || c->child_blocked_claimed)
		snprintf(buf, len, "none");
}
