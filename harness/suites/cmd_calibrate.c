/* reapbench calibrate: is the storm generator fast enough to stress a
 * reaper? Side by side in one run, in interleaved rounds (every rate once
 * per round, the order rotated), each with one worker and with one per
 * online CPU (the raw workers pinned):
 *   raw clone-vfork  clone(CLONE_VM|CLONE_VFORK) + _exit + waitpid loops
 *   raw fork         fork + _exit + waitpid (one worker)
 *   stress-ng        --zombie N and --vfork N, bogo ops/s (real time)
 *   generator        the spawn rate of `storm burst` under the reference reaper
 *                    (spawned / (last clone - generator start), from the channel),
 *                    --spawners 1 and one per online CPU (a burst's spawners
 *                    are not pinned: bench/storm.c)
 * Each rate is the median of the rounds; each ratio the median of the
 * rounds' own ratios. Targets: on every CPU the generator >= 85 % of the
 * raw loops and >= 10x stress-ng --zombie with as many workers (where the
 * generator misses it and the raw loops are below 10x too, calibrate says
 * the machine is the limit);
 * on one, >= 70 % and >= 10x as before. Then the storm's monitoring
 * overhead and the harness's RSS. Writes calibrate.json. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "noise.h"
#include "output.h"
#include "commands.h"
#include "record.h"
#include "registry.h"
#include "runner.h"
#include "stats.h"
#include "share.h"
#include "spawners.h"
#include "suite.h"
#include "storm.h"
#include "storm_args.h"

#define MAX_OV_RUNS 100

#define TARGET_RAW 0.70      /* one spawner against the raw loop on one CPU */
#define TARGET_RAW_ALL 0.85  /* every CPU: the generator's spawners against as many raw loops */
#define TARGET_STRESS 10.0
#define TARGET_OVERHEAD 0.05      /* monitoring changes the drain by less than this */
#define TARGET_RSS_KIB (64 * 1024) /* the harness's own peak RSS */
#define RSS_FD_SLACK 64

/* What a rate is of. */
enum rate_kind { K_CLONE, K_HOARD, K_FORK, K_ZOMBIE, K_VFORK, K_GEN };

/* Each measured with one worker and with one per online CPU (all), side by
 * side in interleaved rounds. */
enum rate_id {
	R_CLONE, R_CLONE_ALL, R_HOARD, R_HOARD_ALL, R_FORK, R_ZOMBIE, R_ZOMBIE_ALL, R_VFORK,
	R_VFORK_ALL, R_GEN, R_GEN_ALL, R_GEN_PIDFD_ALL, R_COUNT_
};

static const struct {
	const char *name, *label; /* label: %u the workers, where it says */
	enum rate_kind kind;
	bool all;                 /* one worker per online CPU, pinned */
} rates[R_COUNT_] = {
	[R_CLONE] = { "raw_clone_vfork_rate", "raw clone(CLONE_VM|CLONE_VFORK)+_exit+waitpid", K_CLONE },
	/* one pinned worker per online CPU; the raw loops above and below are
	 * one worker pinned to one CPU */
	[R_CLONE_ALL] = { "raw_clone_vfork_rate_all_cpus",
			  "raw clone(CLONE_VM|CLONE_VFORK)+_exit+waitpid x%u", K_CLONE, true },
	/* what a hoard makes, bare: clone-vm children with a pidfd each in
	 * one descriptor table, a fresh stack each, left as zombies and reaped
	 * only after the last (--count of them, split among the workers) */
	[R_HOARD] = { "raw_clone_vm_hoard_rate", "raw clone-vm hoard (pidfd, reaped at the end)",
		      K_HOARD },
	[R_HOARD_ALL] = { "raw_clone_vm_hoard_rate_all_cpus",
			  "raw clone-vm hoard (pidfd, reaped at the end) x%u", K_HOARD, true },
	[R_FORK] = { "raw_fork_rate", "raw fork+_exit+waitpid", K_FORK },
	[R_ZOMBIE] = { "stress_ng_zombie_rate", "stress-ng --zombie 1 (bogo ops/s)", K_ZOMBIE },
	[R_ZOMBIE_ALL] = { "stress_ng_zombie_rate_all_cpus", "stress-ng --zombie %u (bogo ops/s)",
			   K_ZOMBIE, true },
	[R_VFORK] = { "stress_ng_vfork_rate", "stress-ng --vfork 1 (bogo ops/s)", K_VFORK },
	[R_VFORK_ALL] = { "stress_ng_vfork_rate_all_cpus", "stress-ng --vfork %u (bogo ops/s)", K_VFORK,
			  true },
	/* as storm runs it by default: watched by the kernel where the BPF
	 * observer loads (no pidfds), else by the payload's pidfds */
	[R_GEN] = { "generator_orphan_rate", "generator: storm burst under reference", K_GEN },
	[R_GEN_ALL] = { "generator_orphan_rate_all_cpus",
			"generator: storm burst under reference, %u spawners", K_GEN, true },
	/* what the pidfd observer (a pidfd per process) costs the generator */
	[R_GEN_PIDFD_ALL] = { "generator_orphan_rate_all_cpus_pidfd",
			      "generator, %u spawners, watched by pidfds", K_GEN, true },
};

struct cfg {
	int64_t duration_ns;
	long repeat, count, stress_s;
	long ov_runs, ov_count;   /* monitoring overhead: pairs of hoard runs, zombies each */
	long rss_count;           /* the harness's RSS: a stream of this many (0: --quick) */
	bool quick;
	double rss_rate;
	struct rb_output out;
};

struct result {
	bool has;
	double v;           /* per second: the median */
	struct rb_summary s;
	double round[100];  /* each round's value; NAN: not measured in it */
	char skip[256];
};

/* --stress-time DUR: stress-ng takes whole seconds */
static json_t *seconds_json(const void *field)
{
	return json_integer(*(const long *)field);
}

static int parse_stress_time(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	int64_t ns;

	if (rb_parse_duration(opt, arg, 1000000000LL, 600 * 1000000000LL, &ns, err) < 0)
		return -1;
	*(long *)field = (long)((ns + 999999999) / 1000000000);
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt calibrate_opts[] = {
	{ "duration", 0, RB_OT_NS, "DUR", AT(duration_ns), 10e6, 60e9,
	  .help = "each raw measurement", .record = "duration_s" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, 100,
	  .help = "raw and generator runs; the median counts", .record = "repeat" },
	{ "count", 0, RB_OT_LONG, "N", AT(count), 10, 100000, .help = "the generator's burst",
	  .record = "count" },
	{ "stress-time", 0, RB_OT_FN, "DUR", AT(stress_s), .parse = parse_stress_time,
	  .help = "each stress-ng run (whole seconds)", .dflt = "1s", .record = "stress_time_s",
	  .to_json = seconds_json },
	{ "overhead-runs", 0, RB_OT_LONG, "N", AT(ov_runs), 1, MAX_OV_RUNS,
	  .help = "monitoring overhead: hoard runs with monitoring on and as\n"
		  "many off, interleaved", .record = "overhead_runs" },
	{ "overhead-count", 0, RB_OT_LONG, "N", AT(ov_count), 10, 100000,
	  .help = "zombies per hoard (a drain of tens of ms, long against\n"
		  "the ~0.1 ms between two reads of pids.current)", .record = "overhead_count" },
	{ "rss-count", 0, RB_OT_LONG, "N", AT(rss_count), 1, STORM_MAX_COUNT,
	  .help = "the harness's RSS: `reapbench storm` of a stream of N\n"
		  "orphans under reference", .record = "rss_count" },
	{ "rss-rate", 0, RB_OT_RATE, "R", AT(rss_rate), 0, 1e6, .help = "that stream's rate per second",
	  .record = "rss_rate" },
	{ "quick", 0, RB_OT_FLAG, NULL, AT(quick), .help = "skip the RSS storm (the slow step)" },
	RB_OPT_FORMAT(rb_output_formats_no_md),
	{ 0 },
};

static const struct rb_cli calibrate_cli = {
	.name = "calibrate",
	.about = "The raw kernel rates of clone(CLONE_VM|CLONE_VFORK) and fork (+ _exit + waitpid),\n"
		 "stress-ng --zombie and --vfork, and the storm generator's orphan rate under the\n"
		 "reference reaper, each with one worker and one per online CPU, in interleaved\n"
		 "rounds, with the ratios against the targets (on every CPU: generator >= 85% of\n"
		 "the raw clone loops, >= 10x stress-ng --zombie; on one: 70%, 10x); the drain\n"
		 "of a hoard with the storm's monitoring on and off (target: < 5% apart) and the\n"
		 "harness's own peak RSS for a storm of --rss-count processes (target: < 64 MiB).",
	.opts = calibrate_opts,
	.groups = RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

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

/* COUNT clone-vm children as a hoard makes them (a pidfd each, CLONE_FILES,
 * a fresh stack each), left as zombies: processes per second from the first
 * clone to the last; reaped after. -1 with *ERR_OUT on a failure. */
static double hoard_once(long count, int *err_out)
{
	size_t slot = RB_SPAWN_STACK_SIZE + 4096, len = slot * (size_t)count;
	char *stacks = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	int *fds = calloc((size_t)count, sizeof(int));
	struct rlimit rl;
	int64_t t0, t1;
	long n = 0;

	if (stacks == MAP_FAILED || !fds) {
		*err_out = ENOMEM;
		return -1;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { /* a pidfd each */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	t0 = rb_now_ns();
	for (; n < count; n++)
		if (clone(child_exit, stacks + (size_t)(n + 1) * slot,
			  CLONE_VM | CLONE_FILES | CLONE_PIDFD | SIGCHLD, NULL, &fds[n]) < 0)
			break;
	t1 = rb_now_ns();
	*err_out = n < count ? errno : 0;
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	for (long k = 0; k < n; k++)
		close(fds[k]);
	free(fds);
	munmap(stacks, len);
	return n < count || t1 <= t0 ? -1 : (double)n / ((double)(t1 - t0) / 1e9);
}

/* What each raw worker runs: a KIND loop for DURATION_NS, or a hoard of
 * COUNT. */
struct raw_job {
	enum rate_kind kind;
	int64_t duration_ns;
	long count;
};

/* A raw worker (a child of ours): pinned to CPU (-1: not), tells READY[1],
 * waits for GO[0]'s end (every copy of GO[1] closed: its own first), runs
 * the loop, leaves its rate in *RATE. */
static void raw_worker(const struct raw_job *job, int cpu, const int ready[2], const int go[2],
		       double *rate)
{
	size_t len = 64 * 1024;
	void *stack = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			   -1, 0);
	cpu_set_t one;
	char b = 0;
	int e = 0;

	close(go[1]);
	close(ready[0]);
	if (cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	if (write(ready[1], &b, 1) != 1 || stack == MAP_FAILED)
		_exit(1);
	while (read(go[0], &b, 1) < 0 && errno == EINTR)
		;
	if (job->kind == K_HOARD)
		*rate = hoard_once(job->count, &e);
	else
		*rate = raw_once(job->kind == K_FORK, job->duration_ns, (char *)stack + len, &e);
	_exit(*rate < 0 ? 1 : 0);
}

/* N workers of ours, each pinned to a CPU of ours (one worker too: left
 * free, its vfork child is often woken on the other CPU, and the loop then
 * measures cross-CPU wakeups, 3-4x slower here), worker j to the
 * (FIRST + j)-th (a lone worker takes each CPU in turn, round by round, so
 * that one busy CPU does not make all its figures), released together: the
 * sum of their rates, or -1 with WHY. */
static double raw_workers(unsigned n, const struct raw_job *job, const int *cpus, unsigned ncpus,
			  unsigned first, char *why, size_t len)
{
	double *rate = mmap(NULL, n * sizeof(double), PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, st, bad = 0;
	/* waited for by pid: a sandbox's PID 1 given up on is a child of ours too */
	cleanup_free pid_t *pids = calloc(n, sizeof(*pids));
	unsigned started = 0;
	double sum = 0;
	char b;

	if (!pids || rate == MAP_FAILED || pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		snprintf(why, len, "setting up the workers: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	for (; started < n; started++) {
		pid_t pid = fork();

		if (pid < 0)
			break;
		if (pid == 0)
			raw_worker(job, rb_share_cpu(cpus, ncpus, first + started), ready, go,
				   &rate[started]);
		pids[started] = pid;
	}
	close(ready[1]);
	ready[1] = -1;
	for (unsigned k = 0; k < started; k++)
		if (read(ready[0], &b, 1) != 1)
			break;
	close(go[1]); /* the release: every worker's read sees the end */
	go[1] = -1;
	for (unsigned k = 0; k < started; k++) {
		pid_t got;

		while ((got = waitpid(pids[k], &st, 0)) < 0 && errno == EINTR)
			;
		if (got < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad++;
	}
	if (started < n || bad) {
		snprintf(why, len, "%s: %u of %u workers ran to the end",
			 job->kind == K_FORK ? "fork loop" : job->kind == K_HOARD ? "clone-vm hoard" : "clone loop",
			 started - (unsigned)bad, n);
		goto out;
	}
	for (unsigned k = 0; k < n; k++)
		sum += rate[k];
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	if (rate != MAP_FAILED)
		munmap(rate, n * sizeof(double));
	return why[0] ? -1 : sum;
}

/* ---- stress-ng -------------------------------------------------------------------- */

/* stress-ng --STRESSOR WORKERS for --stress-time: its bogo ops per second
 * (real time, all workers), or -1 with WHY. */
static double stress_once(const struct cfg *c, const char *stressor, unsigned workers, char *why,
			  size_t len)
{
	char cmd[4096], line[512], last[512] = "", name[64];
	cleanup_free char *quoted = NULL;
	double ops, real, usr, sys, rate_real = -1, rate_cpu;
	bool found = false;
	FILE *p;
	int st;

	if (system("command -v stress-ng >/dev/null 2>&1") != 0) {
		snprintf(why, len, "stress-ng is not installed (apt-get install stress-ng)");
		return -1;
	}
	/* quoted: $TMPDIR is the user's, spaces and all */
	quoted = rb_shell_join((char *const[]){ (char *)rb_stress_ng_temp_path(), NULL });
	if (!quoted) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (snprintf(cmd, sizeof(cmd), "stress-ng --%s %u -t %lds --metrics-brief --temp-path %s 2>&1",
		     stressor, workers, c->stress_s, quoted) >= (int)sizeof(cmd)) {
		snprintf(why, len, "$TMPDIR is too long for stress-ng's command line");
		return -1;
	}
	fflush(NULL);
	p = popen(cmd, "r");
	if (!p) {
		snprintf(why, len, "popen: %s", strerror(errno));
		return -1;
	}
	/* stress-ng: metrc: [PID] zombie  4722  1.01  0.96  0.86  4677.34  2582.45 */
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, "] ");

		if (line[0] != '\n')
			snprintf(last, sizeof(last), "%.*s", (int)strcspn(line, "\n"), line);
		if (!s || found)
			continue;
		if (sscanf(s + 2, "%63s %lf %lf %lf %lf %lf %lf", name, &ops, &real, &usr, &sys,
			   &rate_real, &rate_cpu) == 7 && strcmp(name, stressor) == 0)
			found = true;
	}
	st = pclose(p);
	if (!found) {
		snprintf(why, len, "no %s metrics line in stress-ng's output (exit status %d%s%.120s)",
			 stressor, WIFEXITED(st) ? WEXITSTATUS(st) : -1, last[0] ? ", its last line: " : "",
			 last);
		return -1;
	}
	return rate_real;
}

/* ---- the generator ---------------------------------------------------------------- */

/* The generator's workloads: one spawner, one per online CPU, and that
 * watched by pidfds. */
enum gen_workload { GEN_ONE, GEN_ALL, GEN_PIDFD_ALL, GEN_WORKLOADS };

/* The reference reaper, the workloads, and the kernel observer that
 * watches GEN_ONE and GEN_ALL (NULL: the pidfds watch, as storm falls back
 * to them; OBSERVER_WHY says why). */
struct generator {
	struct rb_reaper ref;
	char **workload[GEN_WORKLOADS];
	struct rb_bpf_observer *bpf;
	char observer_why[256];
	char skip[256];
	char pidfd_skip[256]; /* GEN_PIDFD_ALL: only beside the kernel's */
};

/* The reference, the kernel observer where it loads (as storm's --observer
 * auto: then the storm makes no pidfds), the workloads. */
static void generator_setup(const struct rb_sysinfo *si, const struct cfg *c,
			    const struct rb_sandbox_opts *opts, unsigned all, struct generator *g)
{
	struct storm_opts o;
	struct storm_argv words;
	struct rb_error e;

	storm_opts_defaults(&o);
	o.count = (unsigned long)c->count;
	o.wait_ns = 1000 * 1000000LL;
	if (rb_reaper_find(si, "reference", &g->ref, &e) < 0) {
		snprintf(g->skip, sizeof(g->skip), "%s", e.msg);
		return;
	}
	rb_reaper_resolve(si, &g->ref);
	if (rb_require_available(&g->ref, &e) < 0) {
		snprintf(g->skip, sizeof(g->skip), "%s", e.msg);
		return;
	}
	if (!rb_observer_try(&g->bpf, (uint32_t)opts->pid_max + 1, (uint32_t)c->count + 4096,
			     g->observer_why, sizeof(g->observer_why)))
		snprintf(g->pidfd_skip, sizeof(g->pidfd_skip), "the rows above are watched by "
			 "pidfds already (%s)", g->observer_why);
	o.spawners = all;
	if (rb_resolve_workload(si, storm_argv(&words, "burst", &o), &g->workload[GEN_PIDFD_ALL], &e) < 0)
		goto fail;
	o.no_monitor = g->bpf != NULL;
	if (rb_resolve_workload(si, storm_argv(&words, "burst", &o), &g->workload[GEN_ALL], &e) < 0)
		goto fail;
	o.spawners = 1;
	if (rb_resolve_workload(si, storm_argv(&words, "burst", &o), &g->workload[GEN_ONE], &e) < 0)
		goto fail;
	return;
fail:
	snprintf(g->skip, sizeof(g->skip), "%s", e.msg);
}

/* One burst under the reference from workload W: the generator's spawn
 * rate (spawned / (last clone - the root's start), from the channel), or -1
 * with WHY (*STOP: interrupted). */
static double generator_once(const struct rb_sysinfo *si, const struct cfg *c, struct generator *g,
			     enum gen_workload w, struct rb_sandbox_opts *opts, json_t *rec,
			     char *why, size_t len, bool *stop)
{
	bool kernel = w != GEN_PIDFD_ALL && g->bpf;
	struct rb_run_plan plan = {
		.storm = { .samples = (uint32_t)c->count, .pops = 64, .drain = kernel },
		.bpf = kernel ? g->bpf : NULL,
	};
	struct rb_run_result res;
	const struct rb_channel *ch = &res.chan;
	struct rb_error e;
	double v = -1;
	json_t *run;

	if (g->skip[0] || (w == GEN_PIDFD_ALL && g->pidfd_skip[0])) {
		snprintf(why, len, "%s", g->skip[0] ? g->skip : g->pidfd_skip);
		return -1;
	}
	if (rb_run_payload(si, &g->ref, opts, &plan, g->workload[w], &res, &e) < 0) {
		snprintf(why, len, "%s", e.msg);
		rb_run_result_free(&res);
		return -1;
	}
	run = rb_record_add_run(rec, &g->ref, res.argv);
	rb_run_record(run, &res);
	json_object_set_new(run, "watched_by", json_string(kernel ? "bpf" : "pidfd"));
	if (res.chan_valid)
		rb_spawners_record(run, ch);
	if (res.chan_valid && ch->storm.phase >= 2 && ch->spawned && !ch->spawn_failed &&
	    ch->storm.t_last_spawn_ns > ch->storm.t_start_ns) {
		v = (double)ch->spawned / ((double)(ch->storm.t_last_spawn_ns - ch->storm.t_start_ns) / 1e9);
		rb_record_measure(run, "spawn_rate", v, "processes/s");
	} else {
		snprintf(why, len, "%s", !res.chan_valid ? "no report" : ch->spawn_failed ? "spawns failed"
					 : "the storm did not finish");
		rb_record_skip(run, "spawn_rate", why);
	}
	*stop = res.sb.end == RB_END_INTERRUPTED;
	rb_run_result_free(&res);
	return v;
}

/* ---- the rates, side by side -------------------------------------------------------- */

/* What the rounds share: the CPUs the workers are pinned to, how many. */
struct rate_env {
	const struct rb_sysinfo *si;
	struct rb_sandbox_opts *opts;
	json_t *rec;
	struct generator gen;
	int cpus[CPU_SETSIZE];
	unsigned ncpus, all;      /* CPUs we may run on; workers for "all" (the online CPUs) */
};

/* One measurement of rate I in round K, or -1 with WHY. */
static double rate_once(const struct cfg *c, struct rate_env *env, int i, long k, char *why,
			size_t len, bool *stop)
{
	unsigned workers = rates[i].all ? env->all : 1;

	switch (rates[i].kind) {
	case K_CLONE:
	case K_HOARD:
	case K_FORK:
		return raw_workers(workers, &(struct raw_job){ .kind = rates[i].kind,
				   .duration_ns = c->duration_ns, .count = c->count / workers },
				   env->cpus, env->ncpus, (unsigned)k, why, len);
	case K_ZOMBIE:
		return stress_once(c, "zombie", workers, why, len);
	case K_VFORK:
		return stress_once(c, "vfork", workers, why, len);
	case K_GEN:
		return generator_once(env->si, c, &env->gen, i == R_GEN_PIDFD_ALL ? GEN_PIDFD_ALL
				      : rates[i].all ? GEN_ALL : GEN_ONE, env->opts, env->rec, why, len,
				      stop);
	}
	return -1;
}

/* --repeat rounds; in each, every rate once, the order rotated by one per
 * round (no rate always first, or always right after the same one). A rate
 * that could not be measured once is skipped from then on. */
static void measure_rates(const struct cfg *c, struct rate_env *env, struct result *r)
{
	bool stop = false;

	for (int i = 0; i < R_COUNT_; i++)
		for (long k = 0; k < c->repeat; k++)
			r[i].round[k] = NAN;
	for (long k = 0; k < c->repeat && !stop; k++) {
		for (int j = 0; j < R_COUNT_ && !stop; j++) {
			int i = (int)((j + k) % R_COUNT_);
			double v;

			if (r[i].skip[0])
				continue;
			v = rate_once(c, env, i, k, r[i].skip, sizeof(r[i].skip), &stop);
			if (v >= 0)
				r[i].round[k] = v;
		}
	}
	for (int i = 0; i < R_COUNT_; i++) {
		double v[100];
		size_t n = 0;

		for (long k = 0; k < c->repeat; k++)
			if (!isnan(r[i].round[k]))
				v[n++] = r[i].round[k];
		if (n == 0 || r[i].skip[0])
			continue;
		rb_summarize(v, n, &r[i].s);
		r[i].has = true;
		r[i].v = r[i].s.median;
	}
}

/* The 25th and 75th percentiles of V (N > 0; V unchanged). */
static void quartiles(const double *v, size_t n, double *q1, double *q3)
{
	double sorted[MAX_OV_RUNS];

	memcpy(sorted, v, n * sizeof(double));
	rb_sort_doubles(sorted, n);
	*q1 = rb_percentile_sorted(sorted, n, 25);
	*q3 = rb_percentile_sorted(sorted, n, 75);
}

/* ---- monitoring overhead ------------------------------------------------------------ */

/* The drain of a hoard with the storm's monitoring on and off, timed the
 * same way in both: from the root's exit (the payload's observer watches
 * that one process either way) to the cgroup's pids.current back at its
 * value before the storm, polled by the runner (plan.storm.drain). */
struct overhead {
	const char *observer;     /* "pidfd" or "bpf": what was on */
	bool has;
	char skip[256];
	double on[MAX_OV_RUNS], off[MAX_OV_RUNS], ratio[MAX_OV_RUNS]; /* reaps/s; on / off */
	/* PID 1's CPU time per reap (schedstat), on and off: what the monitoring
	 * costs the reaper itself, without the wall clock's scheduling noise */
	double cpu_on[MAX_OV_RUNS], cpu_off[MAX_OV_RUNS], cpu_ratio[MAX_OV_RUNS];
	size_t n, ncpu;           /* pairs measured */
	struct rb_summary s_on, s_off, s_ratio, s_cpu_on, s_cpu_off, s_cpu_ratio;
	double q1, q3;            /* the ratio's interquartile range */
	double cq1, cq3;
	double gap_max;           /* the coarsest poll of pids.current while draining, s */
};

/* What watches a hoard: nothing, the payload's pidfd observer, the kernel's. */
enum ov_mode { OV_OFF, OV_PIDFD, OV_BPF, OV_MODES };
static const char *const ov_mode_names[OV_MODES] = { "off", "pidfd", "bpf" };

/* One hoard under REF watched as MODE (BPF: the loaded kernel observer);
 * its drain rate, or -1 with WHY (1 in *STOP: interrupted). */
static double hoard_drain(const struct rb_sysinfo *si, const struct rb_reaper *ref,
			  const struct rb_sandbox_opts *opts, const struct cfg *c, enum ov_mode mode,
			  struct rb_bpf_observer *bpf, json_t *rec, struct overhead *ov, double *cpu,
			  bool *stop)
{
	struct storm_opts o;
	struct storm_argv words;
	struct rb_run_plan plan = {
		.storm = { .drain = true, .probe_pid1 = true },
		.bpf = mode == OV_BPF ? bpf : NULL,
	};
	const struct rb_channel *ch;
	struct rb_run_result res;
	char **workload = NULL;
	struct rb_error e;
	double rate = -1;
	int64_t dt;
	json_t *run;

	*cpu = -1;
	storm_opts_defaults(&o);
	o.count = (unsigned long)c->ov_count;
	o.wait_ns = 1000 * 1000000LL;
	o.no_monitor = mode != OV_PIDFD;
	/* the last sandbox's thousands of tasks are still being freed (RCU)
	 * for a while after it is gone: let that pass first */
	nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000000L }, NULL);
	if (rb_resolve_workload(si, storm_argv(&words, "hoard", &o), &workload, &e) < 0) {
		snprintf(ov->skip, sizeof(ov->skip), "%s", e.msg);
		return -1;
	}
	if (rb_run_payload(si, ref, opts, &plan, workload, &res, &e) < 0) {
		snprintf(ov->skip, sizeof(ov->skip), "%s", e.msg);
		goto out;
	}
	*stop = res.sb.end == RB_END_INTERRUPTED;
	ch = &res.chan;
	run = rb_record_add_run(rec, ref, res.argv);
	json_object_set_new(run, "phase", json_string("overhead"));
	json_object_set_new(run, "monitor", json_boolean(mode == OV_PIDFD));
	json_object_set_new(run, "watched_by", json_string(ov_mode_names[mode]));
	rb_run_record(run, &res);
	dt = res.t_drained_ns - ch->storm.t_root_exit_seen_ns;
	if (!res.t_drained_ns || !ch->storm.t_root_exit_seen_ns || dt <= 0) {
		snprintf(ov->skip, sizeof(ov->skip), "%s", res.drain_skip[0] ? res.drain_skip
			 : "the hoarder's exit was not seen");
		goto out;
	}
	if (mode == OV_BPF && !res.bpf.taken) {
		snprintf(ov->skip, sizeof(ov->skip), "the BPF observer: %s", res.bpf.skip);
		goto out;
	}
	if (!res.chan_valid || ch->spawned != (uint64_t)c->ov_count || ch->reaped != ch->spawned) {
		snprintf(ov->skip, sizeof(ov->skip), "the hoard made %llu of %ld zombies, %llu reaped",
			 (unsigned long long)ch->spawned, c->ov_count, (unsigned long long)ch->reaped);
		goto out;
	}
	rate = (double)ch->spawned / (dt / 1e9);
	/* PID 1 is idle while the hoard is made: its CPU between the storm's
	 * start and end is the drain's */
	if (res.probe[0].has_cpu && res.probe[1].has_cpu)
		*cpu = (double)(res.probe[1].cpu_ns - res.probe[0].cpu_ns) / 1e9 / (double)ch->spawned;
	if (res.drain_gap_max_ns / 1e9 > ov->gap_max)
		ov->gap_max = res.drain_gap_max_ns / 1e9;
out:
	rb_run_result_free(&res);
	rb_argv_free(workload);
	return rate;
}

/* The pair of one observer's run and the unwatched run of the same round. */
static void add_pair(struct overhead *ov, double on, double off, double cpu_on, double cpu_off)
{
	ov->on[ov->n] = on;
	ov->off[ov->n] = off;
	ov->ratio[ov->n] = on / off;
	ov->n++;
	if (cpu_on > 0 && cpu_off > 0) {
		ov->cpu_on[ov->ncpu] = cpu_on;
		ov->cpu_off[ov->ncpu] = cpu_off;
		ov->cpu_ratio[ov->ncpu] = cpu_on / cpu_off;
		ov->ncpu++;
	}
}

static void summarize_overhead(struct overhead *ov, bool stop)
{
	if (stop && !ov->skip[0])
		snprintf(ov->skip, sizeof(ov->skip), "interrupted");
	if (ov->n == 0)
		return; /* the skip says why */
	/* the pairs that finished count; ov->skip, if set, says why not all */
	rb_summarize(ov->on, ov->n, &ov->s_on);
	rb_summarize(ov->off, ov->n, &ov->s_off);
	rb_summarize(ov->ratio, ov->n, &ov->s_ratio);
	quartiles(ov->ratio, ov->n, &ov->q1, &ov->q3);
	if (ov->ncpu) {
		rb_summarize(ov->cpu_on, ov->ncpu, &ov->s_cpu_on);
		rb_summarize(ov->cpu_off, ov->ncpu, &ov->s_cpu_off);
		rb_summarize(ov->cpu_ratio, ov->ncpu, &ov->s_cpu_ratio);
		quartiles(ov->cpu_ratio, ov->ncpu, &ov->cq1, &ov->cq3);
	}
	ov->has = true;
}

/* Rounds of three hoards, unwatched, watched by the pidfd observer and by
 * the kernel's, in an order that rotates (a drift in the machine's load
 * falls on all alike); OV[0] pairs pidfd with off, OV[1] bpf with off.
 * Where BPF cannot load, OV[1] is a skip and the rounds are pairs. */
static void measure_overhead(const struct rb_sysinfo *si, const struct cfg *c,
			     const struct rb_sandbox_opts *opts_in, json_t *rec, struct overhead ov[2])
{
	struct rb_sandbox_opts o = *opts_in, *opts = &o;
	struct rb_bpf_observer *bpf = NULL;
	struct rb_reaper ref;
	struct rb_error e;
	bool stop = false, failed = false;

	ov[0].observer = "pidfd";
	ov[1].observer = "bpf";
	/* room for the hoard: its own pid_max (the pids cgroup follows) */
	if (o.pid_max < c->ov_count + 64)
		o.pid_max = c->ov_count + 64;
	if (o.pids_max && o.pids_max < o.pid_max)
		o.pids_max = o.pid_max;
	if (rb_suite_raise_nofile((unsigned long)c->ov_count, RSS_FD_SLACK, ov[0].skip, sizeof(ov[0].skip)) < 0) {
		snprintf(ov[1].skip, sizeof(ov[1].skip), "%s", ov[0].skip);
		return;
	}
	if (rb_reaper_find(si, "reference", &ref, &e) < 0 ||
	    (rb_reaper_resolve(si, &ref), rb_require_available(&ref, &e) < 0)) {
		snprintf(ov[0].skip, sizeof(ov[0].skip), "%s", e.msg);
		snprintf(ov[1].skip, sizeof(ov[1].skip), "%s", e.msg);
		return;
	}
	if (rb_bpf_observer_open(&bpf, (uint32_t)o.pid_max + 1, (uint32_t)c->ov_count + 4096, &e) < 0)
		snprintf(ov[1].skip, sizeof(ov[1].skip), "%s", e.msg);
	for (long i = 0; i < c->ov_runs && !stop && !failed; i++) {
		double rate[OV_MODES] = { 0 }, cpu[OV_MODES] = { -1, -1, -1 };

		for (int k = 0; k < OV_MODES && !stop && !failed; k++) {
			enum ov_mode m = (enum ov_mode)((i + k) % OV_MODES);
			struct overhead *into = m == OV_BPF ? &ov[1] : &ov[0];

			if (m == OV_BPF && !bpf)
				continue;
			rate[m] = hoard_drain(si, &ref, opts, c, m, bpf, rec, into, &cpu[m], &stop);
			failed = rate[m] < 0 && m != OV_BPF;
			if (m == OV_OFF && failed)
				snprintf(ov[1].skip, sizeof(ov[1].skip), "%s", ov[0].skip);
		}
		if (stop || failed)
			break;
		add_pair(&ov[0], rate[OV_PIDFD], rate[OV_OFF], cpu[OV_PIDFD], cpu[OV_OFF]);
		if (bpf && rate[OV_BPF] > 0)
			add_pair(&ov[1], rate[OV_BPF], rate[OV_OFF], cpu[OV_BPF], cpu[OV_OFF]);
	}
	rb_bpf_observer_close(bpf);
	summarize_overhead(&ov[0], stop);
	summarize_overhead(&ov[1], stop);
}

static json_t *json_doubles(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

static void report_overhead(const struct cfg *c, const struct overhead *ov, json_t *rec)
{
	double change = ov->s_ratio.median - 1;
	bool met = fabs(change) < TARGET_OVERHEAD;
	/* the verdict holds when the middle half of the pairs agrees with it */
	bool conclusive = met ? ov->q1 >= 1 - TARGET_OVERHEAD && ov->q3 <= 1 + TARGET_OVERHEAD
			      : change < 0 ? ov->q3 < 1 - TARGET_OVERHEAD : ov->q1 > 1 + TARGET_OVERHEAD;
	json_t *o = json_object();

	json_object_set_new(o, "count", json_integer(c->ov_count));
	json_object_set_new(o, "target_change", json_real(TARGET_OVERHEAD));
	json_object_set_new(o, "method", json_string("drain rate = zombies / (root's exit seen -> "
		"cgroup pids.current back at its value before the storm), reference reaper, "
		"hoard, watched and unwatched interleaved"));
	json_object_set_new(o, "observer", json_string(ov->observer));
	printf("\nmonitoring overhead, %s observer: drain of a hoard of %ld under reference, watched\n"
	       "by it vs by nothing, %zu of %ld interleaved round%s, timed from the cgroup's pids.current\n",
	       ov->observer, c->ov_count, ov->n, c->ov_runs, c->ov_runs == 1 ? "" : "s");
	if (ov->has && ov->skip[0])
		printf("  (not all pairs: %s)\n", ov->skip);
	if (!ov->has) {
		printf("  skipped: %s\n", ov->skip);
		json_object_set_new(o, "skip", json_string(ov->skip));
		json_object_set_new(rec, strcmp(ov->observer, "bpf") == 0 ? "overhead_bpf" : "overhead", o);
		return;
	}
	printf("  %-44s %9.0f reaps/s   %.0f-%.0f (CV %.0f%%)\n", "drain, watched",
	       ov->s_on.median, ov->s_on.min, ov->s_on.max, ov->s_on.cv * 100);
	printf("  %-44s %9.0f reaps/s   %.0f-%.0f (CV %.0f%%)\n", "drain, unwatched",
	       ov->s_off.median, ov->s_off.min, ov->s_off.max, ov->s_off.cv * 100);
	printf("  %-44s %9.3f   IQR %.3f-%.3f, min-max %.3f-%.3f\n", "watched / unwatched (median of the pairs)",
	       ov->s_ratio.median, ov->q1, ov->q3, ov->s_ratio.min, ov->s_ratio.max);
	printf("  %-44s %+8.1f%%   target within %.0f%%: %s\n", "change when watched",
	       change * 100, TARGET_OVERHEAD * 100, met ? "met" : "MISSED");
	if (!conclusive)
		printf("  (the pairs' IQR %.3f-%.3f reaches past the %.0f%% band on the other side of the\n"
		       "  median: on this machine the verdict is noise; more --overhead-runs or a quieter\n"
		       "  machine would tell)\n", ov->q1, ov->q3, TARGET_OVERHEAD * 100);
	if (ov->ncpu)
		printf("  %-44s %6.2f / %.2f us   on/off %.3f, IQR %.3f-%.3f (%zu pairs)\n",
		       "PID 1's CPU per reap, watched / unwatched", ov->s_cpu_on.median * 1e6,
		       ov->s_cpu_off.median * 1e6, ov->s_cpu_ratio.median, ov->cq1, ov->cq3, ov->ncpu);
	else
		printf("  %-44s -  (schedstat unreadable)\n", "PID 1's CPU per reap");
	printf("  (pids.current polled at least every %.0f us while draining; a drain takes ~%.1f ms)\n",
	       ov->gap_max * 1e6, c->ov_count / ov->s_off.median * 1e3);
	json_object_set_new(o, "pairs", json_integer((json_int_t)ov->n));
	json_object_set_new(o, "drain_rate_on", json_doubles(ov->on, ov->n));
	json_object_set_new(o, "drain_rate_off", json_doubles(ov->off, ov->n));
	json_object_set_new(o, "ratio", json_doubles(ov->ratio, ov->n));
	json_object_set_new(o, "ratio_median", json_real(ov->s_ratio.median));
	json_object_set_new(o, "ratio_iqr", json_pack("[f, f]", ov->q1, ov->q3));
	json_object_set_new(o, "ratio_min", json_real(ov->s_ratio.min));
	json_object_set_new(o, "ratio_max", json_real(ov->s_ratio.max));
	json_object_set_new(o, "change", json_real(change));
	json_object_set_new(o, "met", json_boolean(met));
	json_object_set_new(o, "conclusive", json_boolean(conclusive));
	json_object_set_new(o, "poll_gap_max_s", json_real(ov->gap_max));
	if (ov->ncpu) {
		json_object_set_new(o, "pid1_cpu_per_reap_on", json_doubles(ov->cpu_on, ov->ncpu));
		json_object_set_new(o, "pid1_cpu_per_reap_off", json_doubles(ov->cpu_off, ov->ncpu));
		json_object_set_new(o, "pid1_cpu_ratio_median", json_real(ov->s_cpu_ratio.median));
		json_object_set_new(o, "pid1_cpu_ratio_iqr", json_pack("[f, f]", ov->cq1, ov->cq3));
		json_object_set_new(o, "pid1_cpu_unit", json_string("s per reap"));
	} else {
		json_object_set_new(o, "pid1_cpu_skip", json_string("schedstat unreadable"));
	}
	json_object_set_new(o, "unit", json_string("reaps/s"));
	json_object_set_new(rec, strcmp(ov->observer, "bpf") == 0 ? "overhead_bpf" : "overhead", o);
}

/* ---- the harness's own RSS ---------------------------------------------------------- */

/* `reapbench storm` itself, as users run it (every sample held, the record
 * built), on a stream of --rss-count orphans under the reference: its
 * peak RSS (it records its VmHWM) and the payload's. */
struct rss {
	bool has;
	char skip[256];
	double harness_kib, payload_kib, seconds;
	long pid_max;
	int exit_code;
};

static double payload_kib(json_t *rec)
{
	json_t *m, *x;
	size_t i;

	json_array_foreach(json_object_get(json_array_get(json_object_get(rec, "runs"), 0),
					   "measurements"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "name")) ?: "", "payload_rss_peak") == 0 &&
		    (x = json_object_get(m, "value")))
			return json_number_value(x);
	return -1;
}

static void measure_rss(const struct rb_sysinfo *si, const struct cfg *c,
			const struct rb_sandbox_opts *opts, int log_fd, struct rss *r)
{
	char exe[1200], dir[1200], path[1300], n[32], rate[32], pm[32], dl[32];
	int64_t t0 = rb_now_ns();
	struct rb_error e;
	json_t *rec, *h;
	pid_t pid;
	int st;

	r->pid_max = opts->pid_max > 131072 ? opts->pid_max : 131072;
	/* if not, the stream closes each pidfd at its reap (recorded in the run) */
	rb_suite_raise_nofile((unsigned long)c->rss_count, RSS_FD_SLACK, r->skip, sizeof(r->skip));
	r->skip[0] = '\0';
	snprintf(exe, sizeof(exe), "%s/reapbench", si->exe_dir);
	snprintf(dir, sizeof(dir), "%s/calibrate-rss", c->out.dir);
	snprintf(n, sizeof(n), "%ld", c->rss_count);
	snprintf(rate, sizeof(rate), "%g", c->rss_rate);
	snprintf(pm, sizeof(pm), "%ld", r->pid_max);
	snprintf(dl, sizeof(dl), "%.0fs", c->rss_count / c->rss_rate + 60);
	snprintf(path, sizeof(path), "%s/storm.json", dir);
	unlink(path); /* an earlier run's record must not pass for this one's */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(r->skip, sizeof(r->skip), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (log_fd >= 0) {
			dup2(log_fd, STDOUT_FILENO);
			dup2(log_fd, STDERR_FILENO);
		}
		execl(exe, exe, "storm", "-r", "reference", "--pattern", "stream", "--count", n,
		      "--rate", rate, "--repeat", "1", "--pid-max", pm, "--deadline", dl,
		      "--out", dir, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->seconds = (rb_now_ns() - t0) / 1e9;
	r->exit_code = rb_status_code(st);
	if (r->exit_code != 0) {
		snprintf(r->skip, sizeof(r->skip), "reapbench storm exited %d (its output: "
			 "%s/logs/calibrate-rss.log)", r->exit_code, c->out.dir);
		return;
	}
	if (rb_record_load(path, &rec, &e) < 0) {
		snprintf(r->skip, sizeof(r->skip), "reapbench storm exited %d and left no record "
			 "(%s; its output: %s/logs/calibrate-rss.log)", r->exit_code, e.msg, c->out.dir);
		return;
	}
	h = json_object_get(json_object_get(rec, "harness"), "rss_peak");
	if (!json_is_number(h)) {
		snprintf(r->skip, sizeof(r->skip), "storm.json has no harness.rss_peak");
		json_decref(rec);
		return;
	}
	r->harness_kib = json_number_value(h);
	r->payload_kib = payload_kib(rec);
	r->has = true;
	json_decref(rec);
}

static void report_rss(const struct cfg *c, const struct rss *r, json_t *rec)
{
	json_t *o = json_object();
	bool met = r->harness_kib < TARGET_RSS_KIB;

	if (c->rss_count)
		printf("\nharness RSS: `reapbench storm` of a stream of %ld orphans at %g/s under reference\n",
		       c->rss_count, c->rss_rate);
	else
		printf("\nharness RSS: the storm of --rss-count processes\n");
	json_object_set_new(o, "target_kib", json_integer(TARGET_RSS_KIB));
	if (c->rss_count == 0 || !r->has) {
		const char *why = c->rss_count == 0 ? "--quick" : r->skip;

		printf("  skipped: %s\n", why);
		json_object_set_new(o, "skip", json_string(why));
		json_object_set_new(rec, "rss", o);
		return;
	}
	printf("  %-44s %9.1f MiB   target < 64 MiB: %s\n", "reapbench's own peak RSS (VmHWM)",
	       r->harness_kib / 1024, met ? "met" : "MISSED");
	if (r->payload_kib > 0)
		printf("  %-44s %9.1f MiB   (for scale: the observer and the storm's stacks)\n",
		       "the payload's peak RSS", r->payload_kib / 1024);
	else
		printf("  %-44s %9s       (not in the run's record)\n", "the payload's peak RSS", "-");
	printf("  (storm exited %d after %.1f s, pid_max %ld; record %s/calibrate-rss/storm.json)\n",
	       r->exit_code, r->seconds, r->pid_max, c->out.dir);
	json_object_set_new(o, "count", json_integer(c->rss_count));
	json_object_set_new(o, "rate", json_real(c->rss_rate));
	json_object_set_new(o, "harness_rss_peak_kib", json_real(r->harness_kib));
	json_object_set_new(o, "met", json_boolean(met));
	if (r->payload_kib > 0)
		json_object_set_new(o, "payload_rss_peak_kib", json_real(r->payload_kib));
	json_object_set_new(o, "storm_exit_code", json_integer(r->exit_code));
	json_object_set_new(o, "seconds", json_real(r->seconds));
	json_object_set_new(o, "pid_max", json_integer(r->pid_max));
	json_object_set_new(rec, "rss", o);
}

/* ---- the command ------------------------------------------------------------------ */


/* The rates' env: the CPUs, the online count, the generator's workloads. */
static void rate_env_init(const struct rb_sysinfo *si, const struct cfg *c,
			  struct rb_sandbox_opts *opts, json_t *rec, struct rate_env *env)
{
	cpu_set_t set;

	env->si = si;
	env->opts = opts;
	env->rec = rec;
	env->all = (unsigned)rb_spawners_default();
	env->ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int k = 0; k < CPU_SETSIZE; k++)
			if (CPU_ISSET(k, &set))
				env->cpus[env->ncpus++] = k;
	if (env->ncpus == 0)
		env->cpus[env->ncpus++] = 0;
	generator_setup(si, c, opts, env->all, &env->gen);
}

static void rate_env_free(struct rate_env *env)
{
	for (int w = 0; w < GEN_WORKLOADS; w++)
		rb_argv_free(env->gen.workload[w]);
	rb_bpf_observer_close(env->gen.bpf);
}

static void rate_label(const struct rate_env *env, int i, char *buf, size_t len)
{
	snprintf(buf, len, rates[i].label, rates[i].all ? env->all : 1u);
}

static void report_rates(const struct result *r, const struct rate_env *env, json_t *rec)
{
	json_t *all = json_object();
	char label[96];

	printf("\n%-56s %12s %18s\n", "RATE", "PER SECOND", "SPREAD (min-max)");
	for (int i = 0; i < R_COUNT_; i++) {
		json_t *x;

		rate_label(env, i, label, sizeof(label));
		if (!r[i].has) {
			printf("%-56s %12s  skipped: %s\n", label, "-", r[i].skip);
			json_object_set_new(all, rates[i].name, json_pack("{s:s}", "skip", r[i].skip));
			continue;
		}
		printf("%-56s %12.0f", label, r[i].v);
		if (r[i].s.n > 1)
			printf("   %.0f-%.0f (CV %.0f%%)", r[i].s.min, r[i].s.max, r[i].s.cv * 100);
		printf("\n");
		x = json_pack("{s:s, s:f, s:i, s:f, s:f, s:i}", "unit", "processes/s", "median", r[i].v,
			      "n", (json_int_t)r[i].s.n, "min", r[i].s.min, "max", r[i].s.max, "workers",
			      (json_int_t)(rates[i].all ? env->all : 1));
		json_object_set_new(all, rates[i].name, x);
	}
	json_object_set_new(rec, "rates", all);
	if (env->gen.bpf) {
		printf("(the generator as storm runs it by default: watched by the kernel (bpf), no "
		       "pidfds; the last row with a pidfd per process, as --observer pidfd)\n");
		json_object_set_new(rec, "generator_observer", json_string("bpf"));
	} else if (!env->gen.skip[0]) {
		printf("(the generator watched by the payload's pidfds, as storm falls back to: %s)\n",
		       env->gen.observer_why);
		json_object_set_new(rec, "generator_observer", json_string("pidfd"));
		json_object_set_new(rec, "generator_observer_why", json_string(env->gen.observer_why));
	}
}

/* A / B, each round's pair (interleaved: measured within seconds of each
 * other): the median of the rounds' ratios with their min-max, against
 * TARGET (a fraction below 1, a multiple above; 0: for scale). Printed and
 * recorded as NAME; returns the median, NAN if not measured. */
static double ratio(json_t *ratios, const char *name, const char *what, const struct result *a,
		    const struct result *b, double target, long rounds)
{
	json_t *o = json_object();
	struct rb_summary s;
	double v[100], x;
	bool pct = target > 0 && target < 1;
	size_t n = 0;

	for (long k = 0; k < rounds; k++)
		if (!isnan(a->round[k]) && !isnan(b->round[k]) && b->round[k] > 0)
			v[n++] = a->round[k] / b->round[k];
	json_object_set_new(ratios, name, o);
	if (target > 0)
		json_object_set_new(o, "target", json_real(target));
	if (!a->has || !b->has || n == 0) {
		const char *why = !a->has ? a->skip : !b->has ? b->skip : "no round measured both";

		printf("  %-52s -  (%s)\n", what, why);
		json_object_set_new(o, "skip", json_string(why));
		return NAN;
	}
	rb_summarize(v, n, &s);
	x = s.median;
	json_object_set_new(o, "value", json_real(x));
	json_object_set_new(o, "min", json_real(s.min));
	json_object_set_new(o, "max", json_real(s.max));
	json_object_set_new(o, "rounds", json_integer((json_int_t)n));
	if (target > 0)
		json_object_set_new(o, "met", json_boolean(x >= target));
	if (pct)
		printf("  %-52s %6.1f%%  target >= %.0f%%: %s", what, x * 100, target * 100,
		       x >= target ? "met" : "MISSED");
	else if (target > 0)
		printf("  %-52s %6.2fx  target >= %.0fx: %s", what, x, target,
		       x >= target ? "met" : "MISSED");
	else
		printf("  %-52s %6.2fx  for scale", what, x);
	if (pct)
		printf("  (rounds %.1f-%.1f%%, n %zu)\n", s.min * 100, s.max * 100, n);
	else
		printf("  (rounds %.2f-%.2fx, n %zu)\n", s.min, s.max, n);
	return x;
}

/* The kernel's own loop against stress-ng, with as many workers. Where the
 * generator missed the x10 (its ratio GEN, NAN: not measured) and the loop
 * is below it too, the machine is the limit: said with the figures. (A
 * generator that spawns with clone-vm, not vfork, may pass the loop: then
 * nothing.) */
static void ceiling(json_t *ratios, const char *name, const char *what, const struct result *r,
		    int raw, int zombie, long rounds, double gen)
{
	double x = ratio(ratios, name, what, &r[raw], &r[zombie], 0, rounds);

	if (isnan(x))
		return;
	if (x < TARGET_STRESS && !isnan(gen) && gen < TARGET_STRESS)
		printf("  %-52s the kernel's own loop is %.2fx stress-ng here: x%.0f is beyond it too\n",
		       "", x, TARGET_STRESS);
	json_object_set_new(json_object_get(ratios, name), "raw_loop_reaches_target",
			    json_boolean(x >= TARGET_STRESS));
}

static void report_ratios(const struct cfg *c, const struct result *r, const struct rate_env *env,
			  json_t *rec)
{
	json_t *ratios = json_object();
	char what[8][64];
	double gen;

	snprintf(what[0], sizeof(what[0]), "generator x%u / raw clone-vfork x%u", env->all, env->all);
	snprintf(what[1], sizeof(what[1]), "generator x%u / stress-ng --zombie %u", env->all, env->all);
	snprintf(what[2], sizeof(what[2]), "raw clone-vfork x%u / stress-ng --zombie %u", env->all,
		 env->all);
	snprintf(what[3], sizeof(what[3]), "generator x%u / generator x1", env->all);
	snprintf(what[4], sizeof(what[4]), "generator x%u / raw clone-vm hoard x%u", env->all,
		 env->all);
	snprintf(what[5], sizeof(what[5]), "raw clone-vm hoard x%u / x1", env->all);
	snprintf(what[6], sizeof(what[6]), "raw clone-vfork x%u / x1", env->all);
	snprintf(what[7], sizeof(what[7]), "generator x%u watched by pidfds / x%u", env->all,
		 env->all);
	printf("\nratios (each round's pair; the median of the rounds, their min-max)\n");
	printf(" every CPU (%u: a raw worker pinned to each; as many spawners, unpinned as a burst's are)\n",
	       env->all);
	ratio(ratios, "generator_all_vs_raw_clone_all", what[0], &r[R_GEN_ALL], &r[R_CLONE_ALL],
	      TARGET_RAW_ALL, c->repeat);
	gen = ratio(ratios, "generator_all_vs_stress_ng_zombie_all", what[1], &r[R_GEN_ALL],
		    &r[R_ZOMBIE_ALL], TARGET_STRESS, c->repeat);
	ceiling(ratios, "raw_clone_all_vs_stress_ng_zombie_all", what[2], r, R_CLONE_ALL, R_ZOMBIE_ALL,
		c->repeat, gen);
	ratio(ratios, "generator_all_vs_generator", what[3], &r[R_GEN_ALL], &r[R_GEN], 0, c->repeat);
	/* what a pidfd per process costs it */
	ratio(ratios, "generator_all_pidfd_vs_generator_all", what[7], &r[R_GEN_PIDFD_ALL],
	      &r[R_GEN_ALL], 0, c->repeat);
	/* the spawning a storm does, bare: what the second CPU gives it */
	ratio(ratios, "generator_all_vs_hoard_all", what[4], &r[R_GEN_ALL], &r[R_HOARD_ALL], 0,
	      c->repeat);
	ratio(ratios, "hoard_all_vs_hoard", what[5], &r[R_HOARD_ALL], &r[R_HOARD], 0, c->repeat);
	ratio(ratios, "raw_clone_all_vs_raw_clone", what[6], &r[R_CLONE_ALL], &r[R_CLONE], 0,
	      c->repeat);
	printf(" one CPU (one spawner, unpinned as --spawners 1 runs; one raw worker, pinned)\n");
	ratio(ratios, "generator_vs_raw_clone", "generator / raw clone-vfork", &r[R_GEN], &r[R_CLONE],
	      TARGET_RAW, c->repeat);
	gen = ratio(ratios, "generator_vs_stress_ng_zombie", "generator / stress-ng --zombie", &r[R_GEN],
		    &r[R_ZOMBIE], TARGET_STRESS, c->repeat);
	ceiling(ratios, "raw_clone_vs_stress_ng_zombie", "raw clone-vfork / stress-ng --zombie", r,
		R_CLONE, R_ZOMBIE, c->repeat, gen);
	ratio(ratios, "raw_clone_vs_raw_fork", "raw clone-vfork / raw fork", &r[R_CLONE], &r[R_FORK], 0,
	      c->repeat);
	ratio(ratios, "generator_vs_stress_ng_vfork", "generator / stress-ng --vfork", &r[R_GEN],
	      &r[R_VFORK], 0, c->repeat);
	json_object_set_new(rec, "ratios", ratios);
}

/* The configuration first (the options' offsets are into it), then what
 * the run measures. */
struct state {
	struct cfg c;
	struct result r[R_COUNT_];
	struct rate_env env;
	struct overhead ov[2];
	struct rss rss;
	int64_t t_step[3];
};

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->duration_ns = 500000000LL;
	c->repeat = 5;
	c->count = 2000;
	c->stress_s = 1;
	c->ov_runs = 10;
	c->ov_count = 10000;
	c->rss_count = 100000;
	c->rss_rate = 10000;
	x->opts.deadline_ns = 20LL * 1000000000;
}

static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	if (c->count + 16 > x->opts.pid_max)
		return rb_input_error(err, "calibrate: --count %ld needs a --pid-max of at least %ld",
				      c->count, c->count + 16);
	if (c->quick)
		c->rss_count = 0;
	return 0;
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	const struct cfg *c = x->cfg;
	json_t *o = json_object_get(x->rec, "options");

	(void)err;
	json_object_set_new(o, "pid_max", json_integer(x->opts.pid_max));
	rb_record_runtime(o, &x->opts);
	printf("calibrate: %ld interleaved rounds of every rate (medians): raw loops %.2fs, stress-ng "
	       "%lds, generator a burst of %ld under reference; each with one worker and with one "
	       "per online CPU (%lu)\n", c->repeat, c->duration_ns / 1e9, c->stress_s, c->count,
	       rb_spawners_default());
	return 0;
}

static int open_log(const struct rb_suite_ctx *x, const char *name)
{
	char path[RB_CLI_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/logs/calibrate-%s.log", x->out->dir, name);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* The rates (interleaved), the monitoring overhead, the harness's RSS. */
static int run(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct state *st = x->cfg;
	const struct cfg *c = &st->c;

	(void)err;
	x->opts.output_fd = open_log(x, "reference");
	st->t_step[0] = rb_now_ns();
	rate_env_init(x->si, c, &x->opts, x->rec, &st->env);
	measure_rates(c, &st->env, st->r);
	st->t_step[1] = rb_now_ns();
	measure_overhead(x->si, c, &x->opts, x->rec, st->ov);
	st->t_step[2] = rb_now_ns();
	if (x->opts.output_fd >= 0)
		close(x->opts.output_fd);
	x->opts.output_fd = -1;
	if (c->rss_count > 0) {
		int log_fd = open_log(x, "rss");

		measure_rss(x->si, c, &x->opts, log_fd, &st->rss);
		if (log_fd >= 0)
			close(log_fd);
	}
	return 0;
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct state *st = x->cfg;
	const struct cfg *c = &st->c;
	double rates_s = (st->t_step[1] - st->t_step[0]) / 1e9;
	double overhead_s = (st->t_step[2] - st->t_step[1]) / 1e9;
	char rss_time[32] = "skipped (--quick)";

	(void)err;
	report_rates(st->r, &st->env, x->rec);
	report_ratios(c, st->r, &st->env, x->rec);
	report_overhead(c, &st->ov[0], x->rec);
	report_overhead(c, &st->ov[1], x->rec);
	report_rss(c, &st->rss, x->rec);
	if (c->rss_count)
		snprintf(rss_time, sizeof(rss_time), "%.1f s", st->rss.seconds);
	printf("\nsteps: rates (raw, stress-ng, generator; interleaved) %.1f s, overhead %.1f s, RSS %s\n",
	       rates_s, overhead_s, rss_time);
	json_object_set_new(x->rec, "step_seconds", json_pack("{s:f, s:f, s:f}", "rates", rates_s,
							      "overhead", overhead_s, "rss",
							      st->rss.seconds));
	return 0;
}

static void release(struct rb_suite_ctx *x)
{
	rate_env_free(&((struct state *)x->cfg)->env);
}

const struct rb_suite rb_suite_calibrate = {
	.name = "calibrate",
	.summary = "raw clone/fork and stress-ng rates next to the storm generator's",
	.cli = &calibrate_cli,
	.cfg_size = sizeof(struct state),
	.out_off = offsetof(struct state, c.out),
	.output = RB_OUTPUT_DIR,
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.run = run,
	.report = report,
	.release = release,
};
