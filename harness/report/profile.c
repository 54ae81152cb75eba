#include "profile.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "signames.h"
#include "stats.h"
#include "units.h"

#define CONFORM "conform.json"
#define STORM "storm.json"
#define SIGNALS "signals.json"
#define EXHAUST "exhaust.json"
#define STARTUP "startup.json"

/* ---- citing and answering --------------------------------------------------- */

/* Where part of an answer came from; VALUE is stolen (NULL: none). */
static void cite(struct rb_verdict_cell *out, const char *record, const char *item, json_t *value)
{
	json_array_append_new(out->sources, json_pack("{s:s, s:s, s:o}", "record", record, "item", item,
						      "value", value ? value : json_null()));
}

__attribute__((format(printf, 4, 5)))
static void say(struct rb_verdict_cell *out, enum rb_answer a, const char *word, const char *fmt, ...)
{
	va_list ap;

	out->answer = a;
	snprintf(out->word, sizeof(out->word), "%s", word);
	out->phrase[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(out->phrase, sizeof(out->phrase), fmt, ap);
	va_end(ap);
}

static void unknown(struct rb_verdict_cell *out, const char *what)
{
	char word[64];

	snprintf(word, sizeof(word), "no %s", what);
	say(out, RB_ANSWER_UNKNOWN, word, NULL);
}

/* A standalone reaper (pause) runs no app of its own: the rows about the
 * app do not apply to it. true (and OUT answered) when that is so. */
static bool runs_no_app(const struct rb_verdict_records *in, const char *reaper,
			struct rb_verdict_cell *out)
{
	json_t *recs[] = { in->conform, in->storm, in->signals, in->exhaust, in->startup }, *run;

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		const char *mode;

		if (!(run = rb_record_first_run(recs[i], reaper)))
			continue;
		mode = json_string_value(json_object_get(json_object_get(run, "reaper"), "mode"));
		if (!mode || strcmp(mode, "standalone") != 0)
			return false;
		cite(out, "registry", "reaper.mode", json_string(mode));
		say(out, RB_ANSWER_NA, "no app", NULL);
		return true;
	}
	return false;
}

/* ---- conform ------------------------------------------------------------------ */

static json_t *conform_cells(const struct rb_verdict_records *in, const char *reaper)
{
	return json_object_get(rb_record_first_run(in->conform, reaper), "conformance");
}

/* REAPER's conformance cells, or NULL (OUT answered) for a standalone one. */
static json_t *app_cells(const struct rb_verdict_records *in, const char *reaper,
			 struct rb_verdict_cell *out)
{
	return runs_no_app(in, reaper, out) ? NULL : conform_cells(in, reaper);
}

static json_t *conform_cell(const struct rb_verdict_records *in, const char *reaper, const char *check)
{
	json_t *cell;
	size_t i;

	json_array_foreach(conform_cells(in, reaper), i, cell)
		if (strcmp(json_string_value(json_object_get(cell, "check")) ?: "", check) == 0)
			return cell;
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key)) ?: "";
}

/* What CELL observed (cited), or NULL when it could not be observed. */
static const char *cell_seen(json_t *cell, struct rb_verdict_cell *out)
{
	const char *check = str(cell, "check");

	if (strcmp(str(cell, "verdict"), "error") == 0) {
		cite(out, CONFORM, check, NULL);
		return NULL;
	}
	cite(out, CONFORM, check, json_string(str(cell, "observed")));
	return str(cell, "observed");
}

/* What CHECK observed for REAPER (cited), or NULL: not run, not observed. */
static const char *seen(const struct rb_verdict_records *in, const char *reaper, const char *check,
			struct rb_verdict_cell *out)
{
	json_t *cell = conform_cell(in, reaper, check);

	return cell ? cell_seen(cell, out) : NULL;
}

/* How many of CELL's runs saw VALUE: from the racy cell's "outcomes"; in
 * records without them, for a check of two outcomes, `matches` counts the
 * claimed value's runs, or, where nothing is claimed, the shown value's. */
static int runs_with(json_t *cell, const char *value)
{
	json_t *outcomes = json_object_get(cell, "outcomes"); /* every outcome's count, when recorded */
	int runs = (int)json_integer_value(json_object_get(cell, "runs"));
	int matches = (int)json_integer_value(json_object_get(cell, "matches"));
	const char *ref = str(cell, "expected")[0] ? str(cell, "expected") : str(cell, "observed");

	if (json_is_object(outcomes))
		return (int)json_integer_value(json_object_get(outcomes, value));
	if (runs < 1)
		runs = matches = 1;
	return strcmp(ref, value) == 0 ? matches : runs - matches;
}

static int runs_of(json_t *cell)
{
	int runs = (int)json_integer_value(json_object_get(cell, "runs"));

	return runs < 1 ? 1 : runs;
}

/* ---- the rows: the app's shutdown and exit ------------------------------------ */

static void answer_stop(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	const char *exits, *slow, *bare;

	if (runs_no_app(in, reaper, out))
		return;
	exits = seen(in, reaper, "shutdown.exits", out);
	slow = seen(in, reaper, "shutdown.slow", out);
	bare = seen(in, reaper, "shutdown.no-handler", out);
	if (!exits || !slow || !bare)
		return unknown(out, "shutdown.*");
	if (strcmp(exits, "graceful") != 0 || strcmp(slow, "graceful") != 0)
		return say(out, RB_ANSWER_NO, "app killed",
			   "docker stop never reaches your app: it is SIGKILLed after the grace period "
			   "on every stop");
	if (strcmp(bare, "graceful") != 0)
		return say(out, RB_ANSWER_NO, "needs handler",
			   "an app without a SIGTERM handler of its own ignores docker stop (the kernel "
			   "drops what PID 1 does not handle) and is SIGKILLed after the grace period");
	say(out, RB_ANSWER_YES, "graceful", NULL);
}

/* The app exits N or dies of S: does PID 1 exit N, or 128+S? Checks
 * PREFIX<N> (KILLED false) or PREFIX<SIGNAME> (true). */
static void answer_status(const struct rb_verdict_records *in, const char *reaper,
			  struct rb_verdict_cell *out, const char *prefix, bool killed)
{
	int total = 0, wrong = 0, zeros = 0;
	char first[96] = "", first_value[16] = "";
	json_t *cells, *cell;
	size_t i;

	if (!(cells = app_cells(in, reaper, out)))
		return;
	json_array_foreach(cells, i, cell) {
		const char *check = str(cell, "check"), *v;
		int want;

		if (strncmp(check, prefix, strlen(prefix)) != 0 || !(v = cell_seen(cell, out)))
			continue;
		want = killed ? 128 + rb_signal_parse(check + strlen(prefix)) : atoi(check + strlen(prefix));
		total++;
		zeros += strcmp(v, "0") == 0;
		if (atoi(v) == want && strspn(v, "0123456789") == strlen(v))
			continue;
		if (wrong++ > 0)
			continue;
		snprintf(first_value, sizeof(first_value), "%s", v);
		snprintf(first, sizeof(first), "%s %s shows as exit %s, not %d",
			 killed ? "killed by" : "exit", check + strlen(prefix), v, want);
	}
	if (total == 0)
		return unknown(out, prefix);
	if (wrong == 0)
		return say(out, RB_ANSWER_YES, "passed on", NULL);
	if (killed && strcmp(first_value, "125") == 0)
		return say(out, RB_ANSWER_NO, "no effect",
			   "a signal your app dies of elsewhere (it kills itself with TERM, KILL or SEGV) "
			   "has no effect on it as PID 1: it lives on (exit 125 when it gives up)");
	if (zeros == total)
		return say(out, RB_ANSWER_NO, "always 0",
			   "PID 1 exits 0 whatever your app %s: a failure looks like success",
			   killed ? "dies of" : "exits with");
	char word[64];

	snprintf(word, sizeof(word), "%d of %d wrong", wrong, total);
	say(out, RB_ANSWER_NO, word, "your app's %s is not passed on (%s)",
	    killed ? "death by a signal" : "exit code", first);
}

static void answer_exit_code(const struct rb_verdict_records *in, const char *reaper,
			     struct rb_verdict_cell *out)
{
	answer_status(in, reaper, out, "exit.code.", false);
}

static void answer_exit_signal(const struct rb_verdict_records *in, const char *reaper,
			       struct rb_verdict_cell *out)
{
	answer_status(in, reaper, out, "exit.killed.", true);
}

static void answer_exec(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	const char *missing, *noexec;
	char word[64];

	if (runs_no_app(in, reaper, out))
		return;
	missing = seen(in, reaper, "exit.exec.not-found", out);
	noexec = seen(in, reaper, "exit.exec.not-executable", out);
	if (!missing || !noexec)
		return unknown(out, "exit.exec.*");
	snprintf(word, sizeof(word), "%s / %s", missing, noexec);
	if (strcmp(missing, "n/a") == 0)
		return say(out, RB_ANSWER_NA, "n/a", NULL); /* the app is PID 1: nothing to exec */
	if (strcmp(missing, "127") == 0 && strcmp(noexec, "126") == 0)
		return say(out, RB_ANSWER_YES, word, NULL);
	say(out, RB_ANSWER_NO, word,
	    "a missing command makes PID 1 exit %s and a non-executable one %s, where a shell and "
	    "docker say 127 and 126: a typo in the command looks like your app's own failure",
	    missing, noexec);
}

/* ---- reaping ------------------------------------------------------------------ */

static void answer_reap(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	static const char *const checks[] = { "reap.orphans", "reap.hoard", "reap.daemon", "reap.threads" };
	char bad[160] = "";
	int n = 0;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *v = seen(in, reaper, checks[i], out);

		if (!v)
			continue; /* older records lack daemon and threads */
		n++;
		if (strcmp(v, "all reaped") != 0)
			snprintf(bad + strlen(bad), sizeof(bad) - strlen(bad), "%s%s: %s", bad[0] ? ", " : "",
				 checks[i], v);
	}
	if (n == 0)
		return unknown(out, "reap.*");
	if (!bad[0])
		return say(out, RB_ANSWER_YES, "all reaped", NULL);
	say(out, RB_ANSWER_NO, "leaks",
	    "orphans left to PID 1 stay zombies (%s): they hold pids until the container stops", bad);
}

static void answer_prompt(const struct rb_verdict_records *in, const char *reaper,
			  struct rb_verdict_cell *out)
{
	json_t *cell = conform_cell(in, reaper, "reap.prompt");
	const char *v = cell ? cell_seen(cell, out) : NULL;
	char word[64];
	int slow;

	if (!v)
		return unknown(out, "reap.prompt");
	slow = runs_of(cell) - runs_with(cell, "prompt");
	if (slow == 0 && strcmp(v, "prompt") == 0)
		return say(out, RB_ANSWER_YES, "prompt", NULL);
	if (runs_of(cell) > 1)
		snprintf(word, sizeof(word), "late %d/%d", slow, runs_of(cell));
	else
		snprintf(word, sizeof(word), "%s", strcmp(v, "leaks") == 0 ? "never" : "late");
	say(out, RB_ANSWER_NO, word, "orphans are reaped late: 10x the reference or more (%s)",
	    str(cell, "detail"));
}

static json_t *summary_of(json_t *rec, const char *reaper)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(rec, "summary"), i, s)
		if (strcmp(str(s, "reaper"), reaper) == 0)
			return s;
	return NULL;
}

/* REAPER's storm runs: how many cleared, did not, or were not measured (a
 * run that failed says nothing of the reaper). */
static void storm_runs(json_t *storm, const char *reaper, int *yes, int *no, int *unmeasured)
{
	json_t *run;
	size_t i;

	*yes = *no = *unmeasured = 0;
	json_array_foreach(json_object_get(storm, "runs"), i, run) {
		json_t *c = json_object_get(run, "cleared");

		if (strcmp(rb_run_reaper(run) ?: "", reaper) != 0)
			continue;
		*yes += json_is_true(c);
		*no += json_is_false(c);
		*unmeasured += !json_is_boolean(c);
	}
}

static void answer_storm(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	json_t *o = json_object_get(in->storm, "options");
	json_t *p99 = json_object_get(json_object_get(json_object_get(summary_of(in->storm, reaper), "metrics"),
						      "reap_latency_p99"), "median");
	char word[64], lat[32];
	int yes, no, unmeasured;

	storm_runs(in->storm, reaper, &yes, &no, &unmeasured);
	if (yes + no == 0)
		return unknown(out, "storm run");
	snprintf(word, sizeof(word), "%d/%d", yes, yes + no);
	cite(out, STORM, "runs[].cleared", json_pack("{s:i, s:i, s:i}", "cleared", yes, "not",
						     no, "not measured", unmeasured));
	if (no > 0)
		return say(out, RB_ANSWER_NO, strcat(word, " cleared"),
			   "in a storm (%s of %lld) it left processes unreaped in %d of %d runs",
			   str(o, "pattern"), (long long)json_integer_value(json_object_get(o, "count")),
			   no, yes + no);
	if (json_is_number(p99)) {
		cite(out, STORM, "summary.metrics.reap_latency_p99.median", json_copy(p99));
		rb_fmt_value(lat, sizeof(lat), json_number_value(p99), "s",
			     json_number_value(json_object_get(o, "resolution_s")));
		snprintf(word + strlen(word), sizeof(word) - strlen(word), ", p99 %s", lat);
	}
	say(out, RB_ANSWER_YES, word, NULL);
}

static void answer_pids(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	json_t *s = summary_of(in->exhaust, reaper);
	json_t *eagain = json_object_get(json_object_get(json_object_get(s, "metrics"), "stream_eagain"), "max");
	long streams = (long)json_integer_value(json_object_get(s, "streams"));
	long survived = (long)json_integer_value(json_object_get(s, "streams_survived"));
	char word[64];

	if (!in->exhaust)
		return unknown(out, EXHAUST);
	if (!s || streams == 0 || !json_is_number(eagain))
		return unknown(out, "exhaust stream");
	cite(out, EXHAUST, "summary.metrics.stream_eagain.max", json_copy(eagain));
	snprintf(word, sizeof(word), "%ld/%ld survived", survived, streams);
	cite(out, EXHAUST, "summary.streams_survived", json_string(word));
	if (survived == streams && json_number_value(eagain) == 0)
		return say(out, RB_ANSWER_YES, "0 EAGAIN", NULL);
	snprintf(word, sizeof(word), "%g EAGAIN", json_number_value(eagain));
	say(out, RB_ANSWER_NO, word,
	    "a stream of orphans (pid_max %lld) ran the container out of pids: up to %g new "
	    "processes refused with EAGAIN, in %ld of %ld runs",
	    (long long)json_integer_value(json_object_get(json_object_get(in->exhaust, "options"), "pid_max")),
	    json_number_value(eagain), streams - survived, streams);
}

/* ---- signals ------------------------------------------------------------------ */

/* "forward.parent.SIGTERM" -> "TERM" */
static const char *short_sig(const char *check)
{
	const char *s = strrchr(check, '.');

	s = s ? s + 1 : check;
	return strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
}

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(list, w); p; p = strstr(p + 1, w))
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static void answer_dropped(const struct rb_verdict_records *in, const char *reaper,
			   struct rb_verdict_cell *out)
{
	char names[400] = "", word[64];
	int n = 0, checks = 0;
	json_t *cells, *cell;
	size_t i;

	if (!(cells = app_cells(in, reaper, out)))
		return;
	json_array_foreach(cells, i, cell) {
		const char *check = str(cell, "check"), *v;

		if (strncmp(check, "forward.", 8) != 0 || word_in("CHLD TSTP TTIN TTOU", short_sig(check)))
			continue; /* CHLD is PID 1's own; job control has its row */
		if (!(v = cell_seen(cell, out)))
			continue;
		checks++;
		if (strcmp(v, "app") == 0 || strcmp(v, "group") == 0 || word_in(names, short_sig(check)))
			continue;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", n++ ? " " : "",
			 short_sig(check));
	}
	if (checks == 0)
		return unknown(out, "forward.*");
	if (n == 0)
		return say(out, RB_ANSWER_YES, "none", NULL);
	if (n <= 3)
		snprintf(word, sizeof(word), "%s", names);
	else
		snprintf(word, sizeof(word), "%d signals", n);

	say(out, RB_ANSWER_NO, word, "these signals sent to PID 1 never reach your app: %s", names);
}

/* Signals sent and lost in REAPER's runs of the signal train (every condition). */
static void answer_train(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	double sent = 0, lost = 0;
	json_t *run, *m;
	size_t i, j;
	char word[64];

	if (!in->signals)
		return unknown(out, SIGNALS);
	if (runs_no_app(in, reaper, out))
		return;
	json_array_foreach(json_object_get(in->signals, "runs"), i, run) {
		if (strcmp(rb_run_reaper(run) ?: "", reaper) != 0)
			continue;
		json_array_foreach(json_object_get(run, "measurements"), j, m) {
			if (strcmp(str(m, "name"), "signals_sent") == 0)
				sent += json_number_value(json_object_get(m, "value"));
			if (strcmp(str(m, "name"), "signals_lost") == 0)
				lost += json_number_value(json_object_get(m, "value"));
		}
	}
	if (sent == 0)
		return unknown(out, "signal train");
	snprintf(word, sizeof(word), "%g/%g lost", lost, sent);
	cite(out, SIGNALS, "runs[].signals_lost/signals_sent", json_string(word));
	if (lost == 0)
		return say(out, RB_ANSWER_YES, word, NULL);
	say(out, RB_ANSWER_NO, word, "of %g signals sent to PID 1 in the signal train, %g never reached your app",
	    sent, lost);
}

static void answer_group(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	const char *v;

	if (runs_no_app(in, reaper, out))
		return;
	if (!(v = seen(in, reaper, "forward.parent.SIGTERM", out)))
		return unknown(out, "forward.parent.SIGTERM");
	if (strcmp(v, "app") == 0)
		return say(out, RB_ANSWER_INFO, "the app", NULL);
	if (strcmp(v, "group") == 0)
		return say(out, RB_ANSWER_INFO, "its group", NULL);
	say(out, RB_ANSWER_INFO, "neither", NULL);
}

static void answer_job(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	static const char *const checks[] = { "forward.parent.SIGTSTP", "forward.parent.SIGTTIN",
					      "forward.parent.SIGTTOU" };
	const char *blocked, *ignored;
	char dropped[64] = "", word[64];
	bool stops = false;

	if (runs_no_app(in, reaper, out))
		return;
	blocked = seen(in, reaper, "inherit.blocked", out);
	ignored = seen(in, reaper, "inherit.ignored", out);
	for (size_t i = 0; i < 3; i++) {
		const char *v = seen(in, reaper, checks[i], out);

		if (!v)
			return unknown(out, checks[i]);
		stops |= strcmp(v, "stopped") == 0;
		if (strcmp(v, "dropped") == 0)
			snprintf(dropped + strlen(dropped), sizeof(dropped) - strlen(dropped), "%s%s",
				 dropped[0] ? " " : "", short_sig(checks[i]));
	}
	if (!blocked || !ignored)
		return unknown(out, "inherit.*");
	if (strcmp(blocked, "none") != 0) {
		snprintf(word, sizeof(word), "%s blocked", blocked);
		return say(out, RB_ANSWER_NO, word,
			   "your app starts with %s blocked (and its children inherit it): Ctrl-Z and "
			   "background-tty stops never reach it", blocked);
	}
	if (strcmp(ignored, "none") != 0) {
		snprintf(word, sizeof(word), "%s ignored", ignored);
		return say(out, RB_ANSWER_NO, word, "your app starts with %s ignored", ignored);
	}
	if (stops)
		return say(out, RB_ANSWER_NO, "stops group",
			   "TSTP, TTIN and TTOU do not reach your app: PID 1 stops the whole process "
			   "group with SIGSTOP instead");
	if (dropped[0]) {
		snprintf(word, sizeof(word), "%s dropped", dropped);
		return say(out, RB_ANSWER_NO, word, "%s never reach your app: job control does not work",
			   dropped);
	}
	say(out, RB_ANSWER_YES, "works", NULL);
}

/* ---- the app exits, races ------------------------------------------------------ */

static void answer_main_exit(const struct rb_verdict_records *in, const char *reaper,
			     struct rb_verdict_cell *out)
{
	json_t *cell;
	const char *v;
	char word[64];

	if (runs_no_app(in, reaper, out))
		return;
	cell = conform_cell(in, reaper, "main_exit.members");
	if (!cell || !(v = cell_seen(cell, out)))
		return unknown(out, "main_exit.members");
	if (strcmp(v, "pid1 stays") == 0)
		return say(out, RB_ANSWER_NO, "PID 1 stays",
			   "when your app exits while other processes live, PID 1 stays: the "
			   "container does not stop");
	snprintf(word, sizeof(word), "%s", strcmp(v, "term") == 0 ? "SIGTERM first" : "SIGKILL");
	if (runs_of(cell) > 1)
		snprintf(word + strlen(word), sizeof(word) - strlen(word), " %d/%d", runs_with(cell, v),
			 runs_of(cell));
	say(out, RB_ANSWER_YES, word, NULL);
}

static void answer_early(const struct rb_verdict_records *in, const char *reaper, struct rb_verdict_cell *out)
{
	json_t *cell = conform_cell(in, reaper, "early.sigterm.1ms");
	const char *v;
	char word[64];
	int lost;

	if (runs_no_app(in, reaper, out))
		return;
	if (!cell || !(v = cell_seen(cell, out)))
		return unknown(out, "early.sigterm.1ms");
	lost = runs_with(cell, "lost");
	snprintf(word, sizeof(word), "lost %d/%d", lost, runs_of(cell));
	if (lost == 0)
		return say(out, RB_ANSWER_YES, word, NULL);
	say(out, RB_ANSWER_NO, word,
	    "a SIGTERM sent 1 ms after start is lost (%d of %d runs): a container stopped as it "
	    "starts may not stop", lost, runs_of(cell));
}

/* ---- cost next to none ------------------------------------------------------- */

static json_t *measure(json_t *run, const char *name)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(run, "measurements"), i, m)
		if (strcmp(str(m, "name"), name) == 0)
			return json_object_get(m, "value");
	return NULL;
}

static void answer_cost_start(const struct rb_verdict_records *in, const char *reaper,
			      struct rb_verdict_cell *out)
{
	json_t *run = rb_record_first_run(in->startup, reaper);
	json_t *life = measure(run, "lifecycle"), *ratio = measure(run, "lifecycle_ratio_to_none");
	char word[64], t[32];

	if (!in->startup)
		return unknown(out, STARTUP);
	if (!json_is_number(life) || !json_is_number(ratio))
		return unknown(out, "lifecycle");
	cite(out, STARTUP, "lifecycle", json_copy(life));
	cite(out, STARTUP, "lifecycle_ratio_to_none", json_copy(ratio));
	rb_fmt_seconds(t, sizeof(t), json_number_value(life));
	snprintf(word, sizeof(word), "x%.2f (%s)", json_number_value(ratio), t);
	say(out, RB_ANSWER_INFO, word, NULL);
}

static void answer_cost_teardown(const struct rb_verdict_records *in, const char *reaper,
				 struct rb_verdict_cell *out)
{
	json_t *t = measure(rb_record_first_run(in->startup, reaper), "teardown_1000");
	json_t *tn = measure(rb_record_first_run(in->startup, "none"), "teardown_1000");
	char word[64], s[32];

	if (!in->startup)
		return unknown(out, STARTUP);
	if (!json_is_number(t))
		return unknown(out, "teardown_1000");
	cite(out, STARTUP, "teardown_1000", json_copy(t));
	rb_fmt_seconds(s, sizeof(s), json_number_value(t));
	if (json_is_number(tn) && json_number_value(tn) > 0) {
		cite(out, STARTUP, "none: teardown_1000", json_copy(tn));
		snprintf(word, sizeof(word), "x%.2f (%s)", json_number_value(t) / json_number_value(tn), s);
	} else
		snprintf(word, sizeof(word), "%s", s);
	say(out, RB_ANSWER_INFO, word, NULL);
}

/* The median of every idle signal latency of REAPER, all runs pooled (the
 * signals table's own definition); NAN when none arrived. */
static double pooled_idle_p50(json_t *signals, const char *reaper, size_t *n)
{
	size_t cap = 0, i, j;
	double *v = NULL, med = NAN;
	json_t *run, *x;

	*n = 0;
	json_array_foreach(json_object_get(signals, "runs"), i, run) {
		if (strcmp(rb_run_reaper(run) ?: "", reaper) != 0 || strcmp(str(run, "condition"), "idle") != 0)
			continue;
		cap += json_array_size(json_object_get(run, "latency_s"));
		v = realloc(v, (cap + 1) * sizeof(*v));
		if (!v)
			abort();
		json_array_foreach(json_object_get(run, "latency_s"), j, x)
			if (json_is_number(x))
				v[(*n)++] = json_number_value(x);
	}
	if (*n) {
		rb_sort_doubles(v, *n);
		med = rb_percentile_sorted(v, *n, 50);
	}
	free(v);
	return med;
}

static void answer_cost_signal(const struct rb_verdict_records *in, const char *reaper,
			       struct rb_verdict_cell *out)
{
	size_t n, nn;
	double p = pooled_idle_p50(in->signals, reaper, &n), pn = pooled_idle_p50(in->signals, "none", &nn);
	char word[64], s[32];

	if (!in->signals)
		return unknown(out, SIGNALS);
	if (runs_no_app(in, reaper, out))
		return;
	if (n == 0)
		return say(out, RB_ANSWER_NA, "none arrive", NULL);
	cite(out, SIGNALS, "idle latency_s pooled, p50", json_real(p));
	if (nn == 0) {
		rb_fmt_seconds(s, sizeof(s), p);
		snprintf(word, sizeof(word), "p50 %s", s);
	} else {
		cite(out, SIGNALS, "none: idle latency_s pooled, p50", json_real(pn));
		rb_fmt_seconds(s, sizeof(s), p - pn);
		snprintf(word, sizeof(word), "%s%s", p >= pn ? "+" : "", s);
	}
	say(out, RB_ANSWER_INFO, word, NULL);
}

static void answer_cost_cpu(const struct rb_verdict_records *in, const char *reaper,
			    struct rb_verdict_cell *out)
{
	json_t *s = summary_of(in->storm, reaper);
	json_t *cpu = json_object_get(json_object_get(json_object_get(s, "metrics"),
						      "pid1_cpu_per_1000_reaps"), "median");
	char word[64], t[32];

	if (!in->storm)
		return unknown(out, STORM);
	if (!json_is_number(cpu))
		return say(out, RB_ANSWER_NA, "reaps none", NULL);
	cite(out, STORM, "summary.metrics.pid1_cpu_per_1000_reaps.median", json_copy(cpu));
	rb_fmt_seconds(t, sizeof(t), json_number_value(cpu));
	snprintf(word, sizeof(word), "%s", t);
	say(out, RB_ANSWER_INFO, word, NULL);
}

/* ---- the profile ------------------------------------------------------------ */

static const struct rb_profile_row rows[] = {
	{ "stop", CONFORM, "docker stop: the app gets SIGTERM, stops in time",
	  "conform shutdown.exits, shutdown.slow and shutdown.no-handler all graceful (the app "
	  "gets SIGTERM and exits within --grace; one without a handler is terminated)",
	  "for a graceful docker stop", true, answer_stop },
	{ "exit_code", CONFORM, "the app's exit code is passed on",
	  "conform exit.code.N: PID 1 exits N", "to pass exit codes on", false, answer_exit_code },
	{ "exit_signal", CONFORM, "death by a signal is passed on (128+N)",
	  "conform exit.killed.SIG: PID 1 exits 128 + the signal's number",
	  "to pass a death by signal on", false, answer_exit_signal },
	{ "exec", CONFORM, "command missing / not executable",
	  "conform exit.exec.not-found 127 and exit.exec.not-executable 126, as a shell and docker say",
	  "for a shell's exit codes on a bad command", false, answer_exec },
	{ "reap", CONFORM, "orphans and zombies are reaped",
	  "conform reap.orphans, reap.hoard, reap.daemon, reap.threads: all reaped",
	  "to reap orphans", true, answer_reap },
	{ "prompt", CONFORM, "promptly (like the reference)",
	  "conform reap.prompt: prompt in every run (p90 within 10x the reference's, >= 20 ms)",
	  "to reap promptly", false, answer_prompt },
	{ "storm", STORM, "under a storm: every run cleared",
	  "storm summary: cleared in every run (p99 reap latency shown, at or below the observer's "
	  "resolution as <)", "to clear a storm", false, answer_storm },
	{ "pids", EXHAUST, "no pid exhaustion (orphan stream)",
	  "exhaust: every stream survived, 0 EAGAIN", "to keep pids free", false, answer_pids },
	{ "dropped", CONFORM, "signals that never reach the app",
	  "conform forward.parent.* and forward.inside.*: every signal but SIGCHLD (PID 1's own) "
	  "and TSTP, TTIN, TTOU (job control, below) reaches the app or its group",
	  "to forward every signal", false, answer_dropped },
	{ "train", SIGNALS, "signal train: lost", "signals: 0 of the signals sent lost (idle and under a storm)",
	  "to lose no signal", false, answer_train },
	{ "group", CONFORM, "signals go to", "conform forward.parent.SIGTERM: the app or its process group "
	  "(a choice: tini -g, dumb-init)", NULL, false, answer_group },
	{ "job", CONFORM, "Ctrl-Z / job control (TSTP TTIN TTOU)",
	  "conform inherit.blocked and inherit.ignored none; forward.parent.SIGTSTP, SIGTTIN, SIGTTOU "
	  "reach the app or its group", "for job control", false, answer_job },
	{ "main_exit", CONFORM, "the app exits: the other processes get",
	  "conform main_exit.members: SIGKILL (PID 1 exits, the kernel kills the rest) or SIGTERM "
	  "first; never PID 1 staying", "to stop when the app exits", false, answer_main_exit },
	{ "early", CONFORM, "SIGTERM 1 ms after start: lost (racy)",
	  "conform early.sigterm.1ms: delivered in every run (the loss rate over --repeat runs)",
	  "to keep an early SIGTERM", false, answer_early },
	{ "cost_start", STARTUP, "start to end, next to none",
	  "startup: lifecycle (sandbox to namespace gone, hyperfine median) and its ratio to none's",
	  NULL, false, answer_cost_start },
	{ "cost_teardown", STARTUP, "teardown with 1000 alive, next to none",
	  "startup: teardown_1000 and its ratio to none's", NULL, false, answer_cost_teardown },
	{ "cost_signal", SIGNALS, "forwarding latency above none (p50)",
	  "signals: median of every idle latency, runs pooled, minus none's", NULL, false, answer_cost_signal },
	{ "cost_cpu", STORM, "PID 1's CPU per 1000 reaps (storm)",
	  "storm summary: pid1_cpu_per_1000_reaps median", NULL, false, answer_cost_cpu },
};

const struct rb_profile_row *rb_profile_rows(size_t *n)
{
	*n = sizeof(rows) / sizeof(rows[0]);
	return rows;
}

void rb_profile_answer(const struct rb_profile_row *row, const struct rb_verdict_records *in,
		       const char *reaper, struct rb_verdict_cell *out)
{
	json_t *recs[] = { in->conform, in->storm, in->signals, in->exhaust, in->startup };
	const char *names[] = { CONFORM, STORM, SIGNALS, EXHAUST, STARTUP };

	memset(out, 0, sizeof(*out));
	out->sources = json_array();
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		if (!recs[i] && strcmp(row->record, names[i]) == 0)
			return unknown(out, names[i]);
	row->answer(in, reaper, out);
}
