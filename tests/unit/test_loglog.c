/* Unit tests for harness/report/loglog.c: exponents known by construction. */
#include <math.h>

#include "helpers.h"
#include "loglog.h"

static void test_constant_cost(void **state)
{
	double x[] = { 1000, 1000, 3000, 3000, 10000, 10000 };
	double y[] = { 5.0, 5.2, 4.9, 5.1, 5.0, 5.05 };
	struct rb_loglog f;

	(void)state;
	assert_int_equal(rb_loglog_fit(x, y, 6, 1, &f), 0);
	assert_true(fabs(f.slope) < 0.02);
	assert_true(f.lo <= f.slope && f.slope <= f.hi);
	assert_true(f.lo > -0.05 && f.hi < 0.05);
}

static void test_linear_cost(void **state)
{
	/* per-reap cost proportional to N (a reaper that rescans every process) */
	double x[] = { 1000, 1000, 3000, 3000, 10000, 10000, 30000 };
	double y[7];
	struct rb_loglog f;

	(void)state;
	for (int i = 0; i < 7; i++)
		y[i] = 0.002 * x[i] * (i % 2 ? 1.05 : 0.95);
	assert_int_equal(rb_loglog_fit(x, y, 7, 1, &f), 0);
	assert_true(fabs(f.slope - 1) < 0.05);
	assert_true(f.lo > 0.8);
	assert_int_equal(f.n, 7);
}

static void test_too_little(void **state)
{
	double x[] = { 1000, 1000, 1000, 0 }, y[] = { 1, 2, 3, 4 };
	struct rb_loglog f;

	(void)state;
	assert_int_equal(rb_loglog_fit(x, y, 4, 1, &f), -1);   /* one size only */
	assert_int_equal(rb_loglog_fit(x, y, 2, 1, &f), -1);   /* two points */
	assert_int_equal(rb_loglog_fit(NULL, NULL, 0, 1, &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_cost),
		cmocka_unit_test(test_linear_cost),
		cmocka_unit_test(test_too_little),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
