/* Unit tests for harness/report/compare.c: Mann-Whitney U p-values on small known
 * cases, the seeded bootstrap interval of a ratio of medians, the verdict. */
#include <math.h>
#include <stdio.h>

#include "compare.h"
#include "helpers.h"

#define assert_near(got, want, tol)                                                       \
	do {                                                                              \
		double g_ = (got), w_ = (want);                                           \
		if (!(fabs(g_ - w_) <= (tol)))                                            \
			fail_msg("%s = %.12g, want %.12g", #got, g_, w_);                 \
	} while (0)

static void test_splitmix64_reference(void **state)
{
	uint64_t s = 0;

	(void)state;
	/* the reference splitmix64.c from seed 0 */
	assert_true(rb_splitmix64(&s) == 0xe220a8397b1dcdafULL);
	assert_true(rb_splitmix64(&s) == 0x6e789e6aa1b965f4ULL);
}

static void test_mw_identical(void **state)
{
	const double a[] = { 1, 2, 3, 4, 5 };
	const double same[] = { 7, 7, 7, 7, 7, 7 };

	(void)state;
	assert_near(rb_mann_whitney_p(a, 5, a, 5), 1, 1e-12);
	assert_near(rb_mann_whitney_p(same, 3, same + 3, 3), 1, 1e-12);
}

static void test_mw_separated_exact(void **state)
{
	double a[8], b[8];

	(void)state;
	for (int i = 0; i < 8; i++) {
		a[i] = i + 1;
		b[i] = i + 101;
	}
	/* exact: 2 / C(16, 8) = 2 / 12870 */
	assert_near(rb_mann_whitney_p(a, 8, b, 8), 2.0 / 12870, 1e-12);
	assert_near(rb_mann_whitney_p(b, 8, a, 8), 2.0 / 12870, 1e-12);
	assert_true(rb_mann_whitney_p(a, 8, b, 8) < 0.001);
	/* 5 vs 5: 2 / C(10, 5) = 2 / 252 */
	assert_near(rb_mann_whitney_p(a, 5, b, 5), 2.0 / 252, 1e-12);
	/* 3 vs 3: the smallest p is 0.1, never significant */
	assert_near(rb_mann_whitney_p(a, 3, b, 3), 0.1, 1e-12);
}

static void test_mw_exact_known(void **state)
{
	/* a = {1, 3}, b = {2, 4}: U(a > b) = 1; of C(4,2) = 6 arrangements U is
	 * 0,1,2,2,3,4 -> P(U <= 1) = 2/6, two-sided 4/6 */
	const double a[] = { 1, 3 }, b[] = { 2, 4 };

	(void)state;
	assert_near(rb_mann_whitney_p(a, 2, b, 2), 4.0 / 6, 1e-12);
}

static void test_mw_ties_normal(void **state)
{
	/* fully separated with ties: normal approximation with tie and continuity
	 * corrections. U = 0, mu = 32, sigma^2 = 64/12 * (17 - 2*(64-4)... ) */
	const double a[] = { 1, 1, 2, 2, 3, 3, 4, 4 }, b[] = { 9, 9, 10, 10, 11, 11, 12, 12 };
	double tie = 8 * 6.0 / (16 * 15), sigma = sqrt(64.0 / 12 * (17 - tie));
	double z = (32 - 0.5) / sigma;

	(void)state;
	assert_near(rb_mann_whitney_p(a, 8, b, 8), erfc(z / sqrt(2)), 1e-12);
	assert_true(rb_mann_whitney_p(a, 8, b, 8) < 0.001);
	/* large, no ties: normal approximation too; a small shift is not significant */
	double x[30], y[30];
	for (int i = 0; i < 30; i++) {
		x[i] = i;
		y[i] = i + 0.5;
	}
	assert_true(rb_mann_whitney_p(x, 30, y, 30) > 0.5);
}

static void test_bootstrap_reproducible(void **state)
{
	const double base[] = { 10, 11, 9, 10.5, 9.5, 10.2, 9.8 };
	const double new_[] = { 15, 16.5, 13.5, 15.75, 14.25, 15.3, 14.7 }; /* x1.5 */
	struct rb_ratio_ci a, b, c;

	(void)state;
	assert_int_equal(rb_bootstrap_ratio(base, 7, new_, 7, 2000, 42, &a), 0);
	assert_int_equal(rb_bootstrap_ratio(base, 7, new_, 7, 2000, 42, &b), 0);
	assert_true(memcmp(&a, &b, sizeof(a)) == 0);
	assert_near(a.ratio, 1.5, 1e-12);
	assert_true(a.lo <= 1.5 && 1.5 <= a.hi);
	assert_true(a.lo > 1.3 && a.hi < 1.7);
	/* another seed: another interval, same ratio */
	assert_int_equal(rb_bootstrap_ratio(base, 7, new_, 7, 2000, 43, &c), 0);
	assert_near(c.ratio, 1.5, 1e-12);
	assert_true(c.lo != a.lo || c.hi != a.hi);
	assert_int_equal(rb_bootstrap_ratio(base, 0, new_, 7, 2000, 42, &c), -1);
}

static void test_bootstrap_zero_base(void **state)
{
	const double zeros[] = { 0, 0, 0, 0, 0 };
	struct rb_ratio_ci ci;

	(void)state;
	assert_int_equal(rb_bootstrap_ratio(zeros, 5, zeros, 5, 500, 1, &ci), 0);
	assert_near(ci.ratio, 1, 0);
	assert_near(ci.lo, 1, 0);
	assert_near(ci.hi, 1, 0);
	assert_true(isinf(rb_ratio(3, 0)));
}

static void test_trim_worst(void **state)
{
	double lo[] = { 5, 1, 4, 2, 3, 6 }, hi[] = { 5, 1, 4, 2, 3, 6 }, one[] = { 7 };

	(void)state;
	/* lower is better: the highest half goes */
	assert_int_equal(rb_trim_worst(lo, 6, -1, 50), 3);
	assert_near(lo[0], 1, 0);
	assert_near(lo[2], 3, 0);
	/* higher is better: the lowest half goes, the kept ones come first */
	assert_int_equal(rb_trim_worst(hi, 6, +1, 50), 3);
	assert_near(hi[0], 4, 0);
	assert_near(hi[2], 6, 0);
	/* nothing to drop, and never the last one */
	assert_int_equal(rb_trim_worst(lo, 6, -1, 0), 6);
	assert_int_equal(rb_trim_worst(one, 1, -1, 90), 1);
	assert_int_equal(rb_trim_worst(lo, 6, -1, 99), 1);
	assert_near(lo[0], 1, 0);
}

static void test_verdict(void **state)
{
	(void)state;
	/* lower is better, 10%: the whole interval above 1.1 and p small */
	assert_int_equal(rb_cmp_decide(1.3, 1.7, 0.001, -1, 10), RB_CMP_REGRESSES);
	/* straddling the threshold: same */
	assert_int_equal(rb_cmp_decide(1.05, 1.7, 0.001, -1, 10), RB_CMP_SAME);
	/* beyond but p not small: same */
	assert_int_equal(rb_cmp_decide(1.3, 1.7, 0.2, -1, 10), RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide(1.3, 1.7, 0.05, -1, 10), RB_CMP_SAME);
	/* the good direction */
	assert_int_equal(rb_cmp_decide(0.5, 0.8, 0.01, -1, 10), RB_CMP_IMPROVES);
	/* higher is better: mirrored */
	assert_int_equal(rb_cmp_decide(0.5, 0.8, 0.01, +1, 10), RB_CMP_REGRESSES);
	assert_int_equal(rb_cmp_decide(1.3, 1.7, 0.01, +1, 10), RB_CMP_IMPROVES);
	assert_int_equal(rb_cmp_decide(0.95, 1.05, 0.01, +1, 10), RB_CMP_SAME);
	/* a larger threshold swallows it */
	assert_int_equal(rb_cmp_decide(1.3, 1.7, 0.001, -1, 50), RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide(1.3, INFINITY, 0.001, -1, 10), RB_CMP_REGRESSES);
	assert_string_equal(rb_cmp_verdict_name(RB_CMP_REGRESSES), "REGRESSES");
}

/* Should-be-zero counts: a defect shows, chance does not. */
static void test_decide_count(void **state)
{
	const double zero[] = { 0, 0, 0 }, one_merge[] = { 0, 1, 0 }, two[] = { 1, 2, 1 },
		     dropped[] = { 100, 100, 100 }, noisy_base[] = { 0, 2, 0 };

	(void)state;
	assert_int_equal(rb_cmp_decide_count(zero, 3, zero, 3, 2), RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide_count(zero, 3, one_merge, 3, 2), RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide_count(zero, 3, two, 3, 2), RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide_count(zero, 3, dropped, 3, 2), RB_CMP_REGRESSES);
	assert_int_equal(rb_cmp_decide_count(dropped, 3, zero, 3, 2), RB_CMP_IMPROVES);
	/* the median, not one bad run: one run of 100 among zeros is chance */
	assert_int_equal(rb_cmp_decide_count(zero, 3, (const double[]){ 0, 100, 0 }, 3, 2),
			 RB_CMP_SAME);
	/* beyond the most the baseline ever saw, by more than the slack */
	assert_int_equal(rb_cmp_decide_count(noisy_base, 3, (const double[]){ 4, 4, 4 }, 3, 2),
			 RB_CMP_SAME);
	assert_int_equal(rb_cmp_decide_count(noisy_base, 3, (const double[]){ 5, 5, 5 }, 3, 2),
			 RB_CMP_REGRESSES);
	assert_int_equal(rb_cmp_decide_count(zero, 0, dropped, 3, 2), RB_CMP_SAME);
}

/* Racy cells: a single flip is chance, a collapse of the rate is not. */
static void test_fisher(void **state)
{
	(void)state;
	assert_true(fabs(rb_fisher_fewer_p(1, 1, 0, 1) - 0.5) < 1e-12);
	assert_true(fabs(rb_fisher_fewer_p(1, 1, 1, 1) - 1.0) < 1e-12);
	/* 18/20 vs 5/20: p = sum_{x<=5} C(23,x) C(17,20-x) / C(40,20), tiny */
	assert_true(rb_fisher_fewer_p(18, 20, 5, 20) < 1e-4);
	/* 16/20 vs 14/20 is within chance */
	assert_true(rb_fisher_fewer_p(16, 20, 14, 20) > 0.2);
	/* 3 of 3 vs 0 of 3: C(3,0)C(3,3)/C(6,3) = 1/20 */
	assert_true(fabs(rb_fisher_fewer_p(3, 3, 0, 3) - 0.05) < 1e-12);
	assert_true(rb_fisher_fewer_p(0, 0, 0, 1) == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_count),
		cmocka_unit_test(test_fisher),
		cmocka_unit_test(test_splitmix64_reference),
		cmocka_unit_test(test_mw_identical),
		cmocka_unit_test(test_mw_separated_exact),
		cmocka_unit_test(test_mw_exact_known),
		cmocka_unit_test(test_mw_ties_normal),
		cmocka_unit_test(test_bootstrap_reproducible),
		cmocka_unit_test(test_bootstrap_zero_base),
		cmocka_unit_test(test_trim_worst),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
