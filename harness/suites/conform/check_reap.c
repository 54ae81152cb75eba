/* Reaping: processes the kernel hands to PID 1 must be reaped, or zombies
 * pile up until pid_max runs out. The payload makes them and watches each
 * one's pidfd (EPOLLHUP = reaped), so the reaper's own word is not needed. */
#include <stdio.h>

#include "conform.h"

enum reap_case { REAP_ORPHANS, REAP_HOARD, REAP_PROMPT, REAP_DAEMON, REAP_THREADS };

#define MAX_WORDS 12

static const struct {
	enum reap_case kind;
	const char *name;
	char *words[MAX_WORDS]; /* the payload's argv (execve takes char *const []) */
	const char *doc;
} cases[] = {
	{ REAP_ORPHANS, "reap.orphans", { "orphans", "300", "--wait-reaped-ms", "2000" },
	  "300 orphans, alive at once while the app lives, exit together: all reaped?" },
	{ REAP_HOARD, "reap.hoard", { "zombies", "1000", "--wait-reaped-ms", "2000" },
	  "a process holding 1000 zombies dies: PID 1 inherits them at once (SIGCHLDs coalesce)" },
	{ REAP_PROMPT, "reap.prompt", { "orphans", "100", "--wait-reaped-ms", "2000" },
	  "100 orphans exit: all reaped within 250 ms of their release (no slow polling)" },
	{ REAP_DAEMON, "reap.daemon",
	  { "storm", "daemon", "--count", "20", "--hold-ms", "50", "--wait-reaped-ms", "2000" },
	  "20 double-forked daemons (the child exits, the grandchild setsid()s, lives 50 ms, "
	  "exits): all reaped?" },
	{ REAP_THREADS, "reap.threads",
	  { "storm", "threads", "--count", "20", "--threads", "2", "--hold-ms", "50",
	    "--wait-reaped-ms", "2000" },
	  "20 thread groups whose leader exits 50 ms before its 2 threads: each reaped once "
	  "its last thread is gone?" },
};

#define PROMPT_MS 250.0

static int run_reap(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	const struct rb_claims *claims = &ctx->r->claims;
	char *argv[MAX_WORDS + 2] = { ctx->payload };
	struct rb_run_result res;
	struct rb_error err;
	const struct rb_channel *ch;
	double all_ms;

	if (cases[c->arg].kind == REAP_PROMPT)
		rb_cell_expect(cell, claims->reaps ? "prompt" : "");
	else
		rb_cell_expect(cell, claims->reaps ? "all reaped" : "leaks");
	for (int i = 0; i < MAX_WORDS && cases[c->arg].words[i]; i++)
		argv[i + 1] = cases[c->arg].words[i];
	if (rb_conform_run(ctx, argv, NULL, &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	ch = &res.chan;
	if (!res.chan_valid || ch->spawned == 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "the payload spawned nothing");
	}
	if (cases[c->arg].kind == REAP_THREADS && ch->storm.thread_failed) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%u thread(s) could not be made", ch->storm.thread_failed);
	}
	all_ms = ch->t_all_reaped_ns ? (ch->t_all_reaped_ns - ch->t_released_ns) / 1e6 : -1;
	if (cases[c->arg].kind == REAP_PROMPT && all_ms >= 0)
		rb_cell_set(cell, all_ms <= PROMPT_MS ? "prompt" : "slow",
			    "reaped %llu of %llu, the last %.1f ms after release",
			    (unsigned long long)ch->reaped, (unsigned long long)ch->spawned, all_ms);
	else
		rb_cell_set(cell, ch->reaped == ch->spawned ? "all reaped" : "leaks",
			    "reaped %llu of %llu%s", (unsigned long long)ch->reaped,
			    (unsigned long long)ch->spawned,
			    ch->spawn_failed ? " (some spawns failed)" : "");
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	for (size_t i = 0; out && i < n && i < max; i++) {
		rb_check_set(&out[i], cases[i].name, cases[i].doc, (int)i, run_reap, cases[i].kind == REAP_PROMPT);
	}
	return n;
}

const struct rb_check_family rb_family_reap = { .name = "reap", .expand = expand };
