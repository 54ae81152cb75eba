/* Unit tests for harness/report/paired.c: the Wilcoxon signed-rank test
 * (exact p-values checked against enumerating every sign assignment; the
 * normal approximation with ties against a hand computation) and the
 * paired comparison on canned pairs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "paired.h"

static void test_wilcoxon_exact(void **state)
{
	const double a[] = { 1.5, -0.2, 3.1, 2.2, 0.9, 1.1, -0.4, 2.8 };
	const double b[] = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
	const double c[] = { 1, -2, 3, -4, 5, -6 };
	double neg[10];

	(void)state;
	assert_float_equal(rb_wilcoxon_p(a, 8), 0.0390625, 1e-12);
	assert_float_equal(rb_wilcoxon_p(b, 10), 0.001953125, 1e-12);
	assert_float_equal(rb_wilcoxon_p(c, 6), 0.84375, 1e-12);
	for (int i = 0; i < 10; i++) /* two-sided: the sign does not matter */
		neg[i] = -b[i];
	assert_float_equal(rb_wilcoxon_p(neg, 10), 0.001953125, 1e-12);
}

static void test_wilcoxon_ties_and_zeros(void **state)
{
	const double ties[] = { 1, 1, 1, 1, -1, 2, 2, 2, 2, 2, 3, 3 };
	const double zeros[] = { 0, 0, 0 };
	const double some_zero[] = { 0, 1.5, -0.2, 3.1, 2.2, 0, 0.9, 1.1, -0.4, 2.8 };

	(void)state;
	assert_float_equal(rb_wilcoxon_p(ties, 12), 0.004657261502670865, 1e-9);
	assert_float_equal(rb_wilcoxon_p(zeros, 3), 1, 0);
	assert_float_equal(rb_wilcoxon_p(NULL, 0), 1, 0);
	/* zeros are dropped: the same as without them */
	assert_float_equal(rb_wilcoxon_p(some_zero, 10), 0.0390625, 1e-12);
}

static void test_paired_slower_by_ten_percent(void **state)
{
	const double base[] = { 10, 20, 15, 30, 12, 18, 25, 11 };
	double new_[8];
	struct rb_paired p;

	(void)state;
	/* what slowed the machine slowed both: the pairs differ by 10 % while
	 * the runs spread 3-fold */
	for (int i = 0; i < 8; i++)
		new_[i] = base[i] * 1.1;
	assert_int_equal(rb_paired_compare(base, new_, 8, 2000, 1, &p), 0);
	assert_int_equal(p.n, 8);
	assert_float_equal(p.ci.ratio, 1.1, 1e-9);
	assert_float_equal(p.ci.lo, 1.1, 1e-9);
	assert_float_equal(p.ci.hi, 1.1, 1e-9);
	assert_float_equal(p.p, 0.005962078532093712, 1e-9); /* all tied: the normal approximation */
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_REGRESSES);
	assert_int_equal(rb_paired_decide(&p, -1, 10), RB_CMP_SAME); /* 1.1 is not past 1.1 */
	assert_int_equal(rb_paired_decide(&p, +1, 5), RB_CMP_IMPROVES);
}

static void test_paired_noise_is_not_a_change(void **state)
{
	const double base[] = { 10, 20, 15, 30, 12, 18, 25, 11, 14, 22 };
	const double new_[] = { 10.5, 19, 15.2, 29, 12.9, 17.1, 25.5, 10.4, 14.3, 21.6 };
	struct rb_paired p;

	(void)state;
	assert_int_equal(rb_paired_compare(base, new_, 10, 2000, 1, &p), 0);
	assert_true(p.ci.lo < 1 && p.ci.hi > 1);
	assert_true(p.p > 0.05);
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_SAME);
	assert_int_equal(rb_paired_compare(base, new_, 0, 2000, 1, &p), -1);
}

static void test_paired_from_zero(void **state)
{
	const double base[] = { 0, 0, 0, 0, 0, 0 };
	const double new_[] = { 3, 4, 2, 5, 3, 4 };
	struct rb_paired p;

	(void)state;
	assert_int_equal(rb_paired_compare(base, new_, 6, 500, 1, &p), 0);
	assert_true(isinf(p.ci.ratio) && p.ci.ratio > 0);
	/* every pair up, all tied at +inf: the normal approximation */
	assert_float_equal(p.p, 0.019656157250169896, 1e-9);
}

/* Each condition alone is not enough. */
static void test_paired_decide(void **state)
{
	struct rb_paired p = { .ci = { 1.12, 1.03, 1.20 }, .p = 0.01, .n = 30 };

	(void)state;
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_REGRESSES);
	p.p = 0.06; /* not significant */
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_SAME);
	p.p = 0.01;
	p.ci.lo = 0.99; /* the interval reaches 1 */
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_SAME);
	p.ci = (struct rb_ratio_ci){ 1.04, 1.01, 1.08 }; /* significant, too small to matter */
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_SAME);
	p.ci = (struct rb_ratio_ci){ 0.88, 0.80, 0.97 };
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_IMPROVES);
	assert_int_equal(rb_paired_decide(&p, +1, 5), RB_CMP_REGRESSES);
	p.n = 0;
	assert_int_equal(rb_paired_decide(&p, -1, 5), RB_CMP_SAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wilcoxon_exact),
		cmocka_unit_test(test_wilcoxon_ties_and_zeros),
		cmocka_unit_test(test_paired_slower_by_ten_percent),
		cmocka_unit_test(test_paired_noise_is_not_a_change),
		cmocka_unit_test(test_paired_from_zero),
		cmocka_unit_test(test_paired_decide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
