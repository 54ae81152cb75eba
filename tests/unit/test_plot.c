/* Unit tests for harness/report/plot.c: gnuplot found or not in PATH, its failure
 * reported in one line, its timeout, a stale SVG never passing for a new
 * one. A fake gnuplot (a shell script in a PATH of our own) plays each part;
 * the real one, where installed, draws one SVG. Writes only under a
 * mkdtemp directory. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "error.h"
#include "plot.h"

static char tmpdir[] = "/tmp/reapbench-test-plot.XXXXXX";
static char bindir[PATH_MAX], outdir[PATH_MAX];
static char *saved_path;

/* A fake gnuplot in BINDIR running SCRIPT (sh); PATH is BINDIR only. */
static void fake_gnuplot(const char *script)
{
	char file[PATH_MAX + 16];
	FILE *f;

	snprintf(file, sizeof(file), "%s/gnuplot", bindir);
	f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\n%s\n", script); /* its own tools */
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(file, 0755), 0);
	assert_int_equal(setenv("PATH", bindir, 1), 0);
}

static bool exists(const char *name)
{
	char file[PATH_MAX + 64];

	snprintf(file, sizeof(file), "%s/%s", outdir, name);
	return access(file, F_OK) == 0;
}

static char *slurp(const char *name)
{
	char file[PATH_MAX + 64], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(file, sizeof(file), "%s/%s", outdir, name);
	f = fopen(file, "r");
	assert_non_null(f);
	assert_non_null(buf);
	(void)fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/bin %s/out", tmpdir, tmpdir);
	if (system(cmd) != 0)
		return -1;
	snprintf(bindir, sizeof(bindir), "%s/bin", tmpdir);
	snprintf(outdir, sizeof(outdir), "%s/out", tmpdir);
	return mkdir(bindir, 0755) == 0 && mkdir(outdir, 0755) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return setenv("PATH", saved_path, 1);
}

static void test_no_gnuplot_is_a_skip_with_the_script_kept(void **state)
{
	struct rb_plot p;
	struct rb_error err = { 0 };
	char file[PATH_MAX + 16], *gp;
	FILE *f;

	(void)state;
	assert_int_equal(setenv("PATH", bindir, 1), 0); /* empty */
	snprintf(err.msg, sizeof(err.msg), "untouched");
	/* a stale SVG from an earlier run */
	snprintf(file, sizeof(file), "%s/p.svg", outdir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs("<svg>old</svg>", f);
	fclose(f);
	assert_int_equal(rb_plot_run(outdir, "p", "plot x\n", 1000, &p, &err), 0);
	assert_int_equal(p.state, RB_PLOT_SKIPPED);
	assert_string_equal(p.skip, "gnuplot not found in PATH");
	assert_string_equal(p.gnuplot, "");
	assert_string_equal(err.msg, "untouched");
	assert_false(exists("p.svg"));
	gp = slurp("p.gp");
	assert_contains(gp, "set terminal svg");
	assert_contains(gp, "set output \"p.svg\"");
	assert_contains(gp, "\nplot x\n");
	free(gp);
}

static void test_made_runs_in_dir_with_stdin_null(void **state)
{
	struct rb_plot p;
	struct rb_error err;
	char *svg;

	(void)state;
	/* writes what it was asked, where, and whether stdin is /dev/null */
	fake_gnuplot("test \"$1\" = p.gp && test -f p.gp || exit 9\n"
		     "stdin=$(readlink /proc/self/fd/0)\n"
		     "printf '<svg>%s %s</svg>' \"$stdin\" \"$(grep -c 'plot x' p.gp)\" > p.svg");
	assert_int_equal(rb_plot_run(outdir, "p", "plot x\n", 5000, &p, &err), 0);
	assert_int_equal(p.state, RB_PLOT_MADE);
	assert_true(strncmp(p.gnuplot, bindir, strlen(bindir)) == 0);
	svg = slurp("p.svg");
	assert_string_equal(svg, "<svg>/dev/null 1</svg>");
	free(svg);
}

static void test_failure_is_its_last_stderr_line(void **state)
{
	struct rb_plot p;
	struct rb_error err;

	(void)state;
	fake_gnuplot("echo '         plot foo' >&2\necho '              ^' >&2\n"
		     "echo '\"p.gp\" line 4: undefined variable: foo' >&2\necho >&2\nexit 1");
	assert_int_equal(rb_plot_run(outdir, "p", "plot foo\n", 5000, &p, &err), -1);
	assert_int_equal(err.kind, RB_ERR_SYSTEM);
	assert_contains(err.msg, "gnuplot p.gp (in ");
	assert_contains(err.msg, "exited 1: \"p.gp\" line 4: undefined variable: foo");
	assert_null(strchr(err.msg, '\n'));
}

static void test_failure_after_many_warnings_is_still_its_last_line(void **state)
{
	struct rb_plot p;
	struct rb_error err;

	(void)state;
	fake_gnuplot("i=0; while [ $i -lt 400 ]; do echo \"warning: number $i of many\" >&2; i=$((i+1)); done\n"
		     "echo 'the real error' >&2\nexit 1");
	assert_int_equal(rb_plot_run(outdir, "p", "plot foo\n", 5000, &p, &err), -1);
	assert_contains(err.msg, "exited 1: the real error");
}

static void test_exit_0_without_svg_is_an_error(void **state)
{
	struct rb_plot p;
	struct rb_error err;

	(void)state;
	fake_gnuplot("exit 0");
	assert_int_equal(rb_plot_run(outdir, "p", "plot x\n", 5000, &p, &err), -1);
	assert_contains(err.msg, "wrote no p.svg");
}

static void test_timeout_kills_it(void **state)
{
	struct rb_plot p;
	struct rb_error err;
	struct timespec a, b;
	double s;

	(void)state;
	fake_gnuplot("exec sleep 20");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(rb_plot_run(outdir, "p", "plot x\n", 300, &p, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	assert_contains(err.msg, "killed after 300 ms");
	assert_true(s >= 0.29 && s < 5);
}

static void test_unwritable_dir_is_an_error(void **state)
{
	struct rb_plot p;
	struct rb_error err;
	char dir[PATH_MAX + 16];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/missing", outdir);
	assert_int_equal(rb_plot_run(dir, "p", "plot x\n", 5000, &p, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_contains(err.msg, "p.gp");
}

static void test_real_gnuplot_draws_an_svg(void **state)
{
	struct rb_plot p;
	struct rb_error err;
	char *svg;

	(void)state;
	assert_int_equal(setenv("PATH", saved_path, 1), 0);
	if (access("/usr/bin/gnuplot", X_OK) != 0)
		skip();
	assert_int_equal(rb_plot_run(outdir, "p", "plot x**2 title \"a_b\"\n", RB_PLOT_TIMEOUT_MS, &p,
				     &err), 0);
	assert_int_equal(p.state, RB_PLOT_MADE);
	svg = slurp("p.svg");
	assert_contains(svg, "<svg");
	assert_contains(svg, "<text>a_b</text>"); /* noenhanced: no subscript */
	free(svg);
}

static void test_quote(void **state)
{
	char buf[64];

	(void)state;
	rb_plot_quote(buf, sizeof(buf), "tini");
	assert_string_equal(buf, "\"tini\"");
	rb_plot_quote(buf, sizeof(buf), "a\"b\\c\nd");
	assert_string_equal(buf, "\"a\\\"b\\\\c d\"");
	rb_plot_quote(buf, 8, "abcdefghij"); /* truncated, still closed */
	assert_int_equal(buf[0], '"');
	assert_int_equal(buf[strlen(buf) - 1], '"');
}

static int setup_group(void **state)
{
	(void)state;
	saved_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	return saved_path && mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_group(void **state)
{
	char cmd[PATH_MAX];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	free(saved_path);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_gnuplot_is_a_skip_with_the_script_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_made_runs_in_dir_with_stdin_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_is_its_last_stderr_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_after_many_warnings_is_still_its_last_line,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_0_without_svg_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_dir_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_gnuplot_draws_an_svg, setup, teardown),
		cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests_name("plot", tests, setup_group, teardown_group);
}
