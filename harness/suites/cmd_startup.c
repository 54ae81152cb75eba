/* reapbench startup: what a reaper costs to start and to end.
 *
 * hyperfine times, per reaper, the whole lifecycle of `reapbench run` with a
 * trivial payload (sandbox created -> the reaper starts `exit 0` -> PID 1
 * exits -> namespace gone) and, per N of --alive, the same with a payload
 * that leaves N processes alive and exits (rb-payload leave N: when PID 1
 * exits the kernel kills and reaps all N). `none` (the payload itself as
 * PID 1) is always measured, in the same run: the ratio to it is the figure
 * to read on a noisy machine.
 *
 * The harness itself measures, in rounds that interleave the reapers, the
 * start (PID 1 released -> the payload's main() entered) and the teardown
 * (the payload's own exit stamp -> PID 1 reaped by the harness) per N. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "observer_bpf.h"
#include "suite.h"
#include "record.h"
#include "runner.h"
#include "stats.h"

#define MAX_REAPERS 64
#define MAX_ALIVE 8
#define DEFAULT_RUNS 20
#define DEFAULT_WARMUP 3
#define NO_HYPERFINE "hyperfine not found in PATH"

/* Who times the harness's own runs (--observer): the harness's clock; with
 * both, the kernel's exits as well (root). */
enum observer_kind { OBS_HARNESS, OBS_BOTH };
static const char *const observer_names[] = { "harness", "both", NULL };

struct cfg {
	int observer; /* enum observer_kind */
	struct rb_bpf_observer *bpf; /* loaded for --observer both */
	long runs, warmup;
	long alive[MAX_ALIVE]; /* ascending, alive[0] == 0 */
	int nalive;
	struct rb_output out;
	struct rb_selection sel;
	/* the run's state */
	struct rb_reaper none_desc;      /* `none`, whose run is subtracted */
	const struct row *none;          /* its row */
	char **workload[MAX_ALIVE];      /* `leave N` per N */
	char hf_json[RB_CLI_PATH_MAX + 32];
};

/* One hyperfine command's figures (seconds), or why there are none. */
struct timing {
	bool has;
	double mean, stddev, median, min, max;
	json_t *raw;  /* the result object from hyperfine's JSON (owned) */
	char skip[256];
};

/* Commands per reaper: [0] the lifecycle (exit 0), [1 + k] leave alive[k]. */
#define NCMD (1 + MAX_ALIVE)

struct row {
	RB_SUITE_ROW_HEAD;
	char **cmd[NCMD];        /* hyperfine's argv words per command */
	struct timing hf[NCMD];
	/* measured by the harness, over the runs */
	double *start;           /* s, from the N = 0 runs */
	size_t nstart;
	double *teardown[MAX_ALIVE];
	double *making[MAX_ALIVE];  /* s, the payload's own run: making the N */
	size_t nteardown[MAX_ALIVE];
	char td_skip[MAX_ALIVE][256];
	/* --observer both, per N: from PID 1's exit to the namespace's last
	 * exit (the kernel killing the N), and from the app's exit to PID 1's */
	double *kill[MAX_ALIVE], *follow[MAX_ALIVE], *killed[MAX_ALIVE]; /* killed: exits after PID 1's */
	size_t nkill[MAX_ALIVE], nfollow[MAX_ALIVE];
	char k_skip[MAX_ALIVE][160];
};

/* ---- options --------------------------------------------------------------- */

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* --alive, into the whole cfg: the sizes, 0 added, ascending. */
static int parse_alive(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct cfg *c = field;
	char buf[256], *save = NULL, *tok;
	long v;

	if (strlen(arg) >= sizeof(buf))
		return rb_input_error(err, "%s: list too long", opt);
	snprintf(buf, sizeof(buf), "%s", arg);
	c->nalive = 1;
	c->alive[0] = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (rb_parse_long(opt, tok, 0, RB_MAX_PID_MAX, &v, err) < 0)
			return -1;
		if (v == 0)
			continue;
		for (int i = 0; i < c->nalive; i++)
			if (c->alive[i] == v)
				return rb_input_error(err, "%s: %ld given twice", opt, v);
		if (c->nalive == MAX_ALIVE)
			return rb_input_error(err, "%s: at most %d sizes besides 0", opt,
					      MAX_ALIVE - 1);
		c->alive[c->nalive++] = v;
	}
	if (arg[0] == '\0' || arg[strlen(arg) - 1] == ',' || arg[0] == ',' || strstr(arg, ",,"))
		return rb_input_error(err, "%s: '%s' is not a comma-separated list of counts", opt,
				      arg);
	qsort(c->alive, (size_t)c->nalive, sizeof(long), cmp_long);
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt startup_opts[] = {
	{ "repeat", 0, RB_OT_LONG, "N", AT(runs), 1, 1000, .help = "timed runs per command" },
	{ "runs", 0, RB_OT_LONG, "N", AT(runs), 1, 1000, .help = "the same (hyperfine's word)",
	  .dflt = "", .record = "runs" },
	{ "warmup", 0, RB_OT_LONG, "N", AT(warmup), 0, 100, .help = "untimed runs before them",
	  .record = "warmup" },
	{ "alive", 0, RB_OT_FN, "LIST", RB_IN_CFG, 0, .parse = parse_alive,
	  .help = "processes left alive, comma-separated (0 is always added)",
	  .dflt = "0,100,1000" },
	{ "observer", 0, RB_OT_CHOICE, "O", AT(observer), .choices = observer_names,
	  .help = "harness (its own clock) or both (and the kernel's exits:\n"
		  "PID 1's exit to the namespace's last, the app's exit to\n"
		  "PID 1's; root)", .dflt = "harness" },
	{ 0 },
};

static const struct rb_cli startup_cli = {
	.name = "startup",
	.about = "What each reaper costs to start a payload and to end. hyperfine times the whole\n"
		 "`reapbench run` lifecycle (sandbox created -> the reaper starts `exit 0` -> PID 1\n"
		 "exits -> namespace gone) and the same with N processes left alive when PID 1\n"
		 "exits (the kernel kills them all); the harness measures the start and that\n"
		 "teardown itself. `none` (the payload as PID 1) is always measured: the baseline.",
	.opts = startup_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
};

/* N left alive, the payload and PID 1 (and pause's joining helper) must fit
 * in the sandbox's pid space and its cgroup. */
static int check_room(const struct cfg *c, const struct rb_sandbox_opts *o, struct rb_error *err)
{
	long most = c->alive[c->nalive - 1], room = o->pids_max ? o->pids_max : o->pid_max;

	if (o->pid_max < room)
		room = o->pid_max;
	if (most + 3 > room)
		return rb_input_error(err, "--alive %ld: the sandbox holds %ld pids (raise --pid-max "
				      "and --pids-max to at least %ld)", most, room, most + 3);
	return 0;
}

/* ---- the commands hyperfine times ------------------------------------------ */

static bool have_hyperfine(void)
{
	char path[4096];

	return rb_find_in_path("hyperfine", path, sizeof(path));
}

static int push(char ***v, size_t *n, const char *w)
{
	return rb_argv_push(v, n, w, strlen(w));
}

/* `reapbench run --no-record [sandbox options] -r R -- PAYLOAD`. A wrap
 * reaper's command line is expanded here and run under -r none: the same
 * PID 1 argv, without `run` reading the reaper's version (a fork and exec of
 * its version command, ~1 ms here) on every timed run, which none skips. A
 * standalone reaper needs its descriptor (the payload joins): its command
 * includes that version read (the record says so). */
static int build_command(const struct rb_sysinfo *si, const struct rb_reaper *r,
			 const struct rb_reaper *none, const struct rb_sandbox_opts *o,
			 char *const payload[], char ***out, struct rb_error *err)
{
	char **v = NULL, **resolved = NULL, **pid1 = NULL, num[3][32], exe[4200];
	const char *userns[] = { "auto", "yes", "no" };
	size_t n = 0;
	int rc = -1;

	snprintf(exe, sizeof(exe), "%s/reapbench", si->exe_dir);
	snprintf(num[0], sizeof(num[0]), "%ld", o->pid_max);
	snprintf(num[1], sizeof(num[1]), "%ld", o->pids_max ? o->pids_max : o->pid_max);
	snprintf(num[2], sizeof(num[2]), "%lldms", (long long)(o->deadline_ns / 1000000));
	if (rb_resolve_workload(si, payload, &resolved, err) < 0)
		return -1;
	if (r->mode == RB_MODE_WRAP && rb_reaper_argv(r, resolved, &pid1, err) < 0)
		goto out;
	if (push(&v, &n, exe) || push(&v, &n, "run") || push(&v, &n, "--no-record") ||
	    push(&v, &n, "--pid-max") || push(&v, &n, num[0]) || push(&v, &n, "--pids-max") ||
	    push(&v, &n, num[1]) || push(&v, &n, "--deadline") || push(&v, &n, num[2]) ||
	    push(&v, &n, "--userns") || push(&v, &n, userns[o->userns]) ||
	    push(&v, &n, "--runtime") || push(&v, &n, rb_runtime_names[o->runtime]) ||
	    push(&v, &n, "--seccomp") || push(&v, &n, rb_seccomp_names[o->seccomp]) ||
	    push(&v, &n, "-r") ||
	    push(&v, &n, pid1 ? none->file : r->file) || push(&v, &n, "--"))
		goto oom;
	for (char **w = pid1 ? pid1 : (char **)payload; *w; w++)
		if (push(&v, &n, *w))
			goto oom;
	*out = v;
	v = NULL;
	rc = 0;
	goto out;
oom:
	rb_sys_error(err, ENOMEM, "building the hyperfine commands");
out:
	rb_argv_free(v);
	rb_argv_free(resolved);
	rb_argv_free(pid1);
	return rc;
}

static int build_commands(const struct rb_sysinfo *si, const struct cfg *c, const struct rb_reaper *none,
			  const struct rb_sandbox_opts *o, struct row *w, struct rb_error *err)
{
	char count[32], *lifecycle[] = { "exit", "0", NULL }, *leave[] = { "leave", count, NULL };

	if (build_command(si, w->r, none, o, lifecycle, &w->cmd[0], err) < 0)
		return -1;
	for (int k = 0; k < c->nalive; k++) {
		snprintf(count, sizeof(count), "%ld", c->alive[k]);
		if (build_command(si, w->r, none, o, leave, &w->cmd[1 + k], err) < 0)
			return -1;
	}
	return 0;
}

/* ---- running hyperfine ------------------------------------------------------ */

static void command_name(char *buf, size_t len, const struct cfg *c, const struct row *w, int i)
{
	if (i == 0)
		snprintf(buf, len, "%s/lifecycle", w->r->name);
	else
		snprintf(buf, len, "%s/alive=%ld", w->r->name, c->alive[i - 1]);
}

/* hyperfine's argv: every command of every row, named; -N: no shell timed. */
static char **hyperfine_argv(const struct cfg *c, const struct row *rows, int nrows, const char *json)
{
	char **v = NULL, num[2][32], name[128], *line;
	size_t n = 0;
	bool bad;

	snprintf(num[0], sizeof(num[0]), "%ld", c->runs);
	snprintf(num[1], sizeof(num[1]), "%ld", c->warmup);
	bad = push(&v, &n, "hyperfine") || push(&v, &n, "-N") || push(&v, &n, "--style") ||
	      push(&v, &n, "basic") || push(&v, &n, "--ignore-failure") || push(&v, &n, "--runs") ||
	      push(&v, &n, num[0]) || push(&v, &n, "--warmup") || push(&v, &n, num[1]) ||
	      push(&v, &n, "--export-json") || push(&v, &n, json);
	/* lifecycles first, back to back: their ratios are the figure */
	for (int i = 0; i < 1 + c->nalive && !bad; i++)
		for (int k = 0; k < nrows && !bad; k++) {
			command_name(name, sizeof(name), c, &rows[k], i);
			line = rb_shell_join(rows[k].cmd[i]);
			bad = !line || push(&v, &n, "-n") || push(&v, &n, name) || push(&v, &n, line);
			free(line);
		}
	if (bad) {
		rb_argv_free(v);
		return NULL;
	}
	return v;
}

/* Run ARGV with its output in LOG; its exit code, or -1 with WHY. */
static int run_tool(char **argv, const char *log, char *why, size_t len)
{
	sigset_t none;
	int fd, st;
	pid_t pid;

	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", log, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* a sandbox run blocks the harness's stop signals: not hyperfine's */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(why, len, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st)) {
		snprintf(why, len, "hyperfine was killed by signal %d", WTERMSIG(st));
		return -1;
	}
	return WEXITSTATUS(st);
}

static bool get_number(json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		return false;
	*out = json_number_value(v);
	return true;
}

/* One result object of hyperfine's JSON into T. */
static void take_result(json_t *res, struct timing *t)
{
	json_t *codes = json_object_get(res, "exit_codes"), *x;
	size_t i, failed = 0, n = json_array_size(codes);
	char first[32] = "";

	json_array_foreach(codes, i, x) {
		if (json_is_integer(x) && json_integer_value(x) == 0)
			continue;
		if (failed++ == 0) /* hyperfine's null: no exit code, killed by a signal */
			snprintf(first, sizeof(first), json_is_integer(x) ? "exit %lld" : "killed",
				 (long long)json_integer_value(x));
	}
	if (failed) {
		snprintf(t->skip, sizeof(t->skip), "the command failed (%s) in %zu of %zu runs; "
			 "see logs/startup-hyperfine.log and reapbench run's own output", first, failed, n);
		return;
	}
	if (!get_number(res, "median", &t->median) || !get_number(res, "min", &t->min) ||
	    !get_number(res, "max", &t->max) || !get_number(res, "mean", &t->mean) ||
	    !json_is_array(json_object_get(res, "times"))) {
		snprintf(t->skip, sizeof(t->skip), "hyperfine's JSON lacks median/min/max/mean/times");
		return;
	}
	if (!get_number(res, "stddev", &t->stddev))
		t->stddev = NAN; /* one run: no spread */
	t->raw = json_incref(res);
	t->has = true;
}

static void skip_all(const struct cfg *c, struct row *rows, int nrows, const char *why)
{
	for (int k = 0; k < nrows; k++)
		for (int i = 0; i < 1 + c->nalive; i++)
			snprintf(rows[k].hf[i].skip, sizeof(rows[k].hf[i].skip), "%s", why);
}

/* Fill every row's timings from one hyperfine run, or their skips. */
static void run_hyperfine(const struct cfg *c, struct row *rows, int nrows, const char *json,
			  json_t *rec)
{
	char log[1200], why[512], **argv;
	json_error_t jerr;
	json_t *doc, *results;
	size_t want = (size_t)nrows * (size_t)(1 + c->nalive);
	int rc;

	if (!have_hyperfine()) {
		skip_all(c, rows, nrows, NO_HYPERFINE);
		rb_record_skip(rec, "hyperfine", NO_HYPERFINE);
		printf("hyperfine: skipped: %s (make setup installs it)\n", NO_HYPERFINE);
		return;
	}
	snprintf(log, sizeof(log), "%s/logs/startup-hyperfine.log", c->out.dir);
	argv = hyperfine_argv(c, rows, nrows, json);
	if (!argv) {
		skip_all(c, rows, nrows, "out of memory building hyperfine's command line");
		return;
	}
	printf("hyperfine: %zu commands x %ld runs (+%ld warmup), log %s\n", want, c->runs,
	       c->warmup, log);
	fflush(stdout);
	unlink(json); /* a stale export must not pass for this run's */
	rc = run_tool(argv, log, why, sizeof(why));
	rb_argv_free(argv);
	if (rc > 0)
		snprintf(why, sizeof(why), "hyperfine exited %d (see %s)", rc, log);
	doc = rc == 0 ? json_load_file(json, 0, &jerr) : NULL;
	if (rc == 0 && !doc)
		snprintf(why, sizeof(why), "%s: %s", json, jerr.text);
	results = json_object_get(doc, "results");
	if (doc && json_array_size(results) != want)
		snprintf(why, sizeof(why), "%s holds %zu results, not %zu", json,
			 json_array_size(results), want);
	if (!doc || json_array_size(results) != want) {
		skip_all(c, rows, nrows, why);
		rb_record_skip(rec, "hyperfine", why);
		printf("hyperfine: failed: %s\n", why);
		json_decref(doc);
		return;
	}
	for (int i = 0; i < 1 + c->nalive; i++)
		for (int k = 0; k < nrows; k++)
			take_result(json_array_get(results, (size_t)(i * nrows + k)), &rows[k].hf[i]);
	json_decref(doc);
}

/* ---- the harness's own measurement ------------------------------------------ */

/* The kernel's view of one run's end (--observer both). */
static void take_kernel(const struct rb_run_result *res, struct row *w, int k)
{
	const struct rb_bpf_teardown *t = &res->bpf.teardown;
	uint32_t app = (uint32_t)res->chan.payload_pid;
	int64_t t_app = 0;

	if (!res->bpf.taken || !t->t_pid1_exit) {
		snprintf(w->k_skip[k], sizeof(w->k_skip[k]), "%s", res->bpf.skip[0] ? res->bpf.skip
			 : "the kernel saw no exit of PID 1");
		return;
	}
	w->killed[k][w->nkill[k]] = (double)t->exits_after;
	w->kill[k][w->nkill[k]++] = (double)(t->t_last_exit - t->t_pid1_exit) / 1e9;
	/* the app's exit: PID 1 reaped it (a reap record), or it is PID 1 (none) */
	if (app == 1)
		t_app = (int64_t)t->t_pid1_exit;
	for (size_t i = 0; !t_app && i < res->bpf.nreaps; i++)
		if (res->bpf.reaps[i].pid == app)
			t_app = (int64_t)res->bpf.reaps[i].t_exit;
	if (t_app && (int64_t)t->t_pid1_exit >= t_app)
		w->follow[k][w->nfollow[k]++] = (double)((int64_t)t->t_pid1_exit - t_app) / 1e9;
}

/* One run of leave N: the start and the teardown, or why not. */
static int measure_once(const struct rb_sysinfo *si, const struct cfg *c, struct rb_sandbox_opts *o,
			char *const workload[], struct row *w, int k, bool keep, bool *interrupted)
{
	struct rb_run_plan plan = { .bpf = c->bpf };
	struct rb_run_result res;
	struct rb_error rerr;

	if (rb_run_payload(si, w->r, o, c->bpf ? &plan : NULL, workload, &res, &rerr) < 0) {
		snprintf(w->error, sizeof(w->error), "%s", rerr.msg);
		rb_run_result_free(&res);
		return -1;
	}
	if (res.sb.end == RB_END_INTERRUPTED)
		*interrupted = true;
	else if (!keep)
		; /* a warm-up run: neither figures nor skips */
	else if (res.sb.end == RB_END_DEADLINE)
		snprintf(w->td_skip[k], sizeof(w->td_skip[k]), "PID 1 was killed at the deadline");
	else if (!res.chan_valid || !res.chan.t_exit_ns)
		snprintf(w->td_skip[k], sizeof(w->td_skip[k]), "the payload never stamped its exit");
	else if (res.chan.spawned != (uint64_t)c->alive[k])
		snprintf(w->td_skip[k], sizeof(w->td_skip[k]), "the payload left %llu of %ld alive "
			 "(%s)", (unsigned long long)res.chan.spawned, c->alive[k],
			 strerrorname_np(res.chan.spawn_errno) ? strerrorname_np(res.chan.spawn_errno)
								: "?");
	else {
		w->making[k][w->nteardown[k]] = (res.chan.t_exit_ns - res.chan.t_start_ns) / 1e9;
		w->teardown[k][w->nteardown[k]++] = (res.sb.t_end_ns - res.chan.t_exit_ns) / 1e9;
		if (k == 0)
			w->start[w->nstart++] = (res.chan.t_start_ns - res.sb.t_start_ns) / 1e9;
		if (c->bpf)
			take_kernel(&res, w, k);
	}
	rb_run_result_free(&res);
	return 0;
}

/* ---- the record --------------------------------------------------------------- */

static void measure_summary(json_t *run, const char *name, const double *v, size_t n)
{
	struct rb_summary s;
	char key[96];

	if (rb_summarize(v, n, &s) < 0)
		return;
	rb_record_measure(run, name, s.median, "s");
	snprintf(key, sizeof(key), "%s_min", name);
	rb_record_measure(run, key, s.min, "s");
	snprintf(key, sizeof(key), "%s_max", name);
	rb_record_measure(run, key, s.max, "s");
}

static json_t *json_seconds(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

static void record_hyperfine(json_t *run, const struct cfg *c, const struct row *w,
			     const struct row *none)
{
	json_t *hf = json_object();
	char name[64], *line;

	for (int i = 0; i < 1 + c->nalive; i++) {
		const struct timing *t = &w->hf[i];
		json_t *o;

		if (i == 0)
			snprintf(name, sizeof(name), "lifecycle");
		else
			snprintf(name, sizeof(name), "alive_%ld", c->alive[i - 1]);
		if (!t->has) {
			rb_record_skip(run, name, t->skip);
			continue;
		}
		rb_record_measure(run, name, t->median, "s");
		o = json_pack("{s:f, s:f, s:f, s:f, s:O}", "median", t->median, "min", t->min, "max",
			      t->max, "mean", t->mean, "times", json_object_get(t->raw, "times"));
		json_object_set_new(o, "stddev", isnan(t->stddev) ? json_null() : json_real(t->stddev));
		line = rb_shell_join(w->cmd[i]);
		json_object_set_new(o, "command", json_string(line ? line : ""));
		free(line);
		json_object_set_new(hf, name, o);
	}
	json_object_set_new(run, "hyperfine", hf);
	if (w->hf[0].has) {
		rb_record_measure(run, "lifecycle_min", w->hf[0].min, "s");
		rb_record_measure(run, "lifecycle_max", w->hf[0].max, "s");
	}
	if (w->hf[0].has && none && none->hf[0].has)
		rb_record_measure(run, "lifecycle_ratio_to_none", w->hf[0].median / none->hf[0].median, "x");
	else
		rb_record_skip(run, "lifecycle_ratio_to_none", !w->hf[0].has ? w->hf[0].skip
				: none ? "none's lifecycle was not measured" : "no reaper 'none' ran");
	for (int k = 1; k < c->nalive; k++) {
		snprintf(name, sizeof(name), "alive_extra_%ld", c->alive[k]);
		if (w->hf[1 + k].has && w->hf[1].has)
			rb_record_measure(run, name, w->hf[1 + k].median - w->hf[1].median, "s");
		else
			rb_record_skip(run, name, w->hf[1 + k].has ? w->hf[1].skip : w->hf[1 + k].skip);
	}
	if (w->r->mode == RB_MODE_STANDALONE)
		json_object_set_new(run, "hyperfine_note", json_string(
			"standalone: timed as reapbench run -r DESCRIPTOR, which includes reading the "
			"reaper's version (a fork and exec of its version command)"));
}

/* PREFIX_N (N: the K-th alive count) summarized from its N values when
 * every run gave one, else a skip saying WHY. */
static void every_run(json_t *run, const char *prefix, const struct cfg *c, int k, const double *v,
		      size_t n, const char *why)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%ld", prefix, c->alive[k]);
	if (n == (size_t)c->runs)
		measure_summary(run, name, v, n);
	else
		rb_record_skip(run, name, why);
}

static void record_harness(json_t *run, const struct cfg *c, const struct row *w)
{
	json_t *td = json_object(), *mk = json_object();
	char name[64];

	if (w->nstart == (size_t)c->runs)
		measure_summary(run, "payload_start", w->start, w->nstart);
	else
		rb_record_skip(run, "payload_start", w->error[0] ? w->error : w->td_skip[0]);
	json_object_set_new(run, "payload_start_s", json_seconds(w->start, w->nstart));
	for (int k = 0; k < c->nalive; k++) {
		const char *why = w->error[0] ? w->error : w->td_skip[k][0] ? w->td_skip[k] : "interrupted";

		every_run(run, "teardown", c, k, w->teardown[k], w->nteardown[k], why);
		every_run(run, "payload_leave", c, k, w->making[k], w->nteardown[k], why);
		snprintf(name, sizeof(name), "%ld", c->alive[k]);
		json_object_set_new(td, name, json_seconds(w->teardown[k], w->nteardown[k]));
		json_object_set_new(mk, name, json_seconds(w->making[k], w->nteardown[k]));
	}
	json_object_set_new(run, "teardown_s", td);
	json_object_set_new(run, "payload_leave_s", mk);
	td = json_object();
	for (int k = 0; c->bpf && k < c->nalive; k++) {
		const char *why = w->k_skip[k][0] ? w->k_skip[k] : "not every run was observed";

		snprintf(name, sizeof(name), "%ld", c->alive[k]);
		json_object_set_new(td, name, json_seconds(w->killed[k], w->nkill[k]));

		every_run(run, "teardown_kernel", c, k, w->kill[k], w->nkill[k], why);
		every_run(run, "pid1_follows_app", c, k, w->follow[k], w->nfollow[k],
			  w->nkill[k] ? "the app's exit was not seen (a standalone reaper does not "
			  "reap it)" : why);
	}
	if (c->bpf)
		json_object_set_new(run, "teardown_kernel_exits", td); /* per N, per run: counts */
	else
		json_decref(td);
}

static void record_options(json_t *rec, const struct cfg *c, const struct rb_sandbox_opts *o,
			   const char *hf_json)
{
	json_t *opt = json_object_get(rec, "options"), *alive = json_array();

	for (int k = 0; k < c->nalive; k++)
		json_array_append_new(alive, json_integer(c->alive[k]));
	json_object_set_new(opt, "alive", alive);
	rb_sandbox_opts_record(opt, o);
	json_object_set_new(opt, "hyperfine_json", json_string(hf_json));
	json_object_set_new(opt, "observer", json_string(observer_names[c->observer]));
}

/* ---- the tables ------------------------------------------------------------------ */

static void fmt_ms(char *buf, size_t len, double s)
{
	double ms = s * 1e3;

	if (ms >= 100)
		snprintf(buf, len, "%.0f", ms);
	else if (ms >= 10 || ms <= -10)
		snprintf(buf, len, "%.1f", ms);
	else
		snprintf(buf, len, "%.2f", ms);
}

/* "median (min-max)" in ms, with * if best. */
static void fmt_spread(char *buf, size_t len, double med, double lo, double hi, bool best)
{
	char a[32], b[32], m[32];

	fmt_ms(m, sizeof(m), med);
	fmt_ms(a, sizeof(a), lo);
	fmt_ms(b, sizeof(b), hi);
	snprintf(buf, len, "%s%s (%s-%s)", m, best ? "*" : " ", a, b);
}


/* A column's best (lowest) row, where it leads the runner-up beyond the
 * spread of the runs (rb_best_beyond_spread); -1: none does. */
static int best_of(const struct rb_spread *col, int nrows)
{
	return rb_best_beyond_spread(col, (size_t)nrows, -1);
}

/* "median* (min-max)" of N runs' values in a cell, "-" without them. */
static int summary_cell(struct rb_table *t, int col, const double *v, size_t n)
{
	struct rb_summary s;
	char cell[64];

	if (!n || rb_summarize(v, n, &s) < 0)
		return rb_table_cell(t, col, "-");
	fmt_spread(cell, sizeof(cell), s.median, s.min, s.max, false);
	return rb_table_cell(t, col, "%s", cell);
}

/* A row under a reaper's for a column it has no figure for, saying why. */
static int skip_row(struct rb_table *t, long alive, const char *why)
{
	return rb_table_row(t) ?: rb_table_cell(t, 1, "N=%ld: %s", alive, why);
}

static int hyperfine_row(struct rb_table *t, const struct cfg *c, const struct row *w,
			 const struct row *none, const int best[], int i)
{
	char cell[64];
	int rc;

	if (!w->hf[0].has)
		return rb_table_cell(t, 1, "skipped: %s", w->hf[0].skip);
	fmt_spread(cell, sizeof(cell), w->hf[0].median, w->hf[0].min, w->hf[0].max, best[0] == i);
	rc = rb_table_cell(t, 1, "%s", cell);
	if (none && none->hf[0].has)
		rc = rc ?: rb_table_cell(t, 2, "%.2f", w->hf[0].median / none->hf[0].median);
	else
		rc = rc ?: rb_table_cell(t, 2, "-");
	for (int k = 1; k < c->nalive && rc == 0; k++) {
		if (!w->hf[1 + k].has || !w->hf[1].has) {
			rc = rb_table_cell(t, 2 + k, "-");
			continue;
		}
		fmt_ms(cell, sizeof(cell), w->hf[1 + k].median - w->hf[1].median);
		rc = rb_table_cell(t, 2 + k, "%s%s", cell, best[k] == i ? "*" : "");
	}
	return rc;
}

static int print_hyperfine_table(const struct cfg *c, const struct row *rows, int nrows,
				 const struct row *none)
{
	struct rb_table *t cleanup_table = rb_table_new();
	struct rb_spread col[1 + MAX_ALIVE][MAX_REAPERS] = { 0 };
	enum rb_format format = (enum rb_format)c->out.format;
	int best[1 + MAX_ALIVE], rc;
	char title[64];

	for (int i = 0; i < nrows; i++) {
		const struct row *w = &rows[i];

		col[0][i] = (struct rb_spread){ w->hf[0].median, w->hf[0].min, w->hf[0].max, w->hf[0].has };
		/* +N: the difference of two spreads spans from its lowest to its highest */
		for (int k = 1; k < c->nalive; k++)
			col[k][i] = (struct rb_spread){ w->hf[1 + k].median - w->hf[1].median,
							w->hf[1 + k].min - w->hf[1].max,
							w->hf[1 + k].max - w->hf[1].min,
							w->hf[1 + k].has && w->hf[1].has };
	}
	for (int k = 0; k < c->nalive; k++)
		best[k] = best_of(col[k], nrows);
	rc = t ? rb_table_column(t, "REAPER", RB_COL_LEFT) : -ENOMEM;
	rc = rc ?: rb_table_column(t, "LIFECYCLE ms", RB_COL_RIGHT) ?:
	     rb_table_column(t, "x NONE", RB_COL_RIGHT);
	for (int k = 1; k < c->nalive && rc == 0; k++) {
		snprintf(title, sizeof(title), "+N=%ld ms", c->alive[k]);
		rc = rb_table_column(t, title, RB_COL_RIGHT);
	}
	for (int i = 0; i < nrows && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: hyperfine_row(t, c, &rows[i], none, best, i);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "timed by hyperfine, median (min-max) over %ld runs: LIFECYCLE `reapbench run -- exit 0`\n"
			      "(sandbox created -> the reaper starts the payload -> PID 1 exits -> namespace gone);\n"
			      "x NONE its ratio to none's, measured in this run; +N: `leave N` minus `leave 0`, the\n"
			      "whole command's extra time with N left alive: the payload making them and the kernel\n"
			      "killing and reaping them at PID 1's exit (the record parts them: payload_leave_N,\n"
			      "teardown_N) (* best, where it leads the runner-up beyond the spread); a standalone reaper (pause) is timed through its descriptor,\n"
			      "its version read included",
			      c->runs);
	return rc ?: rb_table_print(t, format, stdout);
}

static int harness_row(struct rb_table *t, const struct cfg *c, const struct row *w,
		       struct rb_summary s[][MAX_REAPERS], bool has[][MAX_REAPERS],
		       const int best[], int i)
{
	char cell[64];
	int rc = 0;

	if (w->error[0])
		return rb_table_cell(t, 1, "error: %s", w->error);
	for (int m = 0; m < 1 + c->nalive && rc == 0; m++) {
		if (!has[m][i]) {
			rc = rb_table_cell(t, 1 + m, "-");
			continue;
		}
		fmt_spread(cell, sizeof(cell), s[m][i].median, s[m][i].min, s[m][i].max, best[m] == i);
		rc = rb_table_cell(t, 1 + m, "%s", cell);
	}
	for (int k = 0; k < c->nalive && rc == 0; k++)
		if (w->td_skip[k][0])
			rc = skip_row(t, c->alive[k], w->td_skip[k]);
	return rc;
}

static int print_harness_table(const struct cfg *c, const struct row *rows, int nrows)
{
	struct rb_table *t cleanup_table = rb_table_new();
	struct rb_summary s[1 + MAX_ALIVE][MAX_REAPERS];
	bool has[1 + MAX_ALIVE][MAX_REAPERS];
	struct rb_spread col[1 + MAX_ALIVE][MAX_REAPERS] = { 0 };
	enum rb_format format = (enum rb_format)c->out.format;
	int best[1 + MAX_ALIVE], rc;
	char title[64];

	for (int i = 0; i < nrows; i++) {
		const struct row *w = &rows[i];

		has[0][i] = w->nstart == (size_t)c->runs &&
			    rb_summarize(w->start, w->nstart, &s[0][i]) == 0;
		for (int k = 0; k < c->nalive; k++)
			has[1 + k][i] = w->nteardown[k] == (size_t)c->runs &&
					rb_summarize(w->teardown[k], w->nteardown[k], &s[1 + k][i]) == 0;
		for (int m = 0; m < 1 + c->nalive; m++)
			if (has[m][i])
				col[m][i] = (struct rb_spread){ s[m][i].median, s[m][i].min, s[m][i].max, true };
	}
	for (int m = 0; m < 1 + c->nalive; m++)
		best[m] = best_of(col[m], nrows);
	rc = t ? rb_table_column(t, "REAPER", RB_COL_LEFT) : -ENOMEM;
	rc = rc ?: rb_table_column(t, "START ms", RB_COL_RIGHT);
	for (int k = 0; k < c->nalive && rc == 0; k++) {
		snprintf(title, sizeof(title), "EXIT->GONE N=%ld", c->alive[k]);
		rc = rb_table_column(t, title, RB_COL_RIGHT);
	}
	for (int i = 0; i < nrows && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: harness_row(t, c, &rows[i], s, has, best, i);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "measured by the harness (CLOCK_MONOTONIC), median (min-max) over %ld runs:\n"
			      "START PID 1 released -> the payload's main() entered; EXIT->GONE N: the payload's\n"
			      "own exit stamp -> PID 1 reaped by the harness, N processes alive at that exit (* best,\n"
			      "where it leads the runner-up beyond the spread);\n"
			      "a standalone reaper (pause) outlives its workload: its EXIT->GONE includes the harness\n"
			      "noticing the workload's end and sending the stop signal, as a kubelet would",
			      c->runs);
	return rc ?: rb_table_print(t, format, stdout);
}

static int kernel_row(struct rb_table *t, const struct cfg *c, const struct row *w)
{
	int rc = 0;

	for (int k = 0; k < c->nalive && rc == 0; k++)
		rc = summary_cell(t, 1 + k, w->kill[k], w->nkill[k]);
	rc = rc ?: summary_cell(t, 1 + c->nalive, w->follow[0], w->nfollow[0]);
	for (int k = 0; k < c->nalive && rc == 0; k++)
		if (w->k_skip[k][0] && !w->nkill[k])
			rc = skip_row(t, c->alive[k], w->k_skip[k]);
	return rc;
}

/* --observer both: the namespace's end as the kernel's exits show it. */
static int print_kernel_table(const struct cfg *c, const struct row *rows, int nrows)
{
	struct rb_table *t cleanup_table = rb_table_new();
	enum rb_format format = (enum rb_format)c->out.format;
	char title[64];
	int rc = t ? rb_table_column(t, "REAPER", RB_COL_LEFT) : -ENOMEM;

	for (int k = 0; k < c->nalive && rc == 0; k++) {
		snprintf(title, sizeof(title), "KILL N=%ld", c->alive[k]);
		rc = rb_table_column(t, title, RB_COL_RIGHT);
	}
	rc = rc ?: rb_table_column(t, "FOLLOW N=0", RB_COL_RIGHT);
	for (int i = 0; i < nrows && rc == 0; i++)
		rc = rb_table_named_row(t, rows[i].r->name) ?: kernel_row(t, c, &rows[i]);
	if (rc < 0)
		return rc;
	rc = rb_table_caption(t, "measured by the kernel (--observer both), median (min-max) over the runs: KILL N\n"
			      "PID 1's exit -> the namespace's last exit, N processes alive (the kernel killing\n"
			      "them); FOLLOW N the app's exit -> PID 1's (the reaper noticing and ending)");
	return rc ?: rb_table_print(t, format, stdout);
}

/* ---- the command -------------------------------------------------------------------- */

/* none is the baseline: added to the reapers named, if it is not among them. */
static int add_none(struct rb_selection *sel, struct rb_error *err)
{
	for (int i = 0; i < sel->n; i++)
		if (strcmp(sel->names[i], "none") == 0)
			return 0;
	if (sel->n == 0)
		return 0; /* the registry's inits include it */
	if (sel->n == RB_MAX_SELECTED)
		return rb_input_error(err, "startup: at most %d reapers besides none", RB_MAX_SELECTED - 1);
	memmove(&sel->names[1], &sel->names[0], (size_t)sel->n * sizeof(sel->names[0]));
	sel->names[0] = "none";
	sel->n++;
	return 0;
}

static void row_free(void *row)
{
	struct row *w = row;

	for (int m = 0; m < NCMD; m++) {
		rb_argv_free(w->cmd[m]);
		json_decref(w->hf[m].raw);
	}
	free(w->start);
	for (int k = 0; k < MAX_ALIVE; k++) {
		free(w->teardown[k]);
		free(w->making[k]);
		free(w->kill[k]);
		free(w->follow[k]);
		free(w->killed[k]);
	}
}

static int alloc_row(struct row *w, const struct cfg *c)
{
	w->start = calloc((size_t)c->runs, sizeof(double));
	if (!w->start)
		return -1;
	for (int k = 0; k < c->nalive; k++) {
		w->teardown[k] = calloc((size_t)c->runs, sizeof(double));
		w->making[k] = calloc((size_t)c->runs, sizeof(double));
		w->kill[k] = calloc((size_t)c->runs, sizeof(double));
		w->follow[k] = calloc((size_t)c->runs, sizeof(double));
		w->killed[k] = calloc((size_t)c->runs, sizeof(double));
		if (!w->teardown[k] || !w->making[k] || !w->kill[k] || !w->follow[k] || !w->killed[k])
			return -1;
	}
	return 0;
}

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->runs = DEFAULT_RUNS;
	c->warmup = DEFAULT_WARMUP;
	c->alive[1] = 100;
	c->alive[2] = 1000;
	c->nalive = 3;
	x->opts.deadline_ns = 20LL * 1000000000;
}

/* The room, the observer, none beside the selection, `leave N` resolved
 * once per N; the plan: (warmup + runs) x N x reapers. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	if (check_room(c, &x->opts, err) < 0)
		return -1;
	if (c->observer == OBS_BOTH &&
	    rb_bpf_observer_open(&c->bpf, (uint32_t)x->opts.pid_max + 1, 1u << 16, err) < 0)
		return -1;
	if (add_none(&c->sel, err) < 0 || rb_reaper_find(x->si, "none", &c->none_desc, err) < 0)
		return -1;
	for (int k = 0; k < c->nalive; k++) {
		char count[32];

		snprintf(count, sizeof(count), "%ld", c->alive[k]);
		if (rb_resolve_workload(x->si, (char *[]){ "leave", count, NULL }, &c->workload[k],
					err) < 0)
			return -1;
	}
	x->repeat = c->warmup + c->runs;
	x->steps = c->nalive;
	return 0;
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	if (x->nreapers > MAX_REAPERS)
		return rb_input_error(err, "startup: at most %d reapers (the registry holds %zu)",
				      MAX_REAPERS, x->nreapers);
	snprintf(c->hf_json, sizeof(c->hf_json), "%s/startup-hyperfine.json", c->out.dir);
	record_options(x->rec, c, &x->opts, c->hf_json);
	printf("startup: %ld runs (+%ld warmup) per command, alive", c->runs, c->warmup);
	for (int k = 0; k < c->nalive; k++)
		printf("%s%ld", k ? "," : " ", c->alive[k]);
	printf("; pid_max %ld\n", x->opts.pid_max);
	return 0;
}

static int row_init(struct rb_suite_ctx *x, void *row, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct row *w = row;

	if (alloc_row(w, c) < 0)
		return rb_sys_error(err, ENOMEM, "figures");
	if (build_commands(x->si, c, &c->none_desc, &x->opts, w, err) < 0)
		return -1;
	if (strcmp(w->r->name, "none") == 0)
		c->none = w;
	return 0;
}

/* hyperfine's runs of every command, then the harness's, interleaved. */
static int run(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	run_hyperfine(c, (struct row *)x->rows, x->nrows, c->hf_json, x->rec);
	return rb_suite_run_rows(x, err);
}

static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct cfg *c = x->cfg;
	int rc = measure_once(x->si, c, &x->opts, c->workload[step], row, (int)step, k >= c->warmup,
			      &x->interrupted);

	return x->interrupted ? 1 : rc < 0 ? -1 : 0;
}

static void step_label(const struct rb_suite_ctx *x, long step, char *buf, size_t len)
{
	snprintf(buf, len, "alive %ld", ((const struct cfg *)x->cfg)->alive[step]);
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct row *rows = (struct row *)x->rows;

	for (int i = 0; i < x->nrows; i++) {
		json_t *run = rb_record_add_run(x->rec, rows[i].r, rows[i].cmd[0]);

		record_hyperfine(run, c, &rows[i], c->none);
		record_harness(run, c, &rows[i]);
	}
	if (print_hyperfine_table(c, rows, x->nrows, c->none) < 0 ||
	    print_harness_table(c, rows, x->nrows) < 0 ||
	    (c->bpf && print_kernel_table(c, rows, x->nrows) < 0))
		return rb_sys_error(err, ENOMEM, "startup: the tables");
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	const struct cfg *c = x->cfg;

	printf("\nrecord     %s\nhyperfine  %s\nlogs       %s/logs/startup-*.log\n", c->out.record,
	       access(c->hf_json, R_OK) == 0 ? c->hf_json : "-", c->out.dir);
}

static void release(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	for (int k = 0; k < MAX_ALIVE; k++)
		rb_argv_free(c->workload[k]);
	rb_bpf_observer_close(c->bpf);
}

const struct rb_suite rb_suite_startup = {
	.name = "startup",
	.summary = "start and teardown cost of each reaper: hyperfine and the harness",
	.cli = &startup_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.output = RB_OUTPUT_DIR,
	.log = "startup-harness",
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.row_init = row_init,
	.run = run,
	.measure = measure,
	.step_label = step_label,
	.report = report,
	.footer = footer,
	.row_free = row_free,
	.release = release,
};
