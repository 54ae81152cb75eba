/* reapbench calibrate: is the storm generator fast enough to stress a
 * reaper? Side by side in one run:
 *   raw clone-vfork  clone(CLONE_VM|CLONE_VFORK) + _exit + waitpid, in-process
 *   raw fork         fork + _exit + waitpid, in-process
 *   stress-ng        --zombie 1 and --vfork 1, bogo ops/s (real time)
 *   generator        the spawn rate of `storm burst` under the reference reaper
 *                    (spawned / (last clone - generator start), from the channel)
 * Each raw rate and the generator's is the median of --repeat runs. Targets:
 * generator >= 70 % of the raw clone-vfork rate, >= 10x stress-ng --zombie.
 * Writes calibrate.json. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "record.h"
#include "runner.h"
#include "stats.h"

enum { OPT_OUT = RB_OPT_FIRST_FREE, OPT_DURATION, OPT_REPEAT, OPT_COUNT, OPT_STRESS };

#define TARGET_RAW 0.70
#define TARGET_STRESS 10.0

enum rate_id { R_CLONE, R_FORK, R_ZOMBIE, R_VFORK, R_GEN, R_COUNT_ };

static const struct {
	const char *name, *label;
} rates[R_COUNT_] = {
	[R_CLONE] = { "raw_clone_vfork_rate", "raw clone(CLONE_VM|CLONE_VFORK)+_exit+waitpid" },
	[R_FORK] = { "raw_fork_rate", "raw fork+_exit+waitpid" },
	[R_ZOMBIE] = { "stress_ng_zombie_rate", "stress-ng --zombie 1 (bogo ops/s)" },
	[R_VFORK] = { "stress_ng_vfork_rate", "stress-ng --vfork 1 (bogo ops/s)" },
	[R_GEN] = { "generator_orphan_rate", "generator: storm burst under reference" },
};

struct cfg {
	int64_t duration_ns;
	long repeat, count, stress_s;
	char out[1024];
};

struct result {
	bool has;
	double v;           /* per second: the median */
	struct rb_summary s;
	char skip[256];
};

static void usage(void)
{
	printf("usage: reapbench calibrate [--duration DUR] [--repeat N] [--count N]\n"
	       "                           [--stress-time S] [--out DIR] [sandbox options]\n\n"
	       "The raw kernel rates of clone(CLONE_VM|CLONE_VFORK) and fork (+ _exit + waitpid),\n"
	       "stress-ng --zombie and --vfork, and the storm generator's orphan rate under the\n"
	       "reference reaper, with the ratios against the targets (generator >= 70%% of the\n"
	       "raw clone rate, >= 10x stress-ng --zombie).\n\n"
	       "  --duration DUR     each raw measurement (default 1s)\n"
	       "  --repeat N         raw and generator runs; the median counts (default 5)\n"
	       "  --count N          the generator's burst (default 2000)\n"
	       "  --stress-time S    seconds per stress-ng run (default 3)\n"
	       "  --out DIR          results directory (default results/<date>-<host>)\n"
	       RB_SANDBOX_USAGE);
}

static int parse_args(int argc, char **argv, struct cfg *c, struct rb_sandbox_opts *opts,
		      struct rb_error *err)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "stress-time", required_argument, NULL, OPT_STRESS },
		{ "out", required_argument, NULL, OPT_OUT }, { "help", no_argument, NULL, 'h' },
		RB_SANDBOX_LONGOPTS, { 0 },
	};
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		rc = rb_sandbox_opt(opt, optarg, opts, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			continue;
		switch (opt) {
		case 'h':
			usage();
			return 1;
		case OPT_DURATION:
			if (rb_parse_duration("--duration", optarg, 10000000LL, 60 * 1000000000LL,
					      &c->duration_ns, err) < 0)
				return -1;
			break;
		case OPT_REPEAT:
			if (rb_parse_long("--repeat", optarg, 1, 100, &c->repeat, err) < 0)
				return -1;
			break;
		case OPT_COUNT:
			if (rb_parse_long("--count", optarg, 10, 100000, &c->count, err) < 0)
				return -1;
			break;
		case OPT_STRESS:
			if (rb_parse_long("--stress-time", optarg, 1, 600, &c->stress_s, err) < 0)
				return -1;
			break;
		case OPT_OUT:
			snprintf(c->out, sizeof(c->out), "%s", optarg);
			break;
		default:
			return rb_bad_option("calibrate", argv, err);
		}
	}
	if (optind < argc)
		return rb_input_error(err, "calibrate: unexpected argument '%s'", argv[optind]);
	if (c->count + 16 > opts->pid_max)
		return rb_input_error(err, "calibrate: --count %ld needs a --pid-max of at least %ld",
				      c->count, c->count + 16);
	return 0;
}

/* ---- raw rates -------------------------------------------------------------------- */

static int child_exit(void *arg)
{
	(void)arg;
	_exit(0);
}

/* One measurement: processes per second for DURATION_NS, or -errno. */
static double raw_once(bool use_fork, int64_t duration_ns, void *stack_top, int *err_out)
{
	int64_t t0 = rb_now_ns(), t;
	unsigned long n = 0;
	pid_t pid;
	int st;

	do {
		for (int k = 0; k < 64; k++) {
			if (use_fork) {
				pid = fork();
				if (pid == 0)
					_exit(0);
			} else {
				pid = clone(child_exit, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
			}
			if (pid < 0) {
				*err_out = errno;
				return -1;
			}
			if (waitpid(pid, &st, 0) != pid) {
				*err_out = errno;
				return -1;
			}
			n++;
		}
		t = rb_now_ns();
	} while (t - t0 < duration_ns);
	return (double)n / ((double)(t - t0) / 1e9);
}

static void measure_raw(const struct cfg *c, bool use_fork, struct result *r)
{
	size_t len = 64 * 1024;
	void *stack = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			   -1, 0);
	double v[100];
	int e = 0;

	if (stack == MAP_FAILED) {
		snprintf(r->skip, sizeof(r->skip), "mmap: %s", strerror(errno));
		return;
	}
	fflush(NULL); /* fork children _exit, but be safe */
	for (long k = 0; k < c->repeat; k++) {
		v[k] = raw_once(use_fork, c->duration_ns, (char *)stack + len, &e);
		if (v[k] < 0) {
			snprintf(r->skip, sizeof(r->skip), "%s: %s", use_fork ? "fork" : "clone",
				 strerror(e));
			munmap(stack, len);
			return;
		}
	}
	munmap(stack, len);
	rb_summarize(v, (size_t)c->repeat, &r->s);
	r->has = true;
	r->v = r->s.median;
}

/* ---- stress-ng -------------------------------------------------------------------- */

static void measure_stress(const struct cfg *c, const char *stressor, struct result *r)
{
	char cmd[256], line[512], name[64];
	double ops, real, usr, sys, rate_real, rate_cpu;
	bool found = false;
	FILE *p;
	int st;

	if (system("command -v stress-ng >/dev/null 2>&1") != 0) {
		snprintf(r->skip, sizeof(r->skip), "stress-ng is not installed (apt-get install stress-ng)");
		return;
	}
	snprintf(cmd, sizeof(cmd), "stress-ng --%s 1 -t %lds --metrics-brief 2>&1", stressor,
		 c->stress_s);
	fflush(NULL);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(r->skip, sizeof(r->skip), "popen: %s", strerror(errno));
		return;
	}
	/* stress-ng: metrc: [PID] zombie  4722  1.01  0.96  0.86  4677.34  2582.45 */
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, "] ");

		if (!s || found)
			continue;
		if (sscanf(s + 2, "%63s %lf %lf %lf %lf %lf %lf", name, &ops, &real, &usr, &sys,
			   &rate_real, &rate_cpu) == 7 && strcmp(name, stressor) == 0)
			found = true;
	}
	st = pclose(p);
	if (!found) {
		snprintf(r->skip, sizeof(r->skip), "no %s metrics line in stress-ng's output (exit "
			 "status %d)", stressor, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return;
	}
	r->has = true;
	r->v = rate_real;
	rb_summarize(&rate_real, 1, &r->s);
}

/* ---- the generator ---------------------------------------------------------------- */

static void measure_generator(const struct rb_sysinfo *si, const struct cfg *c,
			      struct rb_sandbox_opts *opts, json_t *rec, struct result *r)
{
	char n[32], *words[] = { "storm", "burst", "--count", n, "--wait-reaped-ms", "1000", NULL };
	struct rb_signal_plan plan = { .storm_samples = (uint32_t)c->count, .storm_pops = 64 };
	struct rb_reaper ref;
	struct rb_error e;
	char **workload = NULL;
	double v[100];
	size_t k = 0;
	bool interrupted = false;

	snprintf(n, sizeof(n), "%ld", c->count);
	if (rb_reaper_find(si, "reference", &ref, &e) < 0) {
		snprintf(r->skip, sizeof(r->skip), "%s", e.msg);
		return;
	}
	rb_reaper_resolve(si, &ref);
	if (rb_require_available(&ref, &e) < 0 || rb_resolve_workload(si, words, &workload, &e) < 0) {
		snprintf(r->skip, sizeof(r->skip), "%s", e.msg);
		return;
	}
	for (long i = 0; i < c->repeat; i++) {
		struct rb_run_result res;
		const struct rb_channel *ch = &res.chan;
		json_t *run;

		if (rb_run_payload(si, &ref, opts, &plan, workload, &res, &e) < 0) {
			snprintf(r->skip, sizeof(r->skip), "%s", e.msg);
			rb_run_result_free(&res);
			break;
		}
		run = rb_record_add_run(rec, &ref, res.argv);
		rb_run_record(run, &res);
		if (res.chan_valid && ch->storm.phase >= 2 && ch->spawned && !ch->spawn_failed &&
		    ch->storm.t_last_spawn_ns > ch->storm.t_start_ns) {
			v[k] = (double)ch->spawned /
			       ((double)(ch->storm.t_last_spawn_ns - ch->storm.t_start_ns) / 1e9);
			rb_record_measure(run, "spawn_rate", v[k], "processes/s");
			k++;
		} else {
			snprintf(r->skip, sizeof(r->skip), "run %ld: %s", i, !res.chan_valid ? "no report"
				 : ch->spawn_failed ? "spawns failed" : "the storm did not finish");
			rb_record_skip(run, "spawn_rate", r->skip);
		}
		interrupted = res.sb.end == RB_END_INTERRUPTED;
		rb_run_result_free(&res);
		if (interrupted)
			break;
	}
	rb_argv_free(workload);
	if (k == 0)
		return;
	rb_summarize(v, k, &r->s);
	r->has = true;
	r->v = r->s.median;
	r->skip[0] = 0;
}

/* ---- the command ------------------------------------------------------------------ */


/* generator / BASE against TARGET: printed and recorded */
static void ratio(json_t *ratios, const char *name, const char *what, const struct result *gen,
		  const struct result *base, double target)
{
	json_t *o = json_object();
	double x;

	json_object_set_new(o, "target", json_real(target));
	if (!gen->has || !base->has || base->v <= 0) {
		printf("  %-44s -  (%s)\n", what, !gen->has ? gen->skip : base->skip);
		json_object_set_new(o, "skip", json_string(!gen->has ? gen->skip : base->skip));
		json_object_set_new(ratios, name, o);
		return;
	}
	x = gen->v / base->v;
	json_object_set_new(o, "value", json_real(x));
	json_object_set_new(o, "met", json_boolean(x >= target));
	json_object_set_new(ratios, name, o);
	if (target < 1) {
		printf("  %-44s %6.1f%%  target >= %.0f%%: ", what, x * 100, target * 100);
		if (x >= target)
			printf("met\n");
		else
			printf("MISSED by %.1f points (needs %.0f/s more)\n", (target - x) * 100,
			       target * base->v - gen->v);
	} else {
		printf("  %-44s %6.2fx  target >= %.0fx: ", what, x, target);
		if (x >= target)
			printf("met\n");
		else
			printf("MISSED: %.1f%% of the target (needs %.0f/s more)\n", x / target * 100,
			       target * base->v - gen->v);
	}
}

int rb_cmd_calibrate(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct cfg c = { .duration_ns = 1000000000LL, .repeat = 5, .count = 2000, .stress_s = 3 };
	struct rb_sandbox_opts opts;
	struct result r[R_COUNT_];
	char path[1200];
	json_t *rec, *o, *all, *ratios;
	int rc;

	memset(r, 0, sizeof(r));
	rb_sandbox_opts_default(&opts);
	opts.deadline_ns = 20LL * 1000000000;
	rc = parse_args(argc, argv, &c, &opts, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!c.out[0])
		rb_results_dir(c.out, sizeof(c.out), si);
	rec = rb_record_new("calibrate", si);
	o = json_object_get(rec, "options");
	json_object_set_new(o, "duration_s", json_real(c.duration_ns / 1e9));
	json_object_set_new(o, "repeat", json_integer(c.repeat));
	json_object_set_new(o, "count", json_integer(c.count));
	json_object_set_new(o, "stress_time_s", json_integer(c.stress_s));
	json_object_set_new(o, "pid_max", json_integer(opts.pid_max));
	printf("calibrate: raw rates %ld x %.2fs (median), stress-ng %lds each, generator %ld x burst "
	       "of %ld under reference\n", c.repeat, c.duration_ns / 1e9, c.stress_s, c.repeat, c.count);
	measure_raw(&c, false, &r[R_CLONE]);
	measure_raw(&c, true, &r[R_FORK]);
	measure_stress(&c, "zombie", &r[R_ZOMBIE]);
	measure_stress(&c, "vfork", &r[R_VFORK]);
	snprintf(path, sizeof(path), "%s/logs", c.out);
	if (rb_mkdir_p(path) == 0) {
		snprintf(path, sizeof(path), "%s/logs/calibrate-reference.log", c.out);
		opts.output_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	}
	measure_generator(si, &c, &opts, rec, &r[R_GEN]);
	if (opts.output_fd >= 0)
		close(opts.output_fd);
	opts.output_fd = -1;

	all = json_object();
	printf("\n%-48s %12s %18s\n", "RATE", "PER SECOND", "SPREAD (min-max)");
	for (int i = 0; i < R_COUNT_; i++) {
		json_t *x;

		if (!r[i].has) {
			printf("%-48s %12s  skipped: %s\n", rates[i].label, "-", r[i].skip);
			json_object_set_new(all, rates[i].name, json_pack("{s:s}", "skip", r[i].skip));
			continue;
		}
		printf("%-48s %12.0f", rates[i].label, r[i].v);
		if (r[i].s.n > 1)
			printf("   %.0f-%.0f (CV %.0f%%)", r[i].s.min, r[i].s.max, r[i].s.cv * 100);
		printf("\n");
		x = json_pack("{s:s, s:f, s:i, s:f, s:f}", "unit", "processes/s", "median", r[i].v, "n",
			      (json_int_t)r[i].s.n, "min", r[i].s.min, "max", r[i].s.max);
		json_object_set_new(all, rates[i].name, x);
	}
	json_object_set_new(rec, "rates", all);
	ratios = json_object();
	printf("\nratios\n");
	ratio(ratios, "generator_vs_raw_clone", "generator / raw clone-vfork", &r[R_GEN], &r[R_CLONE],
	      TARGET_RAW);
	ratio(ratios, "generator_vs_stress_ng_zombie", "generator / stress-ng --zombie", &r[R_GEN],
	      &r[R_ZOMBIE], TARGET_STRESS);
	if (r[R_FORK].has && r[R_CLONE].has)
		printf("  %-44s %6.2fx  (for scale)\n", "raw clone-vfork / raw fork",
		       r[R_CLONE].v / r[R_FORK].v);
	if (r[R_VFORK].has && r[R_GEN].has)
		printf("  %-44s %6.2fx  (for scale)\n", "generator / stress-ng --vfork",
		       r[R_GEN].v / r[R_VFORK].v);
	json_object_set_new(rec, "ratios", ratios);
	snprintf(path, sizeof(path), "%s/calibrate.json", c.out);
	if (rb_record_write(rec, path, err) < 0) {
		json_decref(rec);
		return -1;
	}
	printf("\nrecord  %s/calibrate.json\n", c.out);
	json_decref(rec);
	return 0;
}
