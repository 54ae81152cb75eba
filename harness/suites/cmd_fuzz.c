/* reapbench fuzz: scenario fuzzing campaigns, one or more per reaper. Each
 * campaign runs the libFuzzer target build-fuzz/fuzz_scenario against one
 * reaper from the seed programs (its own corpus, a seed of its own) until
 * the time is up or an oracle fails; a finding is then replayed: several
 * times under the same reaper (how often it fails again: a race is still a
 * finding, reported as a rate) and once under the reference (which must
 * pass, or the finding is the harness's). Writes a record and a findings
 * table. Exit 0: no finding; 1: a finding; 2: bad input. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "options.h"
#include "record.h"
#include "runner.h"
#include "scenario_oracle.h"
#include "scenario_report.h"

struct fuzz_cfg {
	struct rb_selection sel;
	struct rb_scn_opts o;
	int64_t time_ns;
	long campaigns, replays;
	const char *fuzzer, *seeds;
	struct rb_output out;
	char fuzzer_buf[PATH_MAX], seeds_buf[PATH_MAX];
};

/* One campaign's outcome, from the fuzzer's log. */
struct campaign {
	double seconds;         /* wall clock, start to the fuzzer's exit */
	double cpu_s;           /* CPU time of the fuzzer and its sandboxes */
	long execs;
	double exec_per_s;
	long features, coverage, corpus;
	bool finding;
	bool harness_error;
	char oracle[24];
	char message[256];
	char crash[PATH_MAX];
	int replayed, refailed; /* replays under the same reaper, and how many failed */
	int ref_failed;         /* the reference failed it too (-1: not replayed) */
	char log[PATH_MAX];
};

struct reaper_row {
	const struct rb_reaper *r;
	struct campaign *c;
	long n;
};

/* ---- running one campaign ------------------------------------------------------- */

static long after(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* The last status line's "ft:", "cov:" and "corp:" values. */
static void last_status(const char *log, struct campaign *c)
{
	const char *line = log, *last = NULL;

	for (; (line = strstr(line, "\n#")); line++)
		if (strstr(line, " ft: ") && strstr(line, " ft: ") < strchrnul(line + 1, '\n'))
			last = line;
	if (!last)
		return;
	c->features = after(last, " ft: ");
	c->coverage = after(last, " cov: ");
	c->corpus = after(last, " corp: ");
}

static void copy_line(const char *from, char *buf, size_t len)
{
	size_t n = strcspn(from, "\n");

	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), from);
}

static int read_log(const char *path, char **text)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*text = malloc((size_t)st.st_size + 2);
	n = *text ? read(fd, *text + 1, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0)
		return -1;
	(*text)[0] = '\n'; /* so that the first line starts with one too */
	(*text)[n + 1] = '\0';
	return 0;
}

static void parse_log(const char *path, struct campaign *c)
{
	char *log = NULL;
	const char *at;

	if (read_log(path, &log) < 0)
		return;
	c->execs = after(log, "stat::number_of_executed_units: ");
	c->exec_per_s = (double)after(log, "stat::average_exec_per_sec: ");
	last_status(log, c);
	if ((at = strstr(log, "\nreapbench-oracle: "))) {
		char line[320], *colon;

		c->finding = true;
		copy_line(at + strlen("\nreapbench-oracle: "), line, sizeof(line));
		colon = strstr(line, ": ");
		if (colon) {
			*colon = '\0';
			snprintf(c->oracle, sizeof(c->oracle), "%s", line);
			snprintf(c->message, sizeof(c->message), "%s", colon + 2);
		}
	} else if ((at = strstr(log, "\nreapbench-harness-error: "))) {
		c->harness_error = true;
		copy_line(at + 26, c->message, sizeof(c->message));
	} else if (strstr(log, "ERROR: libFuzzer") || strstr(log, "ERROR: AddressSanitizer")) {
		c->harness_error = true;
		snprintf(c->message, sizeof(c->message), "the fuzz target itself crashed (see %s)", path);
	}
	if ((at = strstr(log, "Test unit written to ")))
		copy_line(at + strlen("Test unit written to "), c->crash, sizeof(c->crash));
	free(log);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* SIGINT, SIGTERM and SIGHUP to the harness, read from a signalfd: a
 * campaign under way is asked to stop (SIGINT: libFuzzer prints its stats
 * and exits), and no other begins. */
static int stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* fuzz_scenario ARGS > LOG; its wait status, or -1. *STOPPED: a stop
 * signal came meanwhile. */
static int run_fuzzer(char *const argv[], const char *log, int sigfd, bool *stopped,
		      double *cpu_s)
{
	struct rusage ru;
	int st, fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), pidfd;
	sigset_t none;
	pid_t pid;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* libFuzzer handles INT and TERM */
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if ((p[1].revents & POLLIN) && read(sigfd, &si, sizeof(si)) > 0) {
			*stopped = true;
			kill(pid, SIGINT); /* it is ours: we forked it */
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	/* its own and its sandboxes' (each PID 1 it reaped, with what that reaped) */
	*cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
		 ru.ru_stime.tv_usec / 1e6;
	return st;
}

static int campaign_dir(const struct fuzz_cfg *cfg, const struct rb_reaper *r, long k, char *dir,
			size_t len, struct rb_error *err)
{
	char corpus[PATH_MAX + 16];

	snprintf(dir, len, "%s/%s/%ld", cfg->out.dir, r->name, k + 1);
	snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
	if (rb_mkdir_p(corpus) < 0)
		return rb_sys_error(err, errno, "creating %s", corpus);
	return 0;
}

static int run_campaign(const struct fuzz_cfg *cfg, const struct rb_reaper *r, long k,
			struct campaign *c, int sigfd, bool *stopped, struct rb_error *err)
{
	char dir[PATH_MAX], corpus[PATH_MAX + 16], reaper[PATH_MAX + 16], time_arg[64],
		prefix[PATH_MAX + 32], seed[32], persistent[32], linger[48], forward[48], exit_ms[48];
	int64_t t0;
	int st;

	memset(c, 0, sizeof(*c));
	c->ref_failed = -1;
	if (campaign_dir(cfg, r, k, dir, sizeof(dir), err) < 0)
		return -1;
	snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
	snprintf(reaper, sizeof(reaper), "-reaper=%s", r->file);
	snprintf(time_arg, sizeof(time_arg), "-max_total_time=%lld",
		 (long long)((cfg->time_ns + 999999999) / 1000000000));
	snprintf(prefix, sizeof(prefix), "-artifact_prefix=%s/", dir);
	snprintf(seed, sizeof(seed), "-seed=%ld", 1000 + k * 7919 + (long)getpid() % 1000);
	snprintf(persistent, sizeof(persistent), "-persistent=%d", cfg->o.persistent);
	snprintf(linger, sizeof(linger), "-linger_ms=%lld", (long long)(cfg->o.linger_ns / 1000000));
	snprintf(forward, sizeof(forward), "-forward_ms=%lld", (long long)(cfg->o.forward_ns / 1000000));
	snprintf(exit_ms, sizeof(exit_ms), "-exit_ms=%lld", (long long)(cfg->o.exit_ns / 1000000));
	snprintf(c->log, sizeof(c->log), "%s/fuzz.log", dir);
	char *argv[] = { (char *)cfg->fuzzer, reaper, time_arg, prefix, seed, persistent, linger,
			 forward, exit_ms, "-max_len=193", "-print_final_stats=1", corpus,
			 (char *)cfg->seeds, NULL };

	t0 = now_ns();
	st = run_fuzzer(argv, c->log, sigfd, stopped, &c->cpu_s);
	c->seconds = (now_ns() - t0) / 1e9;
	if (st == -1)
		return rb_sys_error(err, errno, "running %s", cfg->fuzzer);
	parse_log(c->log, c);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 2 && !c->finding)
		return rb_input_error(err, "%s refused the campaign (see %s)", cfg->fuzzer, c->log);
	return 0;
}

/* ---- replaying a finding ------------------------------------------------------------- */

static int replay(const struct rb_sysinfo *si, const struct rb_reaper *r,
		  const struct rb_scn_opts *o, const uint8_t *bytes, size_t len, int n, int *failed,
		  struct rb_error *err)
{
	struct rb_scn_session *sess;
	struct rb_scn_result res;
	struct rb_scn_verdict v;
	struct rb_scn_opts fresh = *o;

	fresh.persistent = false;
	*failed = 0;
	if (rb_scn_session_new(si, r, &fresh, &sess, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (rb_scn_run(sess, bytes, len, &res, err) < 0) {
			rb_scn_session_free(sess);
			return -1;
		}
		rb_scn_judge(r, &fresh, &res, &v);
		*failed += v.nfindings > 0;
		rb_scn_result_free(&res);
	}
	rb_scn_session_free(sess);
	return 0;
}

static int replay_finding(const struct fuzz_cfg *cfg, const struct rb_sysinfo *si,
			  const struct rb_reaper *r, struct campaign *c, struct rb_error *err)
{
	uint8_t bytes[RB_SCN_MAX_BYTES];
	struct rb_reaper ref;
	size_t len;
	int failed;

	if (!c->finding || !c->crash[0] || rb_scn_load_file(c->crash, bytes, &len, err) < 0)
		return 0;
	if (replay(si, r, &cfg->o, bytes, len, (int)cfg->replays, &c->refailed, err) < 0)
		return -1;
	c->replayed = (int)cfg->replays;
	if (r->class_ == RB_CLASS_REFERENCE || rb_reaper_find(si, "reference", &ref, err) < 0)
		return 0;
	rb_reaper_resolve(si, &ref);
	if (!ref.available)
		return 0;
	if (replay(si, &ref, &cfg->o, bytes, len, 1, &failed, err) < 0)
		return -1;
	c->ref_failed = failed;
	return 0;
}

/* ---- output ------------------------------------------------------------------------------ */

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median time to the first finding over the campaigns that found one. */
static double median_found(const struct reaper_row *row, int *found)
{
	double t[256];
	int n = 0;

	for (long k = 0; k < row->n && n < 256; k++)
		if (row->c[k].finding)
			t[n++] = row->c[k].seconds;
	*found = n;
	if (!n)
		return 0;
	qsort(t, (size_t)n, sizeof(t[0]), by_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static int print_table(const struct reaper_row *rows, size_t n, const struct fuzz_cfg *cfg)
{
	static const char *const titles[] = { "REAPER", "CAMPAIGNS", "EXECS/S", "FEATURES", "FOUND",
					      "FINDING" };
	struct rb_table *t cleanup_table = rb_table_new();
	int rc = t ? 0 : -ENOMEM;

	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]) && rc == 0; k++)
		rc = rb_table_column(t, titles[k], k == 2 || k == 3 ? RB_COL_RIGHT : RB_COL_LEFT);
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct reaper_row *row = &rows[i];
		char camp[32], rate[32], feat[32], found[48], finding[512] = "none";
		double execs = 0, per_s = 0, med;
		long features = 0;
		int nfound;

		for (long k = 0; k < row->n; k++) {
			execs += row->c[k].execs > 0 ? row->c[k].execs : 0;
			per_s += row->c[k].exec_per_s;
			features = row->c[k].features > features ? row->c[k].features : features;
		}
		med = median_found(row, &nfound);
		snprintf(camp, sizeof(camp), "%ld x %.0fs, %.0f runs", row->n, cfg->time_ns / 1e9, execs);
		/* a campaign that ended in its first second has no rate to speak of */
		snprintf(rate, sizeof(rate), per_s > 0 ? "%.0f" : "-", row->n ? per_s / row->n : 0);
		snprintf(feat, sizeof(feat), features > 0 ? "%ld" : "-", features);
		if (nfound)
			snprintf(found, sizeof(found), "%d/%ld, median %.1fs", nfound, row->n, med);
		else
			snprintf(found, sizeof(found), "0/%ld", row->n);
		for (long k = 0; k < row->n; k++) {
			const struct campaign *c = &row->c[k];

			if (c->harness_error) {
				snprintf(finding, sizeof(finding), "HARNESS ERROR: %s", c->message);
				break;
			}
			if (!c->finding)
				continue;
			snprintf(finding, sizeof(finding), "%s: %s (fails again %d/%d%s)", c->oracle,
				 c->message, c->refailed, c->replayed,
				 c->ref_failed < 0 ? "" : c->ref_failed ? "; FAILS UNDER THE REFERENCE TOO"
									 : "; the reference passes");
			break;
		}
		rc = rb_table_named_row(t, row->r->name) ?: rb_table_cell(t, 1, "%s", camp) ?:
		     rb_table_cell(t, 2, "%s", rate) ?: rb_table_cell(t, 3, "%s", feat) ?: rb_table_cell(t, 4, "%s", found) ?:
		     rb_table_cell(t, 5, "%s", finding);
	}
	return rc ?: rb_table_print(t, (enum rb_format)cfg->out.format, stdout);
}

static json_t *record(const struct rb_sysinfo *si, const struct reaper_row *rows, size_t n,
		      const struct fuzz_cfg *cfg)
{
	json_t *rec = rb_record_new("fuzz", si), *opts = json_object_get(rec, "options");

	json_object_set_new(opts, "time_s", json_real(cfg->time_ns / 1e9));
	json_object_set_new(opts, "campaigns", json_integer(cfg->campaigns));
	json_object_set_new(opts, "persistent", json_boolean(cfg->o.persistent));
	json_object_set_new(opts, "linger_ms", json_real(cfg->o.linger_ns / 1e6));
	json_object_set_new(opts, "forward_ms", json_real(cfg->o.forward_ns / 1e6));
	json_object_set_new(opts, "exit_ms", json_real(cfg->o.exit_ns / 1e6));
	rb_record_runtime(opts, &cfg->o.sb);
	for (size_t i = 0; i < n; i++)
		for (long k = 0; k < rows[i].n; k++) {
			const struct campaign *c = &rows[i].c[k];
			json_t *run = rb_record_add_run(rec, rows[i].r, NULL), *finding;

			rb_record_measure(run, "execs", (double)c->execs, "runs");
			rb_record_measure(run, "exec_per_s", c->exec_per_s, "runs/s");
			rb_record_measure(run, "features", (double)c->features, "features");
			rb_record_measure(run, "coverage", (double)c->coverage, "edges");
			rb_record_measure(run, "duration", c->seconds, "s");
			rb_record_measure(run, "cpu", c->cpu_s, "s");
			if (c->cpu_s > 0 && c->execs > 0)
				rb_record_measure(run, "execs_per_cpu_s", c->execs / c->cpu_s, "runs/s");
			if (c->finding)
				rb_record_measure(run, "time_to_finding", c->seconds, "s");
			finding = c->finding || c->harness_error
				? json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", "oracle",
					    c->harness_error ? "harness-error" : c->oracle, "message", c->message,
					    "input", c->crash, "replays", c->replayed, "failed_again",
					    c->refailed, "reference_failed", c->ref_failed)
				: json_null();
			json_object_set_new(run, "finding", finding);
			json_object_set_new(run, "log", json_string(c->log));
		}
	return rec;
}

/* ---- options --------------------------------------------------------------------------- */


#define AT(field) RB_IN_CFG, offsetof(struct fuzz_cfg, field)
static const struct rb_opt fuzz_opts[] = {
	{ "time", 0, RB_OT_NS, "DUR", AT(time_ns), 1e9, 7 * 24 * 3600e9, .help = "per campaign" },
	{ "campaigns", 0, RB_OT_LONG, "N", AT(campaigns), 1, 256,
	  .help = "campaigns per reaper, each from the seeds alone;\n"
		  "the table gives the median time to the first finding" },
	{ "replays", 0, RB_OT_LONG, "N", AT(replays), 0, 1000,
	  .help = "replays of a finding under its reaper" },
	{ "fuzzer", 0, RB_OT_STR, "PATH", AT(fuzzer), .help = "the fuzz target",
	  .dflt = "build-fuzz/fuzz_scenario" },
	{ "seeds", 0, RB_OT_STR, "DIR", AT(seeds), .help = "seed programs, as bytes",
	  .dflt = "build-fuzz/seeds/scenario" },
	{ 0 },
};

static const struct rb_cli fuzz_cli = {
	.name = "fuzz",
	.about = "Fuzzes each reaper as PID 1 with scenario programs (build-fuzz/fuzz_scenario,\n"
		 "libFuzzer) until --time is up or an oracle fails; replays each finding.\n\n"
		 "Exit 0: no oracle failed; 1: a finding; 2: bad input.",
	.opts = fuzz_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SCENARIO | RB_CLI_SANDBOX,
	.defaults = (const struct rb_opt_default[]){
		{ "out", "results/<date>-<host>/fuzz: corpora, crash files, logs" }, { 0 } },
};

static int parse_args(int argc, char **argv, const struct rb_sysinfo *si, struct fuzz_cfg *cfg,
		      struct rb_error *err)
{
	int rc, first;

	rc = rb_cli_parse(&fuzz_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = cfg, .output = &cfg->out, .sandbox = &cfg->o.sb,
						    .sel = &cfg->sel, .scn = &cfg->o },
			  &first, err);
	if (rc != 0)
		return rc;
	if (!cfg->fuzzer) {
		snprintf(cfg->fuzzer_buf, sizeof(cfg->fuzzer_buf), "%.*s/../build-fuzz/fuzz_scenario",
			 PATH_MAX - 40, si->exe_dir);
		cfg->fuzzer = cfg->fuzzer_buf;
	}
	if (!cfg->seeds) {
		snprintf(cfg->seeds_buf, sizeof(cfg->seeds_buf), "%.*s/../build-fuzz/seeds/scenario",
			 PATH_MAX - 40, si->exe_dir);
		cfg->seeds = cfg->seeds_buf;
	}
	if (access(cfg->fuzzer, X_OK) != 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "the fuzz target %s (make fuzz-build)",
			       cfg->fuzzer);
	if (access(cfg->seeds, R_OK) != 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "the seeds %s (make fuzz-build)", cfg->seeds);
	return rb_output_begin(&cfg->out, "fuzz", RB_OUTPUT_OWN_DIR, si, err);
}

int rb_cmd_fuzz(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct fuzz_cfg cfg = { .time_ns = 60000000000LL, .campaigns = 1, .replays = 5,
				.out = RB_OUTPUT_INIT };
	struct rb_output *out cleanup_output = &cfg.out;
	struct reaper_row *rows = NULL;
	struct rb_reaper *reapers = NULL;
	size_t n = 0, nrows = 0;
	int rc, found = 0, sigfd;
	bool stopped = false;
	json_t *rec;

	rb_scn_opts_default(&cfg.o);
	rc = parse_args(argc, argv, si, &cfg, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (rb_registry_select(si, cfg.sel.names, cfg.sel.n, cfg.sel.all, &reapers, &n, err) < 0)
		return -1;
	sigfd = stop_signals();
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(reapers);
		return rb_sys_error(err, ENOMEM, "fuzz");
	}
	for (size_t i = 0; i < n && !stopped; i++) {
		struct reaper_row *row = &rows[nrows];

		if (!reapers[i].available) {
			fprintf(stderr, "fuzz: skipping %s: unavailable: %s\n", reapers[i].name,
				reapers[i].unavailable_reason);
			continue;
		}
		row->r = &reapers[i];
		row->c = calloc((size_t)cfg.campaigns, sizeof(*row->c));
		if (!row->c) {
			rc = rb_sys_error(err, ENOMEM, "fuzz");
			break;
		}
		nrows++;
		for (long k = 0; k < cfg.campaigns && rc == 0 && !stopped; k++) {
			fprintf(stderr, "fuzz: %s, campaign %ld of %ld (up to %.0f s)\n", row->r->name, k + 1,
				cfg.campaigns, cfg.time_ns / 1e9);
			rc = run_campaign(&cfg, row->r, k, &row->c[k], sigfd, &stopped, err);
			if (rc == 0 && !stopped)
				rc = replay_finding(&cfg, si, row->r, &row->c[k], err);
			row->n = k + 1;
			found += row->c[k].finding || row->c[k].harness_error;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		rc = print_table(rows, nrows, &cfg);
		if (rc < 0)
			rb_sys_error(err, -rc, "fuzz: the table");
		rec = record(si, rows, nrows, &cfg);
		rc = rc ?: rb_output_end(out, rec, err);
		json_decref(rec);
		if (rc == 0 && rb_output_kept(out))
			printf("\nrecord  %s\nfiles   %s/<reaper>/<campaign>/ (fuzz.log, corpus/, crash-*)\n",
			       out->record, out->dir);
	}
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].c);
	free(rows);
	free(reapers);
	if (sigfd >= 0)
		close(sigfd);
	if (rc < 0)
		return -1;
	if (stopped) {
		fprintf(stderr, "fuzz: interrupted: the table and the record hold the campaigns so far\n");
		return 130;
	}
	return found ? 1 : 0;
}
