/* bench/storm_args.c: the storm's options written as rb-payload's words and
 * read back give the same options (every field, the units converted once),
 * --spawners only above 1, and bad values named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "storm_args.h"

static int parse_all(char **w, int n, struct storm_opts *o, char *why, size_t len)
{
	for (int i = 0; i < n; i++) {
		int rc = storm_args_parse(n, w, &i, o, why, len);

		if (rc <= 0)
			return rc < 0 ? -1 : -2;
	}
	return 0;
}

static void test_round_trip(void **state)
{
	struct storm_opts in = { .count = 1234, .method = RB_SPAWN_VFORK, .branch = 3, .depth = 7,
				 .threads = 5, .rate = 2500.5, .hold_ns = 250 * 1000000LL,
				 .wait_ns = 3000 * 1000000LL, .resolution_ns = 50 * 1000LL,
				 .no_monitor = true, .spawners = 2 };
	struct storm_opts out = { 0 };
	char store[STORM_ARGS_MAX_WORDS][32], *w[STORM_ARGS_MAX_WORDS + 1], why[160];
	int n = 0;

	(void)state;
	storm_args_words(&in, w, &n, store);
	assert_true(n <= STORM_ARGS_MAX_WORDS);
	assert_int_equal(parse_all(w, n, &out, why, sizeof(why)), 0);
	assert_int_equal(out.count, 1234);
	assert_int_equal(out.method, RB_SPAWN_VFORK);
	assert_int_equal(out.branch, 3);
	assert_int_equal(out.depth, 7);
	assert_int_equal(out.threads, 5);
	assert_true(out.rate == 2500.5);
	assert_int_equal(out.hold_ns, 250 * 1000000LL);
	assert_int_equal(out.wait_ns, 3000 * 1000000LL);
	assert_int_equal(out.resolution_ns, 50 * 1000LL);
	assert_true(out.no_monitor);
	assert_int_equal(out.spawners, 2);
}

static void test_one_spawner_not_written(void **state)
{
	struct storm_opts in = { .count = 10, .rate = 1, .spawners = 1 };
	char store[STORM_ARGS_MAX_WORDS][32], *w[STORM_ARGS_MAX_WORDS + 1];
	int n = 0;

	(void)state;
	storm_args_words(&in, w, &n, store);
	for (int i = 0; i < n; i++) {
		assert_string_not_equal(w[i], "--spawners");
		assert_string_not_equal(w[i], "--no-monitor");
	}
}

static void test_bad_values(void **state)
{
	struct storm_opts o = { 0 };
	char why[160];
	char *count[] = { "--count", "12x" }, *rate[] = { "--rate=0" }, *method[] = { "--method", "spoon" },
	     *missing[] = { "--depth" }, *flag[] = { "--no-monitor=1" }, *other[] = { "--nope", "1" },
	     *eq[] = { "--hold-ms=20" };
	int i;

	(void)state;
	i = 0;
	assert_int_equal(storm_args_parse(2, count, &i, &o, why, sizeof(why)), -1);
	assert_string_equal(why, "--count: expected a whole number 0..1048576, got '12x'");
	i = 0;
	assert_int_equal(storm_args_parse(1, rate, &i, &o, why, sizeof(why)), -1);
	i = 0;
	assert_int_equal(storm_args_parse(2, method, &i, &o, why, sizeof(why)), -1);
	i = 0;
	assert_int_equal(storm_args_parse(1, missing, &i, &o, why, sizeof(why)), -1);
	assert_string_equal(why, "--depth needs a value");
	i = 0;
	assert_int_equal(storm_args_parse(1, flag, &i, &o, why, sizeof(why)), -1);
	i = 0;
	assert_int_equal(storm_args_parse(2, other, &i, &o, why, sizeof(why)), 0);
	i = 0;
	assert_int_equal(storm_args_parse(1, eq, &i, &o, why, sizeof(why)), 1);
	assert_int_equal(o.hold_ns, 20 * 1000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_one_spawner_not_written),
		cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
