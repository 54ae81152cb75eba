/* Reaping: processes the kernel hands to PID 1 must be reaped, or zombies
 * pile up until pid_max runs out. The payload makes them and watches each
 * one's pidfd (EPOLLHUP = reaped), so the reaper's own word is not needed. */
#include <stdio.h>
#include <string.h>

#include "bpf_figures.h"
#include "stats.h"
#include "suite.h"

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
	{ REAP_PROMPT, "reap.prompt",
	  { "storm", "stream", "--count", "50", "--rate", "500", "--wait-reaped-ms", "2000" },
	  "50 orphans, one every 2 ms: p90 reap latency within 10x the reference's in this run "
	  "(at least 20 ms)" },
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

/* reap.prompt: a reaper is slow when its p90 reap latency over a stream of
 * orphans is past PROMPT_TIMES the reference's, measured in the same run (a
 * loaded machine slows both), and past PROMPT_FLOOR_MS (the reference's few
 * hundred us times ten would make noise a verdict). A reaper that polls on a
 * 100 ms timer has a p90 near 90 ms: slow; an init that reaps on SIGCHLD, a
 * few ms at worst. The stream spreads the exits over 100 ms, so a timer's
 * phase cannot hide it. */
#define PROMPT_TIMES 10.0
#define PROMPT_FLOOR_MS 20.0
#define PROMPT_SAMPLES 50
#define PROMPT_REF_RUNS 3

/* The p90 of the per-orphan exit->reap latency of one run (ms) as the
 * kernel's tracepoints timed it (each orphan's record found by pid), or -1. */
static double p90_kernel_ms(const struct rb_run_result *res)
{
	struct rb_bpf_reap rec[PROMPT_SAMPLES];
	pid_t pids[PROMPT_SAMPLES];
	int64_t order[PROMPT_SAMPLES];
	double v[PROMPT_SAMPLES];
	size_t n = 0, k = 0;

	if (!res->bpf.taken || !res->samples)
		return -1;
	for (uint32_t i = 0; i < res->nsamples && n < PROMPT_SAMPLES; i++, n++) {
		pids[n] = res->samples[i].pid;
		order[n] = res->samples[i].t_exit_ns;
	}
	if (rb_bpf_sample_records(res->bpf.reaps, res->bpf.nreaps, res->bpf.zombies,
				  res->bpf.zombies ? res->bpf.unreaped : 0, pids, order, n, rec) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (rec[i].t_exit && rec[i].t_reap)
			v[k++] = (double)rb_bpf_latency_ns(&rec[i]) / 1e6;
	if (k == 0)
		return -1;
	rb_sort_doubles(v, k);
	return rb_percentile_sorted(v, k, 90);
}

/* The p90 of the per-orphan reap latency of one run (ms) as the payload's
 * pidfds saw it, or -1. */
static double p90_pidfd_ms(const struct rb_run_result *res)
{
	double v[PROMPT_SAMPLES];
	size_t n = 0;

	/* from each orphan's exit to its reap, as the payload's pidfds saw
	 * them: not from the stream's schedule, whose lateness on a loaded
	 * machine is the generator's, not the reaper's. (Its parent, an
	 * intermediate, exits at once: the orphan is PID 1's from about then.) */
	for (uint32_t i = 0; res->samples && i < res->nsamples && n < PROMPT_SAMPLES; i++) {
		const struct rb_storm_sample *smp = &res->samples[i];

		if (smp->pid <= 0 || !smp->t_reap_seen_ns || !smp->t_exit_seen_ns)
			continue;
		v[n++] = smp->t_reap_seen_ns > smp->t_exit_seen_ns
				 ? (double)(smp->t_reap_seen_ns - smp->t_exit_seen_ns) / 1e6 : 0;
	}
	if (n == 0)
		return -1;
	rb_sort_doubles(v, n);
	return rb_percentile_sorted(v, n, 90);
}

/* The p90 that judges: the kernel's when it observes, else the pidfd one. */
static double p90_ms(const struct rb_conform_ctx *ctx, const struct rb_run_result *res)
{
	return ctx->observer == RB_OBS_PIDFD ? p90_pidfd_ms(res) : p90_kernel_ms(res);
}

/* The reference's p90 on the same stream, the median of a few runs: once
 * per conform run. */
static void measure_prompt_ref(struct rb_conform_ctx *ctx, char *const argv[])
{
	struct rb_prompt_ref *ref = ctx->prompt_ref;
	struct rb_run_plan plan = { .storm = { .samples = PROMPT_SAMPLES }, .bpf = ctx->bpf };
	struct rb_conform_ctx rctx = *ctx;
	struct rb_reaper r;
	struct rb_error err;
	double v[PROMPT_REF_RUNS];
	size_t n = 0;

	ref->done = true;
	ref->p90_ms = -1;
	if (rb_reaper_find(ctx->si, "reference", &r, &err) < 0 ||
	    (rb_reaper_resolve(ctx->si, &r), rb_require_available(&r, &err) < 0)) {
		snprintf(ref->why, sizeof(ref->why), "no reference: %s", err.msg);
		return;
	}
	rctx.r = &r;
	for (int k = 0; k < PROMPT_REF_RUNS; k++) {
		struct rb_run_result res;
		double p;

		if (rb_conform_run(&rctx, argv, &plan, &res, &err) == 0 && (p = p90_ms(ctx, &res)) >= 0)
			v[n++] = p;
		rb_run_result_free(&res);
	}
	if (n == 0) {
		snprintf(ref->why, sizeof(ref->why), "the reference's stream was not measured");
		return;
	}
	rb_sort_doubles(v, n);
	ref->p90_ms = v[n / 2];
}

/* reap.prompt's verdict for a p90 of P ms. */
static void judge_prompt(struct rb_conform_ctx *ctx, const struct rb_run_result *res, double p,
			 struct rb_cell *cell)
{
	const struct rb_prompt_ref *ref = ctx->prompt_ref;
	double bound = PROMPT_FLOOR_MS;

	if (ref && ref->p90_ms >= 0 && PROMPT_TIMES * ref->p90_ms > bound)
		bound = PROMPT_TIMES * ref->p90_ms;
	rb_cell_set(cell, p <= bound ? "prompt" : "slow",
		    "p90 %.2f ms against %.1f ms (%s), reaped %llu of %llu", p, bound,
		    ref && ref->p90_ms >= 0 ? "10x the reference's p90 in this run, at least 20 ms"
					    : ref ? ref->why : "the fixed 20 ms",
		    (unsigned long long)res->chan.reaped, (unsigned long long)res->chan.spawned);
	if (ref && ref->p90_ms >= 0)
		snprintf(cell->detail + strlen(cell->detail), sizeof(cell->detail) - strlen(cell->detail),
			 "; reference p90 %.2f ms", ref->p90_ms);
	snprintf(cell->detail + strlen(cell->detail), sizeof(cell->detail) - strlen(cell->detail),
		 "; timed by %s", ctx->observer == RB_OBS_PIDFD ? "the pidfds" : "the kernel");
	if (ctx->observer == RB_OBS_BOTH)
		snprintf(cell->detail + strlen(cell->detail), sizeof(cell->detail) - strlen(cell->detail),
			 " (pidfd p90 %.2f ms)", p90_pidfd_ms(res));
}

static int run_reap(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	const struct rb_claims *claims = &ctx->r->claims;
	char *argv[MAX_WORDS + 2] = { ctx->payload };
	struct rb_run_plan plan = { .storm = { .samples = PROMPT_SAMPLES }, .bpf = ctx->bpf };
	bool prompt = cases[c->arg].kind == REAP_PROMPT;
	struct rb_run_result res;
	struct rb_error err;
	const struct rb_channel *ch;
	double p;

	if (cases[c->arg].kind == REAP_PROMPT)
		rb_cell_expect(cell, claims->reaps ? "prompt" : "");
	else
		rb_cell_expect(cell, claims->reaps ? "all reaped" : "leaks");
	for (int i = 0; i < MAX_WORDS && cases[c->arg].words[i]; i++)
		argv[i + 1] = cases[c->arg].words[i];
	if (prompt && ctx->prompt_ref && !ctx->prompt_ref->done)
		measure_prompt_ref(ctx, argv);
	if (rb_conform_run(ctx, argv, prompt ? &plan : NULL, &res, &err) < 0) {
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
	if (prompt && ch->reaped == ch->spawned && (p = p90_ms(ctx, &res)) < 0) {
		rb_cell_error(cell, "no p90: %s", ctx->observer == RB_OBS_PIDFD ? "no orphan was timed"
				  : res.bpf.skip[0] ? res.bpf.skip : "the kernel timed no orphan");
		rb_run_result_free(&res);
		return -1;
	}
	if (prompt && ch->reaped == ch->spawned)
		judge_prompt(ctx, &res, p, cell);
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
