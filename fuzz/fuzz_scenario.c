/* libFuzzer target: scenario programs (harness/common/scenario.h) against a reaper
 * running as PID 1. Each input decodes to a program that runs in the
 * reaper's sandbox (scenario_run.h); the oracles (scenario_oracle.h) judge
 * the run against the reaper's claims, and a failed oracle prints the
 * program, the timeline and one line "reapbench-oracle: ORACLE: ..." and
 * aborts, so that libFuzzer keeps the input as a crash file.
 *
 * libFuzzer's coverage sees only the harness; what the reaper did comes
 * back as behaviour features in extra counters (operation x outcome, a
 * signal's fate, zombie counts and waits, reap batches, how PID 1 and the
 * app ended), so inputs that make the reaper do something new are kept.
 *
 * Flags (after libFuzzer's own; it warns about them and passes them on):
 *   -reaper=NAME|FILE   the reaper (default: $REAPBENCH_FUZZ_REAPER, else reference)
 *   -persistent=0|1     one sandbox for many programs (default 1)
 *   -linger_ms=N -forward_ms=N -exit_ms=N   the oracles' bounds
 *   -build=DIR          where rb-payload and this repo's reapers are
 *                       (default: this binary's directory, else ../build)
 * Run: make fuzz && build-fuzz/fuzz_scenario -reaper=tini -max_len=193 corpus/ seeds/ */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "scenario_oracle.h"
#include "scenario_report.h"

#define NCOUNTERS 8192

__attribute__((section("__libfuzzer_extra_counters"), used)) static uint8_t counters[NCOUNTERS];

/* libFuzzer's entry points take no context: the one session lives here. */
static struct {
	struct rb_sysinfo si;
	struct rb_reaper r;
	struct rb_scn_opts o;
	struct rb_scn_session *sess;
	long programs;
} fz;

static const char *flag(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static long number(const char *flagname, const char *v, long min, long max)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < min || n > max) {
		fprintf(stderr, "fuzz_scenario: -%s=%s: expected a number %ld..%ld\n", flagname, v, min,
			max);
		exit(2);
	}
	return n;
}

static void set_build_dir(const char *dir)
{
	snprintf(fz.si.exe_dir, sizeof(fz.si.exe_dir), "%s", dir);
	if (!getenv("REAPBENCH_PAYLOAD"))
		snprintf(fz.si.payload, sizeof(fz.si.payload), "%.*s/rb-payload",
			 (int)sizeof(fz.si.payload) - 16, dir);
	if (!getenv("REAPBENCH_REAPERS"))
		snprintf(fz.si.reapers_dir, sizeof(fz.si.reapers_dir), "%.*s/../reapers",
			 (int)sizeof(fz.si.reapers_dir) - 16, dir);
}

static void end_session(void)
{
	if (fz.sess)
		fprintf(stderr, "fuzz_scenario: %ld programs in %d sandboxes\n", fz.programs,
			rb_scn_session_sandboxes(fz.sess));
	rb_scn_session_free(fz.sess);
	fz.sess = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *reaper = getenv("REAPBENCH_FUZZ_REAPER"), *v;
	char probe[PATH_MAX + 16];
	struct rb_error err = { 0 };

	rb_sysinfo_read(&fz.si);
	rb_scn_opts_default(&fz.o);
	if (access(fz.si.payload, X_OK) != 0) {
		snprintf(probe, sizeof(probe), "%s/../build", fz.si.exe_dir);
		set_build_dir(probe);
	}
	for (int i = 1; i < *argc; i++) {
		const char *a = (*argv)[i];

		if ((v = flag(a, "-reaper")))
			reaper = v;
		else if ((v = flag(a, "-persistent")))
			fz.o.persistent = number("persistent", v, 0, 1);
		else if ((v = flag(a, "-linger_ms")))
			fz.o.linger_ns = number("linger_ms", v, 0, 60000) * 1000000LL;
		else if ((v = flag(a, "-forward_ms")))
			fz.o.forward_ns = number("forward_ms", v, 1, 60000) * 1000000LL;
		else if ((v = flag(a, "-exit_ms")))
			fz.o.exit_ns = number("exit_ms", v, 1, 60000) * 1000000LL;
		else if ((v = flag(a, "-build")))
			set_build_dir(v);
	}
	if (!reaper || !*reaper)
		reaper = "reference";
	if (rb_reaper_find(&fz.si, reaper, &fz.r, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: %s\n", err.msg);
		exit(2);
	}
	rb_reaper_resolve(&fz.si, &fz.r);
	if (rb_scn_session_new(&fz.si, &fz.r, &fz.o, &fz.sess, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: %s\n", err.msg);
		exit(2);
	}
	atexit(end_session);
	fprintf(stderr, "fuzz_scenario: reaper %s %s (%s), %s sandbox, linger %.0f ms, forward %.0f "
		"ms, exit %.0f ms\n", fz.r.name, fz.r.version, fz.r.path,
		fz.o.persistent ? "persistent" : "fresh", fz.o.linger_ns / 1e6, fz.o.forward_ns / 1e6,
		fz.o.exit_ns / 1e6);
	return 0;
}

/* ---- behaviour features ------------------------------------------------------ */

static void feature(uint32_t family, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = 2166136261u;
	const uint32_t parts[4] = { family, a, b, c };

	for (int i = 0; i < 4; i++)
		h = (h ^ parts[i]) * 16777619u;
	h %= NCOUNTERS;
	if (counters[h] < 255)
		counters[h]++;
}

static uint32_t log2_bucket(int64_t v)
{
	uint32_t b = 0;

	while (v > 1 && b < 40) {
		v >>= 1;
		b++;
	}
	return b;
}

static uint32_t result_class(int r)
{
	return r == 0 ? 0 : r < 0 ? 1 : (uint32_t)(r - RB_SCN_SKIP_GONE + 2);
}

static void operation_features(const struct rb_scn_result *res)
{
	for (uint32_t k = 0; k < res->nevents; k++) {
		const struct rb_scn_event *e = &res->events[k];

		if (e->op >= 0)
			feature(1, (uint32_t)e->code, result_class(e->result),
				e->code == RB_SCN_SPAWN ? res->prog.ops[e->op].arg : 0);
	}
}

static void signal_features(const struct rb_scn_result *res)
{
	for (int k = 0; k < res->nsends; k++) {
		const struct rb_scn_send *sd = &res->sends[k];
		int got = 0;

		for (uint32_t j = 0; j < res->nsigs; j++)
			got += res->sigs[j].signo == sd->sig && res->sigs[j].t_ns > sd->t_ns;
		feature(2, (uint32_t)sd->sig, (uint32_t)sd->route,
			(uint32_t)(got > 3 ? 3 : got) | (sd->rc ? 4u : 0) | (sd->held ? 8u : 0) |
			(sd->unverifiable ? 16u : 0) | (sd->stop_seen ? 32u : 0));
	}
	/* what the kernel sent on its own: job control, SIGCHLD's codes */
	for (uint32_t j = 0; j < res->nsigs; j++)
		if (res->sigs[j].code > 0 || res->sigs[j].code == SI_KERNEL)
			feature(3, (uint32_t)res->sigs[j].signo, (uint32_t)res->sigs[j].code, 0);
	feature(4, (uint32_t)res->nnotes, 0, 0);
}

/* How many processes became zombies, how long the longest waited, and how
 * PID 1's reaps bunched (reaps within 200 us of each other: one batch). */
static void reaping_features(const struct rb_scn_result *res)
{
	int64_t reaps[RB_SCN_MAX_PROCS];
	int n = 0, zombies = 0, batch = 1;
	int64_t longest = 0;

	for (int i = 1; i < res->prog.nprocs; i++) {
		const struct rb_scn_seen *se = &res->seen[i];

		if (!se->t_exit_ns)
			continue;
		zombies++;
		if (se->t_reap_ns) {
			reaps[n++] = se->t_reap_ns;
			if (se->t_reap_ns - se->t_exit_ns > longest)
				longest = se->t_reap_ns - se->t_exit_ns;
		}
	}
	feature(5, (uint32_t)zombies, log2_bucket(longest / 1000), 0);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && reaps[j] < reaps[j - 1]; j--) {
			int64_t t = reaps[j];

			reaps[j] = reaps[j - 1];
			reaps[j - 1] = t;
		}
	for (int i = 1; i <= n; i++) {
		if (i < n && reaps[i] - reaps[i - 1] < 200000) {
			batch++;
			continue;
		}
		feature(6, (uint32_t)batch, 0, 0);
		batch = 1;
	}
}

static void ending_features(const struct rb_scn_result *res, const struct rb_scn_verdict *v)
{
	if (res->pid1_ended)
		feature(7, WIFSIGNALED(res->pid1_status) ? 1 : 0,
			(uint32_t)(WIFSIGNALED(res->pid1_status) ? WTERMSIG(res->pid1_status)
								 : WEXITSTATUS(res->pid1_status) & 0xff),
			res->pid1_killed);
	if (res->app_ended && res->app_status_known)
		feature(8, WIFSIGNALED(res->app_status) ? 1 : 0,
			(uint32_t)(WIFSIGNALED(res->app_status) ? WTERMSIG(res->app_status)
								: WEXITSTATUS(res->app_status) & 0xff),
			res->app_quit);
	for (int o = 0; o < RB_NORACLES; o++)
		feature(9, (uint32_t)o, v->applies[o], 0);
}

/* ---- one input ---------------------------------------------------------------- */

static __attribute__((noreturn)) void report_and_abort(const struct rb_scn_result *res,
						       const struct rb_scn_verdict *v)
{
	fprintf(stderr, "\n==== reapbench scenario finding under %s ====\nprogram\n", fz.r.name);
	rb_scn_print_program(stderr, &res->prog);
	fprintf(stderr, "timeline\n");
	rb_scn_print_timeline(stderr, res);
	fprintf(stderr, "oracles\n");
	rb_scn_print_verdict(stderr, v);
	fprintf(stderr, "reapbench-oracle: %s: %s\n", rb_scn_oracle_name(v->f[0].oracle), v->f[0].msg);
	end_session();
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;
	struct rb_error err = { 0 };

	if (rb_scn_run(fz.sess, data, size, &res, &err) < 0) {
		end_session();
		if (err.errnum == EINTR)
			_exit(130);
		fprintf(stderr, "reapbench-harness-error: %s\n", err.msg);
		abort();
	}
	fz.programs++;
	rb_scn_judge(&fz.r, &fz.o, &res, &v);
	operation_features(&res);
	signal_features(&res);
	reaping_features(&res);
	ending_features(&res, &v);
	if (v.nfindings)
		report_and_abort(&res, &v);
	rb_scn_result_free(&res);
	return 0;
}
