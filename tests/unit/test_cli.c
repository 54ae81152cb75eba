/* Unit tests for harness/suites/cli.c: a command's option table is its
 * parser (values into their targets, bounds, one-line errors, positional
 * arguments) and its --help (every option with its default). The table
 * here is a made-up suite, as a new one would be declared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#include "cli.h"

struct cfg {
	long count;
	unsigned long budget;
	int64_t hold_ns;
	double rate;
	bool quick, persistent;
	int format;
	const char *json;
	char out[RB_CLI_PATH_MAX];
	int nwords;
};

static int parse_word(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	if (strcmp(arg, "bad") == 0)
		return rb_input_error(err, "%s: '%s' is bad", opt, arg);
	(*(int *)field)++;
	return 0;
}

static json_t *words_json(const void *field)
{
	return json_integer(*(const int *)field);
}

static const char *const formats[] = { "text", "md", "json", NULL };

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt toy_opts[] = {
	{ "count", 'n', RB_OT_LONG, "N", AT(count), 1, 100, .help = "how many", .record = "count" },
	{ "budget", 0, RB_OT_ULONG, "N", AT(budget), 0, 5000, .help = "a budget", .record = "budget" },
	{ "hold", 0, RB_OT_NS, "DUR", AT(hold_ns), 0, 10e9, .help = "hold it", .record = "hold_s" },
	{ "rate", 0, RB_OT_RATE, "R", AT(rate), 0, 1000, .help = "per second", .record = "rate" },
	{ "quick", 0, RB_OT_FLAG, NULL, AT(quick), .help = "be quick", .record = "quick" },
	{ "fresh", 0, RB_OT_CLEAR, NULL, AT(persistent), .help = "not persistent",
	  .record = "persistent" },
	{ "format", 0, RB_OT_CHOICE, "F", AT(format), .choices = formats, .help = "how",
	  .record = "format" },
	{ "json", 0, RB_OT_STR, "PATH", AT(json), .help = "the record", .dflt = "DIR/toy.json" },
	{ "out", 0, RB_OT_FN, "DIR", AT(out), .parse = rb_cli_store_path, .help = "where" },
	{ "word", 0, RB_OT_FN, "W", AT(nwords), .parse = parse_word,
	  .help = "a word\nover two lines", .dflt = "none", .record = "words", .to_json = words_json },
	{ 0 },
};

static const struct rb_cli toy_cli = {
	.name = "toy",
	.synopsis = "[OPTIONS] [FILE]",
	.about = "A suite made for the test.",
	.opts = toy_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_SANDBOX,
	.max_args = 1,
	.defaults = (const struct rb_opt_default[]){ { "deadline", "the toy's own" }, { 0 } },
};

struct fixture {
	struct cfg c;
	struct rb_sandbox_opts sb;
	struct rb_selection sel;
	struct rb_cli_targets t;
	struct rb_error err;
	int first;
};

static void setup_fixture(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->c = (struct cfg){ .count = 10, .hold_ns = 2000000, .rate = 50, .persistent = true };
	rb_sandbox_opts_default(&f->sb);
	f->t = (struct rb_cli_targets){ .cfg = &f->c, .sandbox = &f->sb, .sel = &f->sel };
}

static int parse(struct fixture *f, int argc, char **argv)
{
	return rb_cli_parse(&toy_cli, argc, argv, &f->t, &f->first, &f->err);
}

#define ARGV(...) ((char *[]){ "toy", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "toy", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(f, ...) parse((f), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_values_reach_their_fields(void **state)
{
	struct fixture f;

	(void)state;
	setup_fixture(&f);
	assert_int_equal(PARSE(&f, "-n", "42", "--budget", "4000", "--hold", "250ms", "--rate",
			       "12.5", "--quick", "--fresh", "--format", "json", "--json", "x.json",
			       "--out", "/tmp/o", "--word", "a", "--word", "b", "-r", "tini", "--reaper",
			       "reference", "--all", "--pid-max", "1000", "--deadline", "3",
			       "--userns", "no", "file"),
			 0);
	assert_int_equal(f.c.count, 42);
	assert_int_equal(f.c.budget, 4000);
	assert_int_equal(f.c.hold_ns, 250000000);
	assert_true(f.c.rate == 12.5);
	assert_true(f.c.quick);
	assert_false(f.c.persistent);
	assert_int_equal(f.c.format, 2);
	assert_string_equal(f.c.json, "x.json");
	assert_string_equal(f.c.out, "/tmp/o");
	assert_int_equal(f.c.nwords, 2);
	assert_int_equal(f.sel.n, 2);
	assert_string_equal(f.sel.names[0], "tini");
	assert_string_equal(f.sel.names[1], "reference");
	assert_true(f.sel.all);
	assert_int_equal(f.sb.pid_max, 1000);
	assert_int_equal(f.sb.deadline_ns, 3000000000LL); /* a bare number is seconds */
	assert_int_equal(f.sb.userns, RB_USERNS_NO);
	assert_int_equal(f.first, ARGC("-n", "42", "--budget", "4000", "--hold", "250ms", "--rate",
				       "12.5", "--quick", "--fresh", "--format", "json", "--json",
				       "x.json", "--out", "/tmp/o", "--word", "a", "--word", "b", "-r",
				       "tini", "--reaper", "reference", "--all", "--pid-max", "1000",
				       "--deadline", "3", "--userns", "no"));
}

static void test_defaults_stay_when_not_given(void **state)
{
	struct fixture f;

	(void)state;
	setup_fixture(&f);
	assert_int_equal(parse(&f, 1, (char *[]){ "toy", NULL }), 0);
	assert_int_equal(f.c.count, 10);
	assert_true(f.c.persistent);
	assert_int_equal(f.sb.pid_max, 4096);
	assert_int_equal(f.first, 1);
}

/* Each bad input: -1, an input error, a message naming the option. */
static void expect_bad(char **argv, int argc, const char *part)
{
	struct fixture f;

	setup_fixture(&f);
	assert_int_equal(parse(&f, argc, argv), -1);
	assert_int_equal(f.err.kind, RB_ERR_INPUT);
	assert_contains(f.err.msg, part);
}

static void test_bad_input_is_one_error_naming_the_option(void **state)
{
	(void)state;
	expect_bad(ARGV("--count", "0"), ARGC("--count", "0"), "--count: 0 is out of range [1, 100]");
	expect_bad(ARGV("-n", "x"), ARGC("-n", "x"), "--count: 'x' is not an integer");
	expect_bad(ARGV("--budget", "-1"), ARGC("--budget", "-1"), "--budget");
	expect_bad(ARGV("--hold", "11s"), ARGC("--hold", "11s"), "--hold: 11s is out of range");
	expect_bad(ARGV("--hold", "5 parsecs"), ARGC("--hold", "5 parsecs"), "--hold");
	expect_bad(ARGV("--rate", "0"), ARGC("--rate", "0"), "--rate");
	expect_bad(ARGV("--format", "xml"), ARGC("--format", "xml"),
		   "--format: 'xml' is not text, md or json");
	expect_bad(ARGV("--word", "bad"), ARGC("--word", "bad"), "--word: 'bad' is bad");
	expect_bad(ARGV("--out", ""), ARGC("--out", ""), "--out: an empty path");
	expect_bad(ARGV("--userns", "maybe"), ARGC("--userns", "maybe"),
		   "--userns: 'maybe' is not auto, yes or no");
	expect_bad(ARGV("--pid-max", "300"), ARGC("--pid-max", "300"), "--pid-max");
	expect_bad(ARGV("--bogus"), ARGC("--bogus"), "toy: unknown option '--bogus'");
	expect_bad(ARGV("--count"), ARGC("--count"), "toy: unknown option '--count' or it lacks");
	expect_bad(ARGV("-x"), ARGC("-x"), "toy: unknown option -x");
	expect_bad(ARGV("a", "b"), ARGC("a", "b"), "toy: unexpected argument 'b'");
}

static void test_parsing_twice_starts_over(void **state)
{
	struct fixture f;

	(void)state;
	setup_fixture(&f);
	assert_int_equal(PARSE(&f, "--count", "5", "file"), 0);
	setup_fixture(&f);
	assert_int_equal(PARSE(&f, "--count", "7"), 0);
	assert_int_equal(f.c.count, 7);
	assert_int_equal(f.first, 3);
}

static char *usage_text(struct fixture *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	rb_cli_usage(&toy_cli, &f->t, out);
	fclose(out);
	return buf;
}

static void test_help_shows_every_option_and_its_default(void **state)
{
	struct fixture f;
	char *text;

	(void)state;
	setup_fixture(&f);
	f.c.format = 1;
	text = usage_text(&f);
	assert_prefix(text, "usage: reapbench toy [OPTIONS] [FILE]\n\nA suite made for the test.\n");
	for (const struct rb_opt *o = toy_opts; o->name; o++) {
		char want[64];

		snprintf(want, sizeof(want), "--%s", o->name);
		assert_contains(text, want);
	}
	assert_contains(text, "  -n, --count N       how many (default 10)\n");
	assert_contains(text, "--hold DUR          hold it (default 2ms)\n");
	assert_contains(text, "--rate R            per second (default 50)\n");
	assert_contains(text, "--format F          how (default md)\n");
	assert_contains(text, "--json PATH         the record (default DIR/toy.json)\n");
	assert_contains(text, "a word\n                      over two lines (default none)\n");
	assert_contains(text, "-r, --reaper R");
	assert_contains(text, "--pid-max N");
	assert_contains(text, "(default 4096)");
	assert_contains(text, "--deadline DUR      kill the sandbox after DUR (default the toy's own)");
	assert_contains(text, "a bare number is seconds");
	assert_null(strstr(text, "--quick             be quick (default"));
	free(text);
}

static void test_help_is_asked_for(void **state)
{
	struct fixture f;
	FILE *saved = stdout;

	(void)state;
	setup_fixture(&f);
	stdout = fopen("/dev/null", "w");
	assert_int_equal(PARSE(&f, "--count", "5", "--help"), 1);
	fclose(stdout);
	stdout = saved;
}

static void test_durations_print_in_their_unit(void **state)
{
	char buf[32];

	(void)state;
	rb_fmt_duration_ns(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	rb_fmt_duration_ns(buf, sizeof(buf), 100000);
	assert_string_equal(buf, "100us");
	rb_fmt_duration_ns(buf, sizeof(buf), 1500000000);
	assert_string_equal(buf, "1500ms");
	rb_fmt_duration_ns(buf, sizeof(buf), 20000000000LL);
	assert_string_equal(buf, "20s");
	rb_fmt_duration_ns(buf, sizeof(buf), 120000000000LL);
	assert_string_equal(buf, "2m");
	rb_fmt_duration_ns(buf, sizeof(buf), 1234);
	assert_string_equal(buf, "1234ns");
}

/* The record's options come from the same table: each option with a key,
 * typed (durations in seconds, a choice by name), none without one. */
static void test_the_record_options_come_from_the_table(void **state)
{
	struct fixture f;
	json_t *o = json_object();

	(void)state;
	setup_fixture(&f);
	assert_int_equal(PARSE(&f, "-n", "42", "--hold", "250ms", "--fresh", "--format", "md",
			       "--word", "a", "--json", "x.json"), 0);
	rb_cli_record(&toy_cli, &f.t, o);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 42);
	assert_int_equal(json_integer_value(json_object_get(o, "budget")), 0);
	assert_true(json_real_value(json_object_get(o, "hold_s")) == 0.25);
	assert_true(json_real_value(json_object_get(o, "rate")) == 50);
	assert_true(json_is_false(json_object_get(o, "quick")));
	assert_true(json_is_false(json_object_get(o, "persistent")));
	assert_string_equal(json_string_value(json_object_get(o, "format")), "md");
	assert_int_equal(json_integer_value(json_object_get(o, "words")), 1);
	assert_null(json_object_get(o, "json")); /* no key: not recorded */
	assert_int_equal(json_object_size(o), 8);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_reach_their_fields),
		cmocka_unit_test(test_defaults_stay_when_not_given),
		cmocka_unit_test(test_bad_input_is_one_error_naming_the_option),
		cmocka_unit_test(test_parsing_twice_starts_over),
		cmocka_unit_test(test_help_shows_every_option_and_its_default),
		cmocka_unit_test(test_help_is_asked_for),
		cmocka_unit_test(test_durations_print_in_their_unit),
		cmocka_unit_test(test_the_record_options_come_from_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
