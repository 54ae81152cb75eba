/* reapbench storm: each reaper clears the same storm (bench/storm.h)
 * --repeat times. Per run: the reap latency of every storm process (pidfd
 * EPOLLIN -> EPOLLHUP, as the payload's observer saw them), the drain, the
 * zombie population, the pids it took, spawn failures, and PID 1's cost
 * (schedstat, VmHWM, context switches, probed while the payload holds still
 * at the storm's start and end). Per reaper: each figure's median, min, max
 * and CV over the runs. Writes storm.json (with every raw sample),
 * storm.csv (the samples) and storm-pop.csv (the population over time),
 * and plots them where gnuplot is installed (storm_plot.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bpf_figures.h"
#include "cli.h"
#include "commands.h"
#include "metrics.h"
#include "observer_bpf.h"
#include "output.h"
#include "procfs.h"
#include "suite.h"
#include "record.h"
#include "runner.h"
#include "spawners.h"
#include "stats.h"
#include "storm.h"
#include "storm_args.h"
#include "storm_plot.h"
#include "table.h"
#include "version.h"

#define DEFAULT_COUNT 1000
#define DEFAULT_REPEAT 5
#define POP_SAMPLES 4096u /* the payload halves the resolution when they fill */
#define FD_SLACK 32       /* as bench/storm.c */

struct cfg {
	const struct storm_pattern *pat;
	int observer; /* enum rb_observer; auto resolved before the runs */
	char observer_why[256]; /* auto: why not bpf */
	struct storm_opts o;
	long repeat;
	bool no_plots;
	struct rb_output out;
	struct rb_selection sel;
	/* the run's state */
	struct rb_run_plan plan;
	char **workload;       /* the payload's command line */
	FILE *csv, *csv_pop;   /* storm.csv, storm-pop.csv */
	char plot_line[2048];  /* the footer's plots line */
};

/* The figures of one run. Each is measured or skipped with a reason. */
enum metric_id {
	M_P50, M_P90, M_P99, M_P999, M_MAX, M_SAMPLES, M_DRAIN, M_RATE, M_ZOMBIES, M_LIVE,
	M_PIDS, M_PIDS_FREE, M_FAILS, M_SPAWNED, M_REAPED, M_LEAKED, M_CPU1K, M_CPU, M_RSS,
	M_VCSW, M_IVCSW, M_COALESCED, M_BELOW, M_SIGCHLD, M_MERGED, M_PIDFD_P50, M_PIDFD_P99,
	M_PIDFD_DRAIN, M_OBS_ERR_P50, M_OBS_ERR_P99, M_OBS_EXIT_ERR_P50, M_OBS_EXIT_ERR_P99,
	M_BATCH_MEAN, M_BATCH_MAX, M_COUNT_
};

/* storm's figures: the registry's entries (metrics.h), by id. */
#define TIME_MS(n, col, cmp) { n, "s", -1, true, 0, cmp, col, 1e3, false }
#define COUNT(n, u, better, col, cmp, runner) { n, u, better, false, 0, cmp, col, 1, runner }
static const struct rb_metric metrics[M_COUNT_] = {
	[M_P50] = TIME_MS("reap_latency_p50", "P50 ms", true),
	[M_P90] = TIME_MS("reap_latency_p90", NULL, true),
	[M_P99] = TIME_MS("reap_latency_p99", "P99 ms", true),
	[M_P999] = TIME_MS("reap_latency_p99_9", NULL, true),
	[M_MAX] = TIME_MS("reap_latency_max", "MAX ms", true),
	[M_SAMPLES] = COUNT("reap_latency_samples", "processes", 0, NULL, false, false),
	[M_DRAIN] = TIME_MS("drain_time", "DRAIN ms", true),
	[M_RATE] = { "drain_rate", "reaps/s", +1, true, 0, true, "REAPS/s", 1, false },
	[M_ZOMBIES] = COUNT("zombies_peak", "processes", -1, "ZOMBIES", true, false),
	[M_LIVE] = COUNT("live_peak", "processes", 0, NULL, false, false),
	[M_PIDS] = COUNT("pids_peak", "pids", -1, "PIDS", true, true),
	[M_PIDS_FREE] = COUNT("pids_free_min", "pids", 0, NULL, false, false),
	[M_FAILS] = COUNT("payload_spawn_failed", "processes", -1, "FAILS", true, true),
	[M_SPAWNED] = COUNT("payload_spawned", "processes", 0, NULL, false, true),
	[M_REAPED] = COUNT("payload_reaped", "processes", 0, NULL, false, true),
	[M_LEAKED] = COUNT("leaked", "processes", -1, NULL, true, false),
	[M_CPU1K] = TIME_MS("pid1_cpu_per_1000_reaps", "CPU ms/1k", true),
	[M_CPU] = COUNT("pid1_cpu", "s", 0, NULL, false, false),
	[M_RSS] = COUNT("pid1_rss_peak", "KiB", 0, NULL, false, false),
	[M_VCSW] = COUNT("pid1_voluntary_switches", "switches", 0, NULL, false, false),
	[M_IVCSW] = COUNT("pid1_involuntary_switches", "switches", 0, NULL, false, false),
	[M_COALESCED] = COUNT("observer_coalesced", "processes", 0, NULL, false, false),
	[M_BELOW] = COUNT("reap_latency_below_resolution", "processes", 0, NULL, false, false),
	/* the kernel observer's (--observer bpf|both) */
	[M_SIGCHLD] = COUNT("sigchld_to_pid1", "signals", 0, NULL, false, false),
	[M_MERGED] = COUNT("sigchld_merged", "signals", 0, NULL, false, false),
	/* --observer both: the pidfd observer's figures beside the kernel's,
	 * and its error (its reap time minus the kernel's, per process) */
	[M_PIDFD_P50] = TIME_MS("pidfd_reap_latency_p50", "pidfd P50", false),
	[M_PIDFD_P99] = TIME_MS("pidfd_reap_latency_p99", "pidfd P99", false),
	[M_PIDFD_DRAIN] = TIME_MS("pidfd_drain_time", "pidfd DRAIN", false),
	[M_OBS_ERR_P50] = { "pidfd_error_p50", "s", 0, false, 0, false, "REAP ERR ms", 1e3, false },
	[M_OBS_ERR_P99] = { "pidfd_error_p99", "s", 0, false, 0, false, NULL, 1e3, false },
	/* ... and on the exit side (EPOLLIN against sched_process_exit): when
	 * the exits crowd the CPUs the observer sees them late, which shortens
	 * the latencies it measures */
	[M_OBS_EXIT_ERR_P50] = { "pidfd_exit_error_p50", "s", 0, false, 0, false, "EXIT ERR ms", 1e3,
				 false },
	[M_OBS_EXIT_ERR_P99] = { "pidfd_exit_error_p99", "s", 0, false, 0, false, NULL, 1e3, false },
	/* the kernel's: PID 1's reaps between two waits that came back empty */
	[M_BATCH_MEAN] = COUNT("pid1_reaps_per_batch", "reaps", 0, "PER BATCH", false, false),
	[M_BATCH_MAX] = COUNT("pid1_reap_batch_max", "reaps", 0, NULL, false, false),
};
#undef TIME_MS
#undef COUNT

/* Each storm process's times as one observer saw them (ns; 0 not seen):
 * its exit, when it became PID 1's to reap, its reap; its latency (-1:
 * not reaped). Per sample index. */
struct sample_times {
	int64_t *exit, *from, *reap, *lat;
};

/* What the run's observers saw: the pidfd observer's and the kernel's
 * times (NULL arrays where it did not run) and the ones the figures,
 * samples and CSV are made of (the kernel's where it ran). */
struct observed {
	struct sample_times pidfd, kernel;
	const struct sample_times *primary;
	struct rb_bpf_reap *matched; /* the storm's kernel records (t_reap 0: never reaped) */
	size_t nmatched, nreaped;
	bool pop_kernel; /* res->pops were made from them (kernel_population) */
};

struct run_figures {
	bool has[M_COUNT_];
	double v[M_COUNT_];
	char skip[M_COUNT_][128];
	bool cleared; /* every process made was reaped */
};

struct row {
	RB_SUITE_ROW_HEAD;
	int cleared;
	bool pop0;    /* its first run sampled the population (for the plot) */
	struct run_figures *f; /* [repeat] */
	struct rb_summary sum[M_COUNT_];
	bool has_sum[M_COUNT_];
};

static void list_patterns(FILE *out)
{
	for (size_t i = 0; i < storm_npatterns; i++)
		fprintf(out, "%24s%-8s %s\n", "", storm_patterns[i]->name, storm_patterns[i]->summary);
}

static int parse_pattern(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	const struct storm_pattern **pat = field;

	*pat = storm_pattern_find(arg);
	if (!*pat)
		return rb_input_error(err, "%s: unknown pattern '%s' (%s)", opt, arg,
				      storm_pattern_names());
	return 0;
}

static json_t *pattern_json(const void *field)
{
	return json_string((*(const struct storm_pattern *const *)field)->name);
}

static json_t *method_json(const void *field)
{
	return json_string(rb_spawn_method_name(*(const enum rb_spawn_method *)field));
}

static int parse_method(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	int m = rb_spawn_method_parse(arg);

	if (m < 0)
		return rb_input_error(err, "%s: '%s' is not clone-vm, vfork or fork", opt, arg);
	*(enum rb_spawn_method *)field = (enum rb_spawn_method)m;
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
#define HOUR_NS (3600 * 1e9)
static const struct rb_opt storm_opts[] = {
	{ "pattern", 0, RB_OT_FN, "P", AT(pat), .parse = parse_pattern, .help = "the storm",
	  .dflt = "burst", .help_more = list_patterns, .record = "pattern", .to_json = pattern_json },
	{ "count", 0, RB_OT_ULONG, "N", AT(o.count), 1, STORM_MAX_COUNT,
	  .help = "storm processes (tree: the budget; threads: groups)", .record = "count" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, 1000, .help = "runs per reaper",
	  .record = "repeat" },
	{ "method", 0, RB_OT_FN, "M", AT(o.method), .parse = parse_method,
	  .help = "clone-vm | vfork | fork", .dflt = "clone-vm, the fastest", .record = "method",
	  .to_json = method_json },
	{ "branch", 0, RB_OT_ULONG, "B", AT(o.branch), 1, 1000, .help = "tree: children per process" },
	{ "depth", 0, RB_OT_ULONG, "D", AT(o.depth), 1, 64, .help = "tree: levels" },
	{ "threads", 0, RB_OT_ULONG, "K", AT(o.threads), 0, 1000,
	  .help = "threads: threads per group besides the leader" },
	{ "rate", 0, RB_OT_RATE, "R", AT(o.rate), 0, 1e7, .help = "stream: orphans per second" },
	{ "hold", 0, RB_OT_NS, "DUR", AT(o.hold_ns), 0, HOUR_NS,
	  .help = "hold the storm before its release (burst, hoard, threads, daemon)",
	  .record = "hold_s" },
	{ "wait-reaped", 0, RB_OT_NS, "DUR", AT(o.wait_ns), 0, HOUR_NS,
	  .help = "wait for the reaps after the last exit", .record = "wait_reaped_s" },
	{ "resolution", 0, RB_OT_NS, "DUR", AT(o.resolution_ns), 0, 1e9,
	  .help = "the observer's batching (0: a wakeup per event,\n"
		  "which costs the storm ~15 us of CPU per event on a VM)",
	  .record = "resolution_s" },
	{ "observer", 0, RB_OT_CHOICE, "O", AT(observer), .choices = rb_observer_names,
	  .help = "who times exits and reaps: pidfd (the payload polls a pidfd\n"
		  "per process), bpf (the kernel's tracepoints; root), both\n"
		  "(the kernel's figures, the pidfd ones beside, and their\n"
		  "difference: the pidfd observer's own error) or auto (bpf\n"
		  "where it loads, else pidfd; the record says which and why)",
	  .dflt = "auto" },
	RB_OPT_SPAWNERS(struct cfg, o.spawners),
	{ "no-monitor", 0, RB_OT_FLAG, NULL, AT(o.no_monitor),
	  .help = "watch no storm process (no latency, population or zombie\n"
		  "figures); the drain is timed from the cgroup's pids.current" },
	{ "no-plots", 0, RB_OT_FLAG, NULL, AT(no_plots),
	  .help = "no gnuplot SVGs (made where gnuplot is in PATH: the latency\n"
		  "CDF per reaper and the zombie population over time)" },
	{ 0 },
};

static const struct rb_cli storm_cli = {
	.name = "storm",
	.about = "Each reaper (default: every available init and the reference) clears the same\n"
		 "storm --repeat times as PID 1 of a fresh sandbox.",
	.opts = storm_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

static int check_cfg(const struct cfg *c, struct rb_error *err)
{
	struct rlimit rl;

	if (rb_spawners_check("storm", c->o.spawners, err) < 0)
		return -1;
	if (!(c->pat->methods & STORM_METHOD_BIT(c->o.method)))
		return rb_input_error(err, "storm: %s cannot use --method %s (vfork parks the maker "
				      "until its child exits, and %s's children do not exit at once)",
				      c->pat->name, rb_spawn_method_name(c->o.method), c->pat->name);
	/* a watching payload holds a pidfd per process and raises its soft
	 * limit to this (none with monitoring off: the kernel observes) */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && c->o.count + FD_SLACK > rl.rlim_max &&
	    !c->pat->recycles_fds && !c->o.no_monitor)
		return rb_input_error(err, "storm: --count %lu needs %lu file descriptors (a pidfd "
				      "each, to watch); the hard RLIMIT_NOFILE is %llu", c->o.count,
				      c->o.count + FD_SLACK, (unsigned long long)rl.rlim_max);
	return 0;
}

/* ---- one run ----------------------------------------------------------------- */

static void set(struct run_figures *f, enum metric_id m, double v)
{
	f->has[m] = true;
	f->v[m] = v;
}

static void skip(struct run_figures *f, enum metric_id m, const char *reason)
{
	f->has[m] = false;
	snprintf(f->skip[m], sizeof(f->skip[m]), "%s", reason);
}

static double ms_since(int64_t t, int64_t t0)
{
	return t ? (double)(t - t0) / 1e6 : NAN;
}
/* ns from T0 as an exact integer, null if T is 0 (never happened) */
static json_t *json_ns(int64_t t, int64_t t0)
{
	return t ? json_integer((json_int_t)(t - t0)) : json_null();
}

/* ---- the observers' times ------------------------------------------------------ */

static void times_free(struct sample_times *t)
{
	free(t->exit);
	free(t->from);
	free(t->reap);
	free(t->lat);
	memset(t, 0, sizeof(*t));
}

static int times_alloc(struct sample_times *t, uint32_t n)
{
	size_t len = (n ? n : 1) * sizeof(int64_t);

	t->exit = calloc(1, len);
	t->from = calloc(1, len);
	t->reap = calloc(1, len);
	t->lat = malloc(len);
	if (!t->exit || !t->from || !t->reap || !t->lat) {
		times_free(t);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++)
		t->lat[i] = -1;
	return 0;
}

/* The pidfd observer's: EPOLLIN and EPOLLHUP on each process's pidfd. */
static int times_pidfd(const struct rb_run_result *res, struct sample_times *t)
{
	const struct rb_storm_block *b = &res->chan.storm;
	uint32_t n = res->nsamples;

	if (times_alloc(t, n) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_storm_sample *s = &res->samples[i];

		t->lat[i] = rb_storm_latency_ns(b, res->samples, n, i);
		if (s->pid <= 0)
			continue;
		t->exit[i] = s->t_exit_seen_ns;
		t->from[i] = rb_storm_reapable_ns(b, res->samples, n, i);
		t->reap[i] = s->t_reap_seen_ns;
	}
	return 0;
}

/* The kernel's: each storm process matched to its reap record by pid
 * (a pid's reuses in the order of the processes' own exit stamps). */
static int times_kernel(const struct rb_run_result *res, struct observed *ob)
{
	uint32_t n = res->nsamples;
	size_t len = n ? n : 1;
	pid_t *pids cleanup_free = malloc(len * sizeof(*pids));
	int64_t *order cleanup_free = malloc(len * sizeof(*order));
	struct rb_bpf_reap *rec cleanup_free = malloc(len * sizeof(*rec));

	ob->matched = malloc(len * sizeof(*ob->matched));
	if (!pids || !order || !rec || !ob->matched || times_alloc(&ob->kernel, n) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		pids[i] = res->samples[i].pid;
		order[i] = res->samples[i].t_exit_ns;
	}
	if (rb_bpf_sample_records(res->bpf.reaps, res->bpf.nreaps, res->bpf.zombies,
				  res->bpf.zombies ? res->bpf.unreaped : 0, pids, order, n, rec) < 0)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_bpf_reap *r = &rec[i];

		if (!r->t_exit)
			continue;
		ob->kernel.exit[i] = (int64_t)r->t_exit;
		ob->kernel.from[i] = rb_bpf_reapable_ns(r);
		ob->kernel.reap[i] = (int64_t)r->t_reap;
		ob->kernel.lat[i] = rb_bpf_latency_ns(r);
		ob->matched[ob->nmatched++] = *r;
		ob->nreaped += r->t_reap != 0;
	}
	return 0;
}

static void observed_free(struct observed *ob)
{
	times_free(&ob->pidfd);
	times_free(&ob->kernel);
	free(ob->matched);
	memset(ob, 0, sizeof(*ob));
}

/* The times the figures come from: the kernel's where it observed (never
 * replaced by the pidfd observer's when it was asked for and failed). */
static void observe_times(const struct cfg *c, const struct rb_run_result *res, struct observed *ob)
{
	memset(ob, 0, sizeof(*ob));
	if (!res->chan_valid || !res->samples || !res->chan.storm.samples_kept)
		return;
	if (c->observer != RB_OBS_BPF && !res->chan.storm.monitor_off && times_pidfd(res, &ob->pidfd) == 0)
		ob->primary = &ob->pidfd;
	if (c->observer != RB_OBS_PIDFD)
		ob->primary = res->bpf.taken && times_kernel(res, ob) == 0 ? &ob->kernel : NULL;
}

/* Without the pidfd observer's population samples: the zombie population
 * over time from the kernel's records, from the storm's start to its last
 * exit or reap, into RES's pops as if sampled (zombies and reaped; live and
 * failed are not the kernel's to say). */
#define KERNEL_POP_SAMPLES 512
static void kernel_population(struct rb_run_result *res, struct observed *ob)
{
	int64_t t0 = res->chan.storm.t_start_ns, t1 = t0;
	struct rb_storm_pop *pops;
	size_t n;

	if (ob->primary != &ob->kernel || res->npops || !ob->nmatched)
		return;
	for (size_t i = 0; i < ob->nmatched; i++) {
		int64_t t = (int64_t)(ob->matched[i].t_reap ? ob->matched[i].t_reap : ob->matched[i].t_exit);

		t1 = t > t1 ? t : t1;
	}
	pops = malloc(KERNEL_POP_SAMPLES * sizeof(*pops));
	n = pops ? rb_bpf_population(ob->matched, ob->nmatched, t0, t1, pops, KERNEL_POP_SAMPLES) : 0;
	if (!n) {
		free(pops);
		return;
	}
	free(res->pops);
	res->pops = pops;
	res->npops = (uint32_t)n;
	res->chan.storm.pop_interval_ns = (t1 - t0) / (int64_t)(n - 1);
	ob->pop_kernel = true;
}

/* The raw samples: times in ns from the generator's start, exact; the
 * exit, reap and latency as the primary observer saw them (with --observer
 * both, the pidfd observer's beside). */
static void record_samples(json_t *run, const struct rb_run_result *res, const struct observed *ob)
{
	const struct rb_storm_block *b = &res->chan.storm;
	const struct sample_times *t = ob->primary, *p = ob->primary == &ob->kernel && ob->pidfd.lat
								 ? &ob->pidfd : NULL;
	json_t *o = json_object(), *parent = json_array(), *pid = json_array(),
	       *exit_self = json_array(), *exit_seen = json_array(), *reap = json_array(),
	       *lat = json_array(), *sched = json_array(), *p_exit = json_array(),
	       *p_reap = json_array();
	json_t *pop = json_object(), *pt = json_array(), *pz = json_array(), *pl = json_array(),
	       *pr = json_array(), *pf = json_array();
	int64_t t0 = b->t_start_ns;

	for (uint32_t i = 0; i < res->nsamples; i++) {
		const struct rb_storm_sample *s = &res->samples[i];

		json_array_append_new(parent, json_integer(s->parent));
		json_array_append_new(pid, json_integer(s->pid));
		json_array_append_new(exit_self, json_ns(s->t_exit_ns, t0));
		json_array_append_new(exit_seen, json_ns(t->exit[i], t0));
		json_array_append_new(reap, json_ns(t->reap[i], t0));
		json_array_append_new(lat, t->lat[i] >= 0 ? json_integer(t->lat[i]) : json_null());
		json_array_append_new(sched, json_ns(s->t_sched_ns, t0));
		if (p) {
			json_array_append_new(p_exit, json_ns(p->exit[i], t0));
			json_array_append_new(p_reap, json_ns(p->reap[i], t0));
		}
	}
	json_object_set_new(o, "observer", json_string(t == &ob->kernel ? "bpf" : "pidfd"));
	json_object_set_new(o, "parent", parent);
	json_object_set_new(o, "pid", pid);
	json_object_set_new(o, "exit_self_ns", exit_self);
	json_object_set_new(o, "exit_ns", exit_seen);
	json_object_set_new(o, "reap_ns", reap);
	json_object_set_new(o, "latency_ns", lat);
	if (p) {
		json_object_set_new(o, "pidfd_exit_ns", p_exit);
		json_object_set_new(o, "pidfd_reap_ns", p_reap);
	} else {
		json_decref(p_exit);
		json_decref(p_reap);
	}
	if (strcmp(b->pattern, "stream") == 0)
		json_object_set_new(o, "sched_ns", sched);
	else
		json_decref(sched);
	json_object_set_new(o, "root_exit_ns", json_ns(b->t_root_exit_seen_ns, t0));
	json_object_set_new(run, "samples", o);
	for (uint32_t i = 0; i < res->npops; i++) {
		json_array_append_new(pt, json_ns(res->pops[i].t_ns, t0));
		json_array_append_new(pz, json_integer(res->pops[i].zombies));
		json_array_append_new(pl, json_integer(res->pops[i].live));
		json_array_append_new(pr, json_integer(res->pops[i].reaped));
		json_array_append_new(pf, json_integer(res->pops[i].failed));
	}
	json_object_set_new(pop, "t_ns", pt);
	json_object_set_new(pop, "zombies", pz);
	json_object_set_new(pop, "live", pl);
	json_object_set_new(pop, "reaped", pr);
	json_object_set_new(pop, "failed", pf);
	json_object_set_new(pop, "interval_ns", json_integer(b->pop_interval_ns));
	json_object_set_new(pop, "observer", json_string(ob->pop_kernel ? "bpf" : "pidfd"));
	if (ob->pop_kernel)
		json_object_set_new(pop, "not_measured", json_string("live, failed"));
	json_object_set_new(run, "population", pop);
}

static void record_histogram(json_t *run, const double *lat_us, size_t n)
{
	struct rb_histogram h;
	json_t *o = json_object(), *lo = json_array(), *cnt = json_array();
	int last = 0;

	rb_histogram_log2(lat_us, n, 1.0, &h);
	for (int k = 0; k < RB_HIST_BINS; k++)
		if (h.count[k])
			last = k;
	for (int k = 0; k <= last; k++) {
		json_array_append_new(lo, json_real(rb_histogram_lower(&h, k)));
		json_array_append_new(cnt, json_integer((json_int_t)h.count[k]));
	}
	json_object_set_new(o, "unit", json_string("us"));
	json_object_set_new(o, "bins", json_string("log2: [lower[k], lower[k+1]); the last is open"));
	json_object_set_new(o, "lower", lo);
	json_object_set_new(o, "count", cnt);
	json_object_set_new(run, "latency_histogram", o);
}

/* Latency and drain figures from one observer's times T; with RUN, the
 * latency histogram into it. */
static void figures_from_times(const struct cfg *c, const struct rb_run_result *res,
			       const struct sample_times *t, struct run_figures *f, json_t *run)
{
	uint32_t n = res->nsamples, k = 0, zero = 0;
	double *sorted = malloc((n ? n : 1) * sizeof(double));
	int64_t first = 0, last = 0;
	char why[128];

	if (!sorted)
		return;
	for (uint32_t i = 0; i < n; i++) {
		if (t->lat[i] >= 0)
			sorted[k++] = (double)t->lat[i] / 1e3; /* us, for the histogram */
		zero += t->lat[i] == 0;
		if (t->from[i] && (!first || t->from[i] < first))
			first = t->from[i];
		if (t->reap[i] > last)
			last = t->reap[i];
	}
	if (k > 0) {
		if (run)
			record_histogram(run, sorted, k);
		rb_sort_doubles(sorted, k);
		set(f, M_P50, rb_percentile_sorted(sorted, k, 50) / 1e6);
		set(f, M_P90, rb_percentile_sorted(sorted, k, 90) / 1e6);
		set(f, M_P99, rb_percentile_sorted(sorted, k, 99) / 1e6);
		set(f, M_P999, rb_percentile_sorted(sorted, k, 99.9) / 1e6);
		set(f, M_MAX, sorted[k - 1] / 1e6);
		set(f, M_SAMPLES, k);
		set(f, M_BELOW, zero);
	} else {
		for (int m = M_P50; m <= M_SAMPLES; m++)
			skip(f, m, "no storm process was reaped");
		skip(f, M_BELOW, "no storm process was reaped");
	}
	if (c->pat == storm_pattern_find("stream")) {
		skip(f, M_DRAIN, "stream: paced by its schedule, not a drain");
		skip(f, M_RATE, "stream: paced by its schedule, not a drain");
	} else if (!f->cleared || res->chan.reaped == 0) {
		snprintf(why, sizeof(why), "%llu of %llu never reaped: no drain",
			 (unsigned long long)(res->chan.spawned - res->chan.reaped),
			 (unsigned long long)res->chan.spawned);
		skip(f, M_DRAIN, res->chan.reaped ? why : "no storm process was reaped");
		skip(f, M_RATE, res->chan.reaped ? why : "no storm process was reaped");
	} else if (last <= first) {
		set(f, M_DRAIN, 0);
		skip(f, M_RATE, "drained within one wakeup of the observer");
	} else {
		set(f, M_DRAIN, (double)(last - first) / 1e9);
		set(f, M_RATE, (double)res->chan.reaped / ((double)(last - first) / 1e9));
	}
	free(sorted);
}

/* Monitoring off: no exit or reap was stamped, so no latency or
 * population; the drain is the cgroup's (pids.current back at its value
 * before the storm, timed from the root's exit). */
static void figures_unmonitored(const struct rb_run_result *res, struct run_figures *f)
{
	static const enum metric_id watched[] = { M_P50, M_P90, M_P99, M_P999, M_MAX, M_SAMPLES,
						  M_ZOMBIES, M_LIVE, M_COALESCED, M_BELOW };
	const char *off = "monitoring off (--no-monitor): no storm process is watched";
	int64_t t0 = res->chan.storm.t_root_exit_seen_ns, dt = res->t_drained_ns - t0;

	for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
		skip(f, watched[i], off);
	if (!res->t_drained_ns || !t0 || dt <= 0) {
		skip(f, M_DRAIN, res->drain_skip[0] ? res->drain_skip : "the pids never came back");
		skip(f, M_RATE, res->drain_skip[0] ? res->drain_skip : "the pids never came back");
		return;
	}
	set(f, M_DRAIN, dt / 1e9);
	set(f, M_RATE, (double)res->chan.reaped / (dt / 1e9));
}

static void figures_pid1(const struct rb_run_result *res, struct run_figures *f)
{
	const struct rb_pid1_probe *a = &res->probe[0], *z = &res->probe[1];
	const char *why = res->probe_skip[0] ? res->probe_skip : "PID 1 was not probed";

	if (a->taken && z->taken && a->has_cpu && z->has_cpu) {
		set(f, M_CPU, (double)(z->cpu_ns - a->cpu_ns) / 1e9);
		if (res->chan.reaped)
			set(f, M_CPU1K, (double)(z->cpu_ns - a->cpu_ns) / 1e9 / (double)res->chan.reaped * 1000);
		else
			skip(f, M_CPU1K, "PID 1 reaped none of the storm");
	} else {
		skip(f, M_CPU, why);
		skip(f, M_CPU1K, why);
	}
	if (z->taken && z->rss_peak_kb >= 0)
		set(f, M_RSS, (double)z->rss_peak_kb);
	else
		skip(f, M_RSS, why);
	if (a->taken && z->taken && a->vcsw >= 0 && z->vcsw >= 0) {
		set(f, M_VCSW, (double)(z->vcsw - a->vcsw));
		set(f, M_IVCSW, (double)(z->ivcsw - a->ivcsw));
	} else {
		skip(f, M_VCSW, why);
		skip(f, M_IVCSW, why);
	}
}

/* A histogram's N slots as a JSON array, up to the last one not empty. */
static json_t *json_slots(const uint64_t *slot, int n)
{
	json_t *a = json_array();
	int last = -1;

	for (int i = 0; i < n; i++)
		if (slot[i])
			last = i;
	for (int i = 0; i <= last; i++)
		json_array_append_new(a, json_integer((json_int_t)slot[i]));
	return a;
}

/* The kernel observer's own figures, and what it alone can say. */
static void figures_kernel(const struct cfg *c, const struct rb_run_result *res,
			   const struct observed *ob, struct run_figures *f, json_t *run)
{
	const struct rb_bpf_run *k = &res->bpf;
	json_t *o, *cnt;

	if (c->observer == RB_OBS_BPF) {
		skip(f, M_LIVE, "the kernel observer does not count spawns per process");
		skip(f, M_COALESCED, "the kernel stamps every event");
	}
	if (!ob->primary || ob->primary != &ob->kernel) {
		for (int m = M_P50; m <= M_RATE; m++)
			if (!f->skip[m][0])
				skip(f, m, k->skip[0] ? k->skip : "the payload kept no samples");
		skip(f, M_ZOMBIES, k->skip[0] ? k->skip : "the payload kept no samples");
		skip(f, M_SIGCHLD, k->skip[0] ? k->skip : "the BPF observer saw nothing");
		skip(f, M_MERGED, k->skip[0] ? k->skip : "the BPF observer saw nothing");
		skip(f, M_BATCH_MEAN, k->skip[0] ? k->skip : "the BPF observer saw nothing");
		skip(f, M_BATCH_MAX, k->skip[0] ? k->skip : "the BPF observer saw nothing");
		return;
	}
	set(f, M_ZOMBIES, rb_bpf_zombies_peak(ob->matched, ob->nmatched));
	set(f, M_SIGCHLD, (double)k->counters[RB_BPF_SIGCHLD_PID1]);
	if (k->batches.count) {
		set(f, M_BATCH_MEAN, rb_bpf_batch_mean(&k->batches));
		set(f, M_BATCH_MAX, (double)k->batches.max);
	} else {
		skip(f, M_BATCH_MEAN, "PID 1 reaped nothing");
		skip(f, M_BATCH_MAX, "PID 1 reaped nothing");
	}
	set(f, M_MERGED, (double)k->counters[RB_BPF_SIGCHLD_MERGED]);
	o = json_object();
	cnt = json_object();
	for (int i = 0; i < RB_BPF_NCOUNTERS; i++)
		json_object_set_new(cnt, rb_bpf_counter_name(i), json_integer((json_int_t)k->counters[i]));
	json_object_set_new(o, "counters", cnt);
	json_object_set_new(o, "exited_unreaped", json_integer((json_int_t)k->unreaped));
	json_object_set_new(o, "reap_records", json_integer((json_int_t)k->nreaps));
	json_object_set_new(o, "storm_exits_matched", json_integer((json_int_t)ob->nmatched));
	json_object_set_new(o, "storm_reaps_matched", json_integer((json_int_t)ob->nreaped));
	json_object_set_new(o, "latency_log2_ns", json_slots(k->hist, RB_BPF_HIST_SLOTS));
	json_object_set_new(o, "pid1_reap_batches", json_pack("{s:I, s:I, s:I, s:o}", "batches",
		(json_int_t)k->batches.count, "reaps", (json_int_t)k->batches.total, "max",
		(json_int_t)k->batches.max, "log2_sizes", json_slots(k->batches.log2, RB_BPF_BATCH_SLOTS)));
	json_object_set_new(o, "latency_log2_bins", json_string("[2^k, 2^(k+1)) ns, every reap in "
							       "the namespace (the storm's and others)"));
	json_object_set_new(run, "kernel_observer", o);
}

/* Per process, the pidfd observer's time minus the kernel's (USER, KERNEL;
 * 0: not seen): its median and p99 into P50 and P99 of F. D: room for N. */
static void error_figures(uint32_t n, const int64_t *user, const int64_t *kernel, double *d,
			  struct run_figures *f, enum metric_id p50, enum metric_id p99, const char *why)
{
	size_t k = 0;

	for (uint32_t i = 0; d && user && kernel && i < n; i++)
		if (user[i] && kernel[i])
			d[k++] = (double)(user[i] - kernel[i]);
	if (k == 0) {
		skip(f, p50, why);
		skip(f, p99, why);
		return;
	}
	rb_sort_doubles(d, k);
	set(f, p50, rb_percentile_sorted(d, k, 50) / 1e9);
	set(f, p99, rb_percentile_sorted(d, k, 99) / 1e9);
}

/* --observer both: the pidfd observer's figures beside the kernel's, and
 * its error per process (its reap time minus the kernel's). */
static void figures_both(const struct cfg *c, const struct rb_run_result *res,
			 const struct observed *ob, struct run_figures *f)
{
	static const enum metric_id twin[][2] = {
		{ M_P50, M_PIDFD_P50 }, { M_P99, M_PIDFD_P99 }, { M_DRAIN, M_PIDFD_DRAIN },
	};
	const char *why = !ob->pidfd.lat ? "the pidfd observer kept no times"
					 : "the kernel observer has no reap to compare with";
	struct run_figures p = { .cleared = f->cleared };
	double *d = malloc((res->nsamples ? res->nsamples : 1) * sizeof(double));

	if (ob->pidfd.lat)
		figures_from_times(c, res, &ob->pidfd, &p, NULL);
	for (size_t i = 0; i < sizeof(twin) / sizeof(twin[0]); i++) {
		if (p.has[twin[i][0]])
			set(f, twin[i][1], p.v[twin[i][0]]);
		else
			skip(f, twin[i][1], p.skip[twin[i][0]][0] ? p.skip[twin[i][0]] : why);
	}
	error_figures(res->nsamples, ob->pidfd.reap, ob->kernel.reap, d, f, M_OBS_ERR_P50,
		      M_OBS_ERR_P99, why);
	error_figures(res->nsamples, ob->pidfd.exit, ob->kernel.exit, d, f, M_OBS_EXIT_ERR_P50,
		      M_OBS_EXIT_ERR_P99, why);
	free(d);
}

static void measure(const struct cfg *c, const struct rb_sandbox_opts *opts,
		    const struct rb_run_result *res, const struct observed *ob, struct run_figures *f,
		    json_t *run)
{
	const struct rb_channel *ch = &res->chan;
	const struct rb_sandbox *sb = &res->sb;
	long bound = opts->pids_max ? opts->pids_max : opts->pid_max;

	memset(f, 0, sizeof(*f));
	if (!res->chan_valid || ch->storm.phase < 2) {
		for (int m = 0; m < M_COUNT_; m++)
			skip(f, m, res->chan_valid ? "the storm did not finish (see the log)"
						   : "the payload wrote no report");
		return;
	}
	f->cleared = ch->reaped == ch->spawned;
	set(f, M_SPAWNED, (double)ch->spawned);
	set(f, M_REAPED, (double)ch->reaped);
	set(f, M_LEAKED, (double)(ch->spawned - ch->reaped));
	set(f, M_FAILS, (double)ch->spawn_failed);
	set(f, M_ZOMBIES, ch->storm.zombies_peak);
	set(f, M_LIVE, ch->storm.live_peak);
	set(f, M_COALESCED, ch->storm.coalesced);
	if (sb->has_cgroup && sb->pids_peak >= 0) {
		set(f, M_PIDS, (double)sb->pids_peak);
		set(f, M_PIDS_FREE, (double)(bound - sb->pids_peak));
	} else {
		skip(f, M_PIDS, sb->has_cgroup ? "pids.peak unreadable" : sb->cgroup_skip);
		skip(f, M_PIDS_FREE, sb->has_cgroup ? "pids.peak unreadable" : sb->cgroup_skip);
	}
	if (ob->primary) {
		figures_from_times(c, res, ob->primary, f, run);
		record_samples(run, res, ob);
	} else if (ch->storm.monitor_off && c->observer == RB_OBS_PIDFD) {
		figures_unmonitored(res, f);
	} else if (c->observer == RB_OBS_PIDFD) {
		for (int m = M_P50; m <= M_RATE; m++)
			skip(f, m, "the payload kept no samples");
	}
	if (c->observer != RB_OBS_PIDFD) {
		figures_kernel(c, res, ob, f, run);
	} else if (c->observer_why[0]) {
		/* auto, and the BPF observer could not load: its figures are skips
		 * that say why */
		for (int m = M_SIGCHLD; m <= M_MERGED; m++)
			skip(f, m, c->observer_why);
		skip(f, M_BATCH_MEAN, c->observer_why);
		skip(f, M_BATCH_MAX, c->observer_why);
	}
	if (c->observer == RB_OBS_BOTH)
		figures_both(c, res, ob, f);
	figures_pid1(res, f);
}

static void record_figures(json_t *run, const struct run_figures *f, const struct rb_run_result *res)
{
	const struct rb_storm_block *b = &res->chan.storm;
	char why[256];

	for (int m = 0; m < M_COUNT_; m++) {
		if (metrics[m].by_runner)
			continue;
		if (f->has[m])
			rb_record_measure(run, metrics[m].name, f->v[m], metrics[m].unit);
		else if (f->skip[m][0])
			rb_record_skip(run, metrics[m].name, f->skip[m]);
	}
	if (!res->chan_valid)
		return;
	/* the generator's own speed: what the gate holds a change of bench/ to */
	if (res->chan.spawned > 0 && b->t_last_spawn_ns > b->t_start_ns)
		rb_record_measure(run, "spawn_rate", (double)res->chan.spawned /
				  ((double)(b->t_last_spawn_ns - b->t_start_ns) / 1e9), "processes/s");
	json_object_set_new(run, "cleared", json_boolean(f->cleared));
	if (b->observer_rt) {
		json_object_set_new(run, "observer", json_string("SCHED_FIFO"));
	} else {
		snprintf(why, sizeof(why), "the observer could not run SCHED_FIFO (%s): when the storm "
			 "crowds the CPUs it sees exits and reaps late (observer_coalesced counts those "
			 "it saw together)", strerror(b->observer_errno));
		json_object_set_new(run, "observer", json_string("SCHED_OTHER"));
		rb_record_skip(run, "observer_priority", why);
	}
	rb_record_measure(run, "observer_cpu", b->observer_cpu_ns / 1e9, "s");
	rb_record_measure(run, "observer_wakeups", (double)b->observer_wakeups, "wakeups");
	if (b->thread_failed)
		rb_record_measure(run, "threads_failed", b->thread_failed, "threads");
	if (b->fds_recycled)
		json_object_set_new(run, "pidfds", json_string("closed at each reap: more processes "
			"than RLIMIT_NOFILE allows descriptors (the close is inside the drain)"));
	if (b->unsettled)
		rb_record_measure(run, "spawns_unsettled", b->unsettled, "processes");
}

/* ---- CSV ----------------------------------------------------------------------- */

static void csv_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, ",");
	else
		fprintf(f, ",%.6f", v);
}

/* The samples as the primary observer saw them (T; NULL: none did). */
static void csv_run(FILE *samples, FILE *pops, const char *reaper, long rep,
		    const struct rb_run_result *res, const struct observed *ob)
{
	const struct sample_times *t = ob->primary;
	const struct rb_storm_block *b = &res->chan.storm;
	int64_t t0 = b->t_start_ns;

	for (uint32_t i = 0; i < res->nsamples; i++) {
		const struct rb_storm_sample *s = &res->samples[i];

		fprintf(samples, "%s,%ld,%u,%d,%d", reaper, rep, i, s->parent, s->pid);
		csv_num(samples, ms_since(s->t_exit_ns, t0));
		csv_num(samples, t ? ms_since(t->exit[i], t0) : NAN);
		csv_num(samples, t ? ms_since(t->reap[i], t0) : NAN);
		csv_num(samples, t && t->lat[i] >= 0 ? (double)t->lat[i] / 1e6 : NAN);
		csv_num(samples, ms_since(s->t_sched_ns, t0));
		fputc('\n', samples);
	}
	for (uint32_t i = 0; i < res->npops; i++) {
		const struct rb_storm_pop *p = &res->pops[i];

		/* from the kernel's records: live and failed are not known (empty) */
		if (ob->pop_kernel)
			fprintf(pops, "%s,%ld,%.6f,%u,,%u,\n", reaper, rep, ms_since(p->t_ns, t0),
				p->zombies, p->reaped);
		else
			fprintf(pops, "%s,%ld,%.6f,%u,%u,%u,%u\n", reaper, rep, ms_since(p->t_ns, t0),
				p->zombies, p->live, p->reaped, p->failed);
	}
}

/* ---- the table ------------------------------------------------------------------- */

static void fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (a >= 100 || v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

static void summarize(struct row *w, long repeat)
{
	double v[1000];

	for (int m = 0; m < M_COUNT_; m++) {
		size_t n = 0;

		for (long k = 0; k < repeat && k < w->runs; k++)
			if (w->f[k].has[m])
				v[n++] = w->f[k].v[m];
		w->has_sum[m] = rb_summarize(v, n, &w->sum[m]) == 0;
	}
}

/* A latency at or below the observer's resolution is the resolution: the
 * observer cannot tell such values apart (so none of them is "best"). */
static int64_t resolution_of(const struct cfg *c, enum metric_id m)
{
	bool latency = m == M_P50 || m == M_P99 || m == M_MAX;

	/* the kernel stamps each event: no batching to hide below */
	if (latency)
		return c->observer == RB_OBS_PIDFD ? c->o.resolution_ns : 0;
	return m == M_PIDFD_P50 || m == M_PIDFD_P99 ? c->o.resolution_ns : 0;
}

static double resolved(const struct cfg *c, enum metric_id m, double v)
{
	return fmax(v, (double)resolution_of(c, m) / 1e9);
}

/* Best in each column (its row, or -1): among reapers that cleared every
 * run, and only where it leads the runner-up beyond the spread of the runs
 * (rb_best_beyond_spread): a lead inside the noise is no lead. */
static void find_best(const struct row *rows, int n, const struct cfg *c, int best[M_COUNT_])
{
	struct rb_spread *s = calloc((size_t)n + 1, sizeof(*s));

	if (!s)
		abort();
	for (int m = 0; m < M_COUNT_; m++) {
		best[m] = -1;
		if (!metrics[m].column)
			continue;
		for (int i = 0; i < n; i++) {
			const struct row *w = &rows[i];

			s[i].ok = w->has_sum[m] && w->runs > 0 && w->cleared == w->runs;
			s[i].median = resolved(c, m, w->sum[m].median);
			s[i].min = resolved(c, m, w->sum[m].min);
			s[i].max = resolved(c, m, w->sum[m].max);
		}
		best[m] = rb_best_beyond_spread(s, (size_t)n, metrics[m].better);
	}
	free(s);
}

/* The columns whose runs fall into two groups far apart (rb_bimodal) for at
 * least half the reapers with 4 runs or more: said under the table, since
 * their medians rank nothing. */
static void print_bimodal(const struct row *rows, int n, long repeat)
{
	double v[1000];

	for (int m = 0; m < M_COUNT_; m++) {
		int judged = 0, bimodal = 0;

		if (!metrics[m].column)
			continue;
		for (int i = 0; i < n; i++) {
			size_t k = 0;

			for (long r = 0; r < repeat && r < rows[i].runs && k < 1000; r++)
				if (rows[i].f[r].has[m])
					v[k++] = rows[i].f[r].v[m];
			if (k < 4)
				continue;
			judged++;
			bimodal += rb_bimodal(v, k);
		}
		if (judged > 0 && 2 * bimodal >= judged)
			printf("note: %s is bimodal on this machine: for %d of %d reapers the runs fall into "
			       "two groups far apart\n      (see the spread); its medians rank nothing\n",
			       metrics[m].column, bimodal, judged);
	}
}


/* A latency below the observer's resolution is not a number it can tell. */
static void fmt_cell(char *buf, size_t len, enum metric_id m, double v, const struct cfg *c)
{
	int64_t resolution_ns = resolution_of(c, m);

	if (resolution_ns > 0 && v * 1e9 < (double)resolution_ns) {
		fmt_num(buf, len, (double)resolution_ns / 1e9 * metrics[m].scale);
		memmove(buf + 1, buf, strlen(buf) + 1);
		buf[0] = '<';
		return;
	}
	fmt_num(buf, len, v * metrics[m].scale);
}

/* The table's columns: REAPER, SECOND (if any), then every metric shown. */
static int table_columns(struct rb_table *t, const bool shown[M_COUNT_], const char *second)
{
	int rc = rb_table_column(t, "REAPER", RB_COL_LEFT);

	if (second)
		rc = rc ?: rb_table_column(t, second, RB_COL_LEFT);

	for (int m = 0; m < M_COUNT_ && rc == 0; m++)
		if (shown[m])
			rc = rb_table_column(t, metrics[m].column, RB_COL_RIGHT);
	return rc;
}

/* The median of metric M for W ("*" where best), or its min-max and CV. */
static int median_cell(struct rb_table *t, int col, const struct row *w, int m, bool best,
		       const struct cfg *c)
{
	char a[32];

	fmt_cell(a, sizeof(a), m, w->sum[m].median, c);
	return rb_table_cell(t, col, "%s%s", a, best ? "*" : "");
}

static int spread_cell(struct rb_table *t, int col, const struct row *w, int m, bool best,
		       const struct cfg *c)
{
	char a[32], b[32];

	(void)best;
	fmt_cell(a, sizeof(a), m, w->sum[m].min, c);
	fmt_cell(b, sizeof(b), m, w->sum[m].max, c);
	if (w->sum[m].has_cv)
		return rb_table_cell(t, col, "%s-%s %.0f%%", a, b, w->sum[m].cv * 100);
	return rb_table_cell(t, col, "%s-%s", a, b);
}

/* W's cells of the SHOWN metrics from column COL on: CELL's, or "-". */
static int metric_cells(struct rb_table *t, int col, const struct row *w, int i, const bool shown[],
			const int best[], const struct cfg *c,
			int (*cell)(struct rb_table *, int, const struct row *, int, bool,
				    const struct cfg *))
{
	int rc = 0;

	for (int m = 0; m < M_COUNT_ && rc == 0; m++) {
		if (!shown[m])
			continue;
		rc = w->has_sum[m] ? cell(t, col, w, m, best && best[m] == i, c)
				   : rb_table_cell(t, col, "-");
		col++;
	}
	return rc;
}

static int medians_table(struct rb_table *t, const struct row *rows, int n, const bool shown[],
			 const struct cfg *c)
{
	int best[M_COUNT_], rc = table_columns(t, shown, "CLEARED");

	find_best(rows, n, c, best);
	for (int i = 0; i < n && rc == 0; i++) {
		const struct row *w = &rows[i];

		rc = rb_table_named_row(t, w->r->name);
		if (w->error[0])
			rc = rc ?: rb_table_cell(t, 1, "error: %s", w->error);
		else
			rc = rc ?: rb_table_cell(t, 1, "%d/%ld", w->cleared, w->runs) ?:
			     metric_cells(t, 2, w, i, shown, best, c, median_cell);
	}
	return rc;
}

static int spread_table(struct rb_table *t, const struct row *rows, int n, const bool shown[],
			const struct cfg *c)
{
	int rc = table_columns(t, shown, NULL);

	for (int i = 0; i < n && rc == 0; i++)
		if (!rows[i].error[0])
			rc = rb_table_named_row(t, rows[i].r->name) ?:
			     metric_cells(t, 1, &rows[i], i, shown, NULL, c, spread_cell);
	return rc;
}

static int print_tables(const struct row *rows, int n, long repeat, const struct cfg *c)
{
	struct rb_table *medians cleanup_table = rb_table_new();
	struct rb_table *spread cleanup_table = rb_table_new();
	enum rb_format format = (enum rb_format)c->out.format;
	bool shown[M_COUNT_];

	if (!medians || !spread)
		return -ENOMEM;
	/* the columns of --observer both only where some reaper has them; the
	 * others always (a "-" says not measured) */
	for (int m = 0; m < M_COUNT_; m++) {
		shown[m] = metrics[m].column && m < M_PIDFD_P50;
		for (int i = 0; metrics[m].column && i < n; i++)
			shown[m] |= rows[i].has_sum[m];
	}
	if (medians_table(medians, rows, n, shown, c) < 0)
		return -ENOMEM;
	if (rb_table_caption(medians, "medians over %ld run%s (* best among reapers that cleared every "
			     "run, where it leads the runner-up\nbeyond the spread of the runs; - not "
			     "measured, see the record; <: below the observer's resolution)",
			     repeat, repeat == 1 ? "" : "s") < 0 ||
	    rb_table_print(medians, format, stdout) < 0)
		return -ENOMEM;
	if (repeat < 2)
		return 0;
	print_bimodal(rows, n, repeat);
	if (spread_table(spread, rows, n, shown, c) < 0 ||
	    rb_table_caption(spread, "spread over the runs: min-max, CV (stddev/mean)") < 0)
		return -ENOMEM;
	return rb_table_print(spread, format, stdout);
}

static void record_summary(json_t *rec, const struct row *rows, int n)
{
	json_t *all = json_array();

	for (int i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		json_t *o = json_object(), *ms = json_object();

		json_object_set_new(o, "reaper", json_string(w->r->name));
		json_object_set_new(o, "runs", json_integer(w->runs));
		json_object_set_new(o, "cleared", json_integer(w->cleared));
		if (w->error[0])
			json_object_set_new(o, "error", json_string(w->error));
		for (int m = 0; m < M_COUNT_; m++) {
			const struct rb_summary *s = &w->sum[m];
			json_t *x;

			if (!w->has_sum[m])
				continue;
			x = json_pack("{s:s, s:i, s:f, s:f, s:f, s:f}", "unit", metrics[m].unit, "n",
				      (json_int_t)s->n, "median", s->median, "min", s->min, "max", s->max,
				      "mean", s->mean);
			json_object_set_new(x, "cv", s->has_cv ? json_real(s->cv) : json_null());
			json_object_set_new(ms, metrics[m].name, x);
		}
		json_object_set_new(o, "metrics", ms);
		json_array_append_new(all, o);
	}
	json_object_set_new(rec, "summary", all);
}

/* ---- plots --------------------------------------------------------------------- */

/* With the CSVs complete: the plots, into the record's "plots" and LINE.
 * -1 if gnuplot failed (LINE says how). */
static int plot(const struct cfg *c, const struct row *rows, int n, json_t *rec, char *line,
		size_t len)
{
	struct rb_storm_plot_spec s = {
		.dir = c->out.dir, .pattern = c->pat->name, .method = rb_spawn_method_name(c->o.method),
		.count = c->o.count, .repeat = c->repeat,
		/* log scale: a latency of 0 (below the resolution) is drawn at it */
		.floor_ms = resolution_of(c, M_P50) > 0 ? (double)resolution_of(c, M_P50) / 1e6 : 0.001,
	};
	struct rb_storm_plot_reaper *r;
	struct rb_error err;
	json_t *plots = NULL;
	int rc;

	if (c->no_plots) {
		json_object_set_new(rec, "plots", rb_storm_plots_skipped("--no-plots", line, len));
		return 0;
	}
	r = calloc(n ? (size_t)n : 1, sizeof(*r));
	if (!r) {
		snprintf(line, len, "failed: out of memory");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (rows[i].runs == 0)
			continue; /* no data: its error is in the table */
		r[s.n].name = rows[i].r->name;
		r[s.n].first_run_pop = rows[i].pop0;
		for (int k = 0; k < rows[i].runs; k++)
			if (rows[i].f[k].has[M_SAMPLES])
				r[s.n].samples += (unsigned long)rows[i].f[k].v[M_SAMPLES];
		s.n++;
	}
	s.reapers = r;
	rc = rb_storm_plots(&s, &plots, line, len, &err);
	json_object_set_new(rec, "plots", plots);
	free(r);
	return rc;
}

/* ---- the command ------------------------------------------------------------------ */

/* The harness's own peak RSS, with every sample held and the record built
 * (its writing streams): the target is < 64 MiB for 100,000 processes.
 * VmHWM, not getrusage's ru_maxrss, which outlives execve: started by
 * calibrate, it would count calibrate's own RSS too. */
static void record_harness_rss(json_t *rec)
{
	json_t *h = json_object_get(rec, "harness");
	long kib = rb_proc_status_field(0, "\nVmHWM:");

	if (kib < 0) {
		json_object_set_new(h, "rss_peak_skip", json_string("no VmHWM in /proc/self/status"));
		return;
	}
	json_object_set_new(h, "rss_peak", json_integer((json_int_t)kib));
	json_object_set_new(h, "rss_peak_unit", json_string("KiB"));
	printf("\nharness peak RSS %.1f MiB (VmHWM, every sample held)\n", kib / 1024.0);
}


/* The payload's argv words. */
static void record_options(json_t *rec, const struct cfg *c, const struct rb_sandbox_opts *opts)
{
	json_t *o = json_object_get(rec, "options");

	/* the table's (rb_cli_record), and the pattern's own */
	if (c->pat == storm_pattern_find("tree")) {
		json_object_set_new(o, "branch", json_integer((json_int_t)c->o.branch));
		json_object_set_new(o, "depth", json_integer((json_int_t)c->o.depth));
	}
	if (c->pat == storm_pattern_find("threads"))
		json_object_set_new(o, "threads", json_integer((json_int_t)c->o.threads));
	if (c->pat == storm_pattern_find("stream"))
		json_object_set_new(o, "rate", json_real(c->o.rate));
	json_object_set_new(o, "monitor", json_boolean(!c->o.no_monitor));
	json_object_set_new(o, "observer", json_string(rb_observer_names[c->observer]));
	if (c->observer_why[0])
		json_object_set_new(o, "observer_why", json_string(c->observer_why));
	rb_sandbox_opts_record(o, opts);
}

/* Run K of reaper W: its figures into W->f[K], the run into the record.
 * After an error W->error is set and its later runs are not made. */
static int measure_run(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct cfg *c = x->cfg;
	struct row *w = row;
	struct rb_run_result res;
	struct rb_error rerr;
	int rc = 0;
	json_t *run;

	(void)step;
	if (rb_run_payload(x->si, w->r, &x->opts, &c->plan, c->workload, &res, &rerr) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", rerr.msg);
		rb_record_skip(rb_record_add_run(x->rec, w->r, NULL), "storm", rerr.msg);
		return -1;
	}
	if (res.sb.end == RB_END_INTERRUPTED) {
		/* Ctrl-C stops the plan, not just this sandbox */
		snprintf(w->error, sizeof(w->error), "interrupted");
		rb_record_skip(rb_record_add_run(x->rec, w->r, res.argv), "storm",
			       "interrupted (the harness got a signal)");
		rc = 1;
	} else {
		struct observed ob;

		run = rb_record_add_run(x->rec, w->r, res.argv);
		json_object_set_new(run, "repeat", json_integer(k));
		rb_run_record(run, &res);
		if (res.chan_valid)
			rb_spawners_record(run, &res.chan);
		observe_times(c, &res, &ob);
		kernel_population(&res, &ob);
		measure(c, &x->opts, &res, &ob, &w->f[k], run);
		record_figures(run, &w->f[k], &res);
		csv_run(c->csv, c->csv_pop, w->r->name, k, &res, &ob);
		observed_free(&ob);
		if (k == 0)
			w->pop0 = res.npops > 0;
		w->cleared += w->f[k].cleared;
	}
	rb_run_result_free(&res);
	return rc;
}

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->repeat = DEFAULT_REPEAT;
	c->observer = RB_OBS_AUTO;
	c->plan.storm.probe_pid1 = true;
	c->plan.storm.pops = POP_SAMPLES;
	c->pat = storm_pattern_find("burst");
	c->o = (struct storm_opts){ .count = DEFAULT_COUNT, .method = RB_SPAWN_CLONE_VM,
				    .branch = STORM_DEFAULT_BRANCH, .depth = STORM_DEFAULT_DEPTH,
				    .threads = STORM_DEFAULT_THREADS, .rate = STORM_DEFAULT_RATE,
				    .wait_ns = STORM_DEFAULT_WAIT_NS,
				    .resolution_ns = STORM_DEFAULT_RESOLUTION_NS,
				    .spawners = rb_spawners_default() };
	x->opts.deadline_ns = 20LL * 1000000000;
}

/* Who observes (auto resolved), the checks, the payload's command line. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct storm_argv words;

	if (c->o.no_monitor && c->observer == RB_OBS_AUTO)
		c->observer = RB_OBS_PIDFD; /* nothing is watched: the pidfds, off */
	if (c->observer != RB_OBS_PIDFD && c->o.no_monitor)
		return rb_input_error(err, "storm: --no-monitor watches nothing; --observer %s watches",
				      rb_observer_names[c->observer]);
	c->plan.storm.samples = (uint32_t)(c->pat->planned ? c->pat->planned(&c->o) : c->o.count);
	if (rb_observer_open(&c->observer, &c->plan.bpf, (uint32_t)x->opts.pid_max + 1,
			     c->plan.storm.samples + 4096, c->observer_why, sizeof(c->observer_why),
			     err) < 0)
		return -1;
	/* the kernel alone: the payload watches no pidfd; the end is the
	 * cgroup's word */
	if (c->observer == RB_OBS_BPF)
		c->o.no_monitor = true;
	if (check_cfg(c, err) < 0)
		return -1;
	c->plan.storm.drain = c->o.no_monitor; /* the only drain there is then */
	x->repeat = c->repeat;
	return rb_resolve_workload(x->si, storm_argv(&words, c->pat->name, &c->o), &c->workload, err);
}

/* The CSVs, the record's options, the first lines. */
static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	char path[RB_CLI_PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/storm.csv", c->out.dir);
	c->csv = fopen(path, "we");
	snprintf(path, sizeof(path), "%s/storm-pop.csv", c->out.dir);
	c->csv_pop = fopen(path, "we");
	if (!c->csv || !c->csv_pop)
		return rb_sys_error(err, errno, "writing %s/storm*.csv", c->out.dir);
	fprintf(c->csv, "reaper,repeat,sample,parent,pid,exit_self_ms,exit_ms,reap_ms,latency_ms,sched_ms\n");
	fprintf(c->csv_pop, "reaper,repeat,t_ms,zombies,live,reaped,failed\n");
	record_options(x->rec, c, &x->opts);
	printf("storm %s: %lu processes, %s, %lu spawner%s%s, %ld run%s per reaper (interleaved); "
	       "pid_max %ld\n", c->pat->name, c->o.count, rb_spawn_method_name(c->o.method),
	       c->pat->parallel ? c->o.spawners : 1, c->pat->parallel && c->o.spawners > 1 ? "s" : "",
	       c->pat->parallel ? "" : " (its processes spawn)", c->repeat, c->repeat == 1 ? "" : "s",
	       x->opts.pid_max);
	printf("observer: %s%s%s\n", c->observer == RB_OBS_PIDFD ? "the payload's pidfds"
				     : c->observer == RB_OBS_BPF ? "the kernel's tracepoints (bpf)"
				     : "the kernel's tracepoints, the pidfds beside",
	       c->observer_why[0] ? "; " : "", c->observer_why);
	return 0;
}

static int row_init(struct rb_suite_ctx *x, void *row, struct rb_error *err)
{
	struct row *w = row;

	w->f = calloc((size_t)x->repeat, sizeof(*w->f));
	return w->f ? 0 : rb_sys_error(err, ENOMEM, "figures");
}

static void row_free(void *row)
{
	free(((struct row *)row)->f);
}

/* The tables, the summary, the plots (from the CSVs, closed first). */
static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct row *rows = (struct row *)x->rows;

	for (int i = 0; i < x->nrows; i++)
		summarize(&rows[i], c->repeat);
	if (print_tables(rows, x->nrows, c->repeat, c) < 0)
		return rb_sys_error(err, ENOMEM, "storm: the table");
	record_summary(x->rec, rows, x->nrows);
	fclose(c->csv);
	fclose(c->csv_pop);
	c->csv = c->csv_pop = NULL;
	if (plot(c, rows, x->nrows, x->rec, c->plot_line, sizeof(c->plot_line)) < 0)
		x->failures++;
	record_harness_rss(x->rec);
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	const struct cfg *c = x->cfg;

	printf("\nrecord  %s (every raw sample)\ncsv     %s/storm.csv, %s/storm-pop.csv\n"
	       "logs    %s/logs/storm-*.log\nplots   %s\n", c->out.record, c->out.dir, c->out.dir,
	       c->out.dir, c->plot_line);
}

static void release(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	if (c->csv)
		fclose(c->csv);
	if (c->csv_pop)
		fclose(c->csv_pop);
	rb_argv_free(c->workload);
	rb_bpf_observer_close(c->plan.bpf);
}

const struct rb_suite rb_suite_storm = {
	.name = "storm",
	.summary = "orphan and zombie storms: reap latency, drain, PID 1's cost",
	.cli = &storm_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.metrics = metrics,
	.nmetrics = M_COUNT_,
	.output = RB_OUTPUT_DIR,
	.log = "storm-%s",
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.row_init = row_init,
	.measure = measure_run,
	.report = report,
	.footer = footer,
	.row_free = row_free,
	.release = release,
};
