/* Unit tests for harness/suites/options.c: rb_parse_long and rb_parse_duration. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#include "error.h"
#include "options.h"

#define MS 1000000LL
#define S  1000000000LL


/* ---- rb_parse_long --------------------------------------------------------- */

static long parse_long_ok(const char *s, long min, long max)
{
	struct rb_error err = { 0 };
	long v = -12345;

	if (rb_parse_long("--count", s, min, max, &v, &err) != 0)
		fail_msg("'%s' rejected: %s", s, err.msg);
	return v;
}

/* Asserts rejection as an input error naming --count; returns the message. */
static void parse_long_bad(const char *s, long min, long max, struct rb_error *err)
{
	long v = -12345;

	memset(err, 0, sizeof(*err));
	assert_int_equal(rb_parse_long("--count", s, min, max, &v, err), -1);
	assert_int_equal(err->kind, RB_ERR_INPUT);
	assert_int_equal(err->errnum, 0);
	assert_prefix(err->msg, "--count: ");
	assert_int_equal(v, -12345); /* the output is left alone */
}

static void test_long_valid(void **state)
{
	(void)state;
	assert_int_equal(parse_long_ok("42", 0, 100), 42);
	assert_int_equal(parse_long_ok("0", 0, 100), 0);
	assert_int_equal(parse_long_ok("-7", -10, 10), -7);
	assert_int_equal(parse_long_ok("007", 0, 100), 7); /* decimal, not octal */
	assert_int_equal(parse_long_ok("4194304", 1, 4194304), 4194304);
}

static void test_long_min_and_max_are_inclusive(void **state)
{
	(void)state;
	assert_int_equal(parse_long_ok("1", 1, 10), 1);
	assert_int_equal(parse_long_ok("10", 1, 10), 10);
	assert_int_equal(parse_long_ok("5", 5, 5), 5);
}

static void test_long_just_outside_range_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("0", 1, 10, &err);
	assert_string_equal(err.msg, "--count: 0 is out of range [1, 10]");
	parse_long_bad("11", 1, 10, &err);
	assert_string_equal(err.msg, "--count: 11 is out of range [1, 10]");
}

static void test_long_extremes_of_long(void **state)
{
	char buf[32];

	(void)state;
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	assert_true(parse_long_ok(buf, LONG_MIN, LONG_MAX) == LONG_MAX);
	snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	assert_true(parse_long_ok(buf, LONG_MIN, LONG_MAX) == LONG_MIN);
}

static void test_long_empty_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("", 0, 100, &err);
	assert_string_equal(err.msg, "--count: empty value");
	parse_long_bad(NULL, 0, 100, &err);
	assert_string_equal(err.msg, "--count: empty value");
}

static void test_long_trailing_garbage_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("12abc", 0, 100, &err);
	assert_string_equal(err.msg, "--count: '12abc' is not an integer");
	parse_long_bad("12 ", 0, 100, &err);
	assert_string_equal(err.msg, "--count: '12 ' is not an integer");
	parse_long_bad("1.5", 0, 100, &err);
	assert_string_equal(err.msg, "--count: '1.5' is not an integer");
	parse_long_bad("0x10", 0, 100, &err);
	assert_string_equal(err.msg, "--count: '0x10' is not an integer");
}

static void test_long_not_a_number_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("abc", 0, 100, &err);
	assert_string_equal(err.msg, "--count: 'abc' is not an integer");
	parse_long_bad("-", 0, 100, &err);
	assert_string_equal(err.msg, "--count: '-' is not an integer");
}

static void test_long_negative_below_zero_min_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("-1", 0, 100, &err);
	assert_string_equal(err.msg, "--count: -1 is out of range [0, 100]");
}

static void test_long_overflow_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	parse_long_bad("99999999999999999999", LONG_MIN, LONG_MAX, &err);
	assert_string_equal(err.msg, "--count: '99999999999999999999' is not an integer");
	parse_long_bad("-99999999999999999999", LONG_MIN, LONG_MAX, &err);
	assert_string_equal(err.msg, "--count: '-99999999999999999999' is not an integer");
}

/* ---- rb_parse_duration ----------------------------------------------------- */

static int64_t duration_ok(const char *s, int64_t min_ns, int64_t max_ns)
{
	struct rb_error err = { 0 };
	int64_t ns = -12345;

	if (rb_parse_duration("--deadline", s, min_ns, max_ns, &ns, &err) != 0)
		fail_msg("'%s' rejected: %s", s, err.msg);
	return ns;
}

static void duration_bad(const char *s, int64_t min_ns, int64_t max_ns, struct rb_error *err)
{
	int64_t ns = -12345;

	memset(err, 0, sizeof(*err));
	assert_int_equal(rb_parse_duration("--deadline", s, min_ns, max_ns, &ns, err), -1);
	assert_int_equal(err->kind, RB_ERR_INPUT);
	assert_int_equal(err->errnum, 0);
	assert_prefix(err->msg, "--deadline: ");
	assert_true(ns == -12345);
}

static void test_duration_units(void **state)
{
	(void)state;
	assert_true(duration_ok("500ms", 0, INT64_MAX / 2) == 500 * MS);
	assert_true(duration_ok("1.5s", 0, INT64_MAX / 2) == 1500 * MS);
	assert_true(duration_ok("2m", 0, INT64_MAX / 2) == 120 * S);
	assert_true(duration_ok("250us", 0, INT64_MAX / 2) == 250000);
	assert_true(duration_ok("750ns", 0, INT64_MAX / 2) == 750);
}

static void test_duration_plain_number_is_seconds(void **state)
{
	(void)state;
	assert_true(duration_ok("10", 0, INT64_MAX / 2) == 10 * S);
	assert_true(duration_ok("0.25", 0, INT64_MAX / 2) == 250 * MS);
	assert_true(duration_ok("0", 0, INT64_MAX / 2) == 0);
}

/* The harness's --deadline range: [10 ms, 24 h]. */
static void test_duration_bounds_inclusive(void **state)
{
	const int64_t min = 10 * MS, max = 24 * 3600 * S;

	(void)state;
	assert_true(duration_ok("10ms", min, max) == min);
	assert_true(duration_ok("1440m", min, max) == max);
	assert_true(duration_ok("86400", min, max) == max);
}

static void test_duration_out_of_range_rejected(void **state)
{
	const int64_t min = 10 * MS, max = 24 * 3600 * S;
	struct rb_error err;

	(void)state;
	duration_bad("9ms", min, max, &err);
	assert_string_equal(err.msg, "--deadline: 9ms is out of range [0.01s, 8.64e+04s]");
	duration_bad("1441m", min, max, &err);
	assert_string_equal(err.msg, "--deadline: 1441m is out of range [0.01s, 8.64e+04s]");
	duration_bad("1e300s", min, max, &err);
	assert_contains(err.msg, "out of range");
}

static void test_duration_empty_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	duration_bad("", 0, S, &err);
	assert_string_equal(err.msg, "--deadline: empty duration");
	duration_bad(NULL, 0, S, &err);
	assert_string_equal(err.msg, "--deadline: empty duration");
}

static void test_duration_negative_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	duration_bad("-1s", 0, 100 * S, &err);
	assert_string_equal(err.msg, "--deadline: '-1s' is not a duration (e.g. 500ms, 2s)");
	duration_bad("-0", 0, 100 * S, &err);
	assert_string_equal(err.msg, "--deadline: '-0' is not a duration (e.g. 500ms, 2s)");
}

static void test_duration_unknown_unit_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	duration_bad("5 parsecs", 0, 100 * S, &err);
	assert_string_equal(err.msg,
			    "--deadline: '5 parsecs' has an unknown unit (ns, us, ms, s, m)");
	duration_bad("5 s", 0, 100 * S, &err);
	assert_contains(err.msg, "unknown unit");
	duration_bad("5h", 0, 100 * S, &err);
	assert_contains(err.msg, "unknown unit");
	duration_bad("5S", 0, 100 * S, &err);
	assert_contains(err.msg, "unknown unit");
}

static void test_duration_nan_and_inf_rejected(void **state)
{
	static const char *const bad[] = { "nan", "NaN", "nans", "inf", "infinity", "infs", "1e400" };
	struct rb_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		duration_bad(bad[i], 0, INT64_MAX, &err);
		assert_contains(err.msg, "is not a duration");
		assert_contains(err.msg, bad[i]);
	}
}

static void test_duration_no_number_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	duration_bad("ms", 0, 100 * S, &err);
	assert_string_equal(err.msg, "--deadline: 'ms' is not a duration (e.g. 500ms, 2s)");
	duration_bad("s", 0, 100 * S, &err);
	assert_contains(err.msg, "is not a duration");
}

/* Decimal fractions are not exact in binary: "1.001ms" is 1001000 ns, not the
 * 1000999 that truncating 1.001 * 1e6 gives. */
static void test_duration_fraction_rounds_to_exact_ns(void **state)
{
	(void)state;
	assert_true(duration_ok("1.001ms", 0, 100 * S) == 1001000);
	assert_true(duration_ok("0.00013s", 0, 100 * S) == 130000);
	assert_true(duration_ok("4.01ms", 0, 100 * S) == 4010000);
}

/* With max_ns = INT64_MAX the double comparison lets 2^63 ns through and the
 * conversion to int64_t overflows: the result must be rejected or in range. */
static void test_duration_at_int64_max_does_not_wrap(void **state)
{
	struct rb_error err = { 0 };
	int64_t ns = 0;

	(void)state;
	if (rb_parse_duration("--deadline", "9223372036854775807ns", 0, INT64_MAX, &ns, &err) == 0)
		assert_true(ns >= 0);
	else
		assert_int_equal(err.kind, RB_ERR_INPUT);
}

static void test_parse_choice(void **state)
{
	static const char *const names[] = { "text", "md", "json" };
	struct rb_error err = { 0 };
	int i = -1;

	(void)state;
	assert_int_equal(rb_parse_choice("--format", "md", names, 3, &i, &err), 0);
	assert_int_equal(i, 1);
	assert_int_equal(rb_parse_choice("--format", "xml", names, 3, &i, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_string_equal(err.msg, "--format: 'xml' is not text, md or json");
	assert_int_equal(rb_parse_choice("--format", "", names, 2, &i, &err), -1);
	assert_string_equal(err.msg, "--format: '' is not text or md");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_choice),
		cmocka_unit_test(test_long_valid),
		cmocka_unit_test(test_long_min_and_max_are_inclusive),
		cmocka_unit_test(test_long_just_outside_range_rejected),
		cmocka_unit_test(test_long_extremes_of_long),
		cmocka_unit_test(test_long_empty_rejected),
		cmocka_unit_test(test_long_trailing_garbage_rejected),
		cmocka_unit_test(test_long_not_a_number_rejected),
		cmocka_unit_test(test_long_negative_below_zero_min_rejected),
		cmocka_unit_test(test_long_overflow_rejected),
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_plain_number_is_seconds),
		cmocka_unit_test(test_duration_bounds_inclusive),
		cmocka_unit_test(test_duration_out_of_range_rejected),
		cmocka_unit_test(test_duration_empty_rejected),
		cmocka_unit_test(test_duration_negative_rejected),
		cmocka_unit_test(test_duration_unknown_unit_rejected),
		cmocka_unit_test(test_duration_nan_and_inf_rejected),
		cmocka_unit_test(test_duration_no_number_rejected),
		cmocka_unit_test(test_duration_fraction_rounds_to_exact_ns),
		cmocka_unit_test(test_duration_at_int64_max_does_not_wrap),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
