/* Unit tests for harness/suites/driver.c: a trivial suite, declared in this
 * one file as a real suite is, run by rb_suite_main. Its measurement runs
 * nothing: it notes the order of its cells, so that the driver's lifecycle
 * (options, selection, interleaving, failures, interruption, the record,
 * the footer, the exit code) is checked without a sandbox. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"

#include "cli.h"
#include "record.h"
#include "suite.h"

/* ---- the trivial suite: `tally` ------------------------------------------------ */

struct cfg {
	long repeat, steps;
	const char *fail;  /* this reaper's second run fails */
	long interrupt_at; /* the cell (counted from 1) that sees an interrupt; 0 none */
	struct rb_output out;
	struct rb_selection sel;
	long cells;
	char order[512];   /* "name/k/step " per measured cell */
	bool released;
};

struct row {
	RB_SUITE_ROW_HEAD;
	double sum;
};

static const struct rb_opt tally_opts[] = {
	{ "repeat", 0, RB_OT_LONG, "N", RB_IN_CFG, offsetof(struct cfg, repeat), 1, 10,
	  .help = "runs per reaper" },
	{ "steps", 0, RB_OT_LONG, "N", RB_IN_CFG, offsetof(struct cfg, steps), 1, 4,
	  .help = "steps per run" },
	{ "fail", 0, RB_OT_STR, "NAME", RB_IN_CFG, offsetof(struct cfg, fail),
	  .help = "this reaper's second run fails", .dflt = "none" },
	{ "interrupt-at", 0, RB_OT_LONG, "K", RB_IN_CFG, offsetof(struct cfg, interrupt_at), 0, 100,
	  .help = "the K-th cell is interrupted" },
	{ 0 },
};

static const struct rb_cli tally_cli = {
	.name = "tally",
	.about = "A suite that measures nothing, for the driver's tests.",
	.opts = tally_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT,
};

static struct cfg *last; /* the run's cfg, kept for the test by release */

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->repeat = 2;
	c->steps = 1;
}

static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	(void)err;
	x->repeat = c->repeat;
	x->steps = c->steps;
	return 0;
}

static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct cfg *c = x->cfg;
	struct row *w = row;
	size_t len = strlen(c->order);
	json_t *run;

	snprintf(c->order + len, sizeof(c->order) - len, "%s/%ld/%ld ", w->r->name, k, step);
	if (++c->cells == c->interrupt_at)
		return 1;
	if (c->fail && strcmp(c->fail, w->r->name) == 0 && k == 1) {
		snprintf(w->error, sizeof(w->error), "it failed");
		return -1;
	}
	run = rb_record_add_run(x->rec, w->r, NULL);
	rb_record_measure(run, "tally", (double)(k + 1), "runs");
	w->sum += (double)(k + 1);
	return 0;
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	json_t *all = json_array();

	(void)err;
	for (int i = 0; i < x->nrows; i++) {
		struct row *w = rb_suite_row(x, i);

		json_array_append_new(all, json_pack("{s:s, s:f, s:i}", "reaper", w->r->name, "sum",
						     w->sum, "runs", (json_int_t)w->runs));
	}
	json_object_set_new(x->rec, "summary", all);
	return 0;
}

static void release(struct rb_suite_ctx *x)
{
	static struct cfg kept;

	kept = *(struct cfg *)x->cfg;
	kept.released = true;
	last = &kept;
}

static const struct rb_suite tally_suite = {
	.name = "tally",
	.summary = "a suite that measures nothing",
	.cli = &tally_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.output = RB_OUTPUT_DIR,
	.init = init,
	.prepare = prepare,
	.measure = measure,
	.report = report,
	.release = release,
};

/* ---- the tests --------------------------------------------------------------- */

static char dir[64];
static struct rb_sysinfo si;

static void write_ini(const char *name, const char *mode, const char *binary)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/reapers/%s.ini", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[reaper]\nname = %s\nsummary = a test descriptor\nclass = init\nmode = %s\n",
		name, mode);
	if (binary)
		fprintf(f, "binary = %s\ncommand = {binary} -- {cmd}\n", binary);
	else
		fprintf(f, "command = {cmd}\n");
	fprintf(f, "\n[claims]\nreaps = yes\nforwards = TERM INT\nforward_to = child\n"
		   "exit_status = passthrough\nexec_not_found = 127\nexec_not_executable = 126\n");
	fclose(f);
}

static int setup(void **state)
{
	char path[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rb-test-suite-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/reapers", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_ini("alpha", "none", NULL);
	write_ini("beta", "wrap", "/bin/sh");
	write_ini("gone", "wrap", "/no/such/binary");
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), "%s/reapers", dir);
	snprintf(si.kernel, sizeof(si.kernel), "test");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs `tally ARGS... --out DIR/out` with stdout to DIR/stdout; returns
 * the exit code (-1: an error in ERR) and the record in *REC (NULL: none). */
static int tally(json_t **rec, struct rb_error *err, ...)
{
	char *argv[32] = { "tally" }, out[128], path[160];
	int argc = 1, rc, saved = dup(STDOUT_FILENO), fd;
	va_list ap;

	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	snprintf(out, sizeof(out), "%s/out", dir);
	argv[argc++] = "--out";
	argv[argc++] = out;
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	optind = 0;
	memset(err, 0, sizeof(*err));
	last = NULL;
	rc = rb_suite_main(&tally_suite, argc, argv, &si, err);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	snprintf(path, sizeof(path), "%s/tally.json", out);
	*rec = json_load_file(path, 0, NULL);
	unlink(path);
	return rc;
}

static char *stdout_text(void)
{
	static char buf[8192];
	char path[160];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/stdout", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_runs_interleave_and_the_record_holds_them(void **state)
{
	struct rb_error err;
	json_t *rec, *summary;

	(void)state;
	assert_int_equal(tally(&rec, &err, "-r", "alpha", "-r", "beta", "--repeat", "3", NULL), 0);
	assert_non_null(last);
	assert_true(last->released);
	/* run k of every reaper before run k + 1 of any */
	assert_string_equal(last->order, "alpha/0/0 beta/0/0 alpha/1/0 beta/1/0 alpha/2/0 beta/2/0 ");
	assert_non_null(rec);
	assert_string_equal(json_string_value(json_object_get(rec, "command")), "tally");
	assert_int_equal(json_array_size(json_object_get(rec, "runs")), 6);
	summary = json_object_get(rec, "summary");
	assert_int_equal(json_array_size(summary), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(summary, 0), "runs")), 3);
	assert_true(json_real_value(json_object_get(json_array_get(summary, 1), "sum")) == 6.0);
	assert_contains(stdout_text(), "record  ");
	json_decref(rec);
}

static void test_steps_are_inside_a_run(void **state)
{
	struct rb_error err;
	json_t *rec;

	(void)state;
	assert_int_equal(tally(&rec, &err, "-r", "alpha", "-r", "beta", "--repeat", "1", "--steps",
			       "2", NULL), 0);
	assert_string_equal(last->order, "alpha/0/0 beta/0/0 alpha/0/1 beta/0/1 ");
	json_decref(rec);
}

/* Every reaper by default: the unavailable one is a skip with its reason;
 * asked for by name, it is bad input. */
static void test_an_unavailable_reaper_is_a_skip_not_a_row(void **state)
{
	struct rb_error err;
	json_t *rec, *run;

	(void)state;
	assert_int_equal(tally(&rec, &err, "--repeat", "1", NULL), 0);
	assert_string_equal(last->order, "alpha/0/0 beta/0/0 ");
	assert_contains(stdout_text(), "gone");
	assert_contains(stdout_text(), "unavailable: /no/such/binary");
	run = json_array_get(json_object_get(rec, "runs"), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(run, "reaper"), "name")),
			    "gone");
	assert_int_equal(json_array_size(json_object_get(rec, "summary")), 2);
	json_decref(rec);
	assert_int_equal(tally(&rec, &err, "-r", "gone", NULL), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_contains(err.msg, "gone is unavailable");
	assert_null(rec);
}

static void test_a_failed_reaper_stops_and_the_exit_is_1(void **state)
{
	struct rb_error err;
	json_t *rec;

	(void)state;
	assert_int_equal(tally(&rec, &err, "-r", "alpha", "-r", "beta", "--repeat", "3", "--fail",
			       "alpha", NULL), 1);
	/* alpha's third run is not made; beta's are */
	assert_string_equal(last->order, "alpha/0/0 beta/0/0 alpha/1/0 beta/1/0 beta/2/0 ");
	assert_non_null(rec);
	json_decref(rec);
}

static void test_an_interrupt_stops_the_plan_with_130(void **state)
{
	struct rb_error err;
	json_t *rec;

	(void)state;
	assert_int_equal(tally(&rec, &err, "-r", "alpha", "-r", "beta", "--repeat", "3",
			       "--interrupt-at", "3", NULL), 130);
	assert_string_equal(last->order, "alpha/0/0 beta/0/0 alpha/1/0 ");
	assert_non_null(rec); /* what was measured is kept */
	json_decref(rec);
}

static void test_bad_input_is_an_error_and_nothing_runs(void **state)
{
	struct rb_error err;
	json_t *rec;

	(void)state;
	assert_int_equal(tally(&rec, &err, "-r", "alpha", "--repeat", "0", NULL), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_contains(err.msg, "--repeat");
	assert_null(rec);
	assert_true(last->released);
	assert_int_equal(last->cells, 0);
	assert_int_equal(tally(&rec, &err, "-r", "no-such-reaper", NULL), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_null(rec);
}

static void test_help_comes_from_the_option_table(void **state)
{
	struct rb_error err;
	json_t *rec;

	(void)state;
	assert_int_equal(tally(&rec, &err, "--help", NULL), 0);
	assert_contains(stdout_text(), "usage: reapbench tally");
	assert_contains(stdout_text(), "--interrupt-at K");
	assert_contains(stdout_text(), "--no-record");
	assert_null(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_interleave_and_the_record_holds_them),
		cmocka_unit_test(test_steps_are_inside_a_run),
		cmocka_unit_test(test_an_unavailable_reaper_is_a_skip_not_a_row),
		cmocka_unit_test(test_a_failed_reaper_stops_and_the_exit_is_1),
		cmocka_unit_test(test_an_interrupt_stops_the_plan_with_130),
		cmocka_unit_test(test_bad_input_is_an_error_and_nothing_runs),
		cmocka_unit_test(test_help_comes_from_the_option_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
