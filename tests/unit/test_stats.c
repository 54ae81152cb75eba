/* Unit tests for harness/common/stats.c: percentiles, summaries, histograms.
 * Expected values are worked out by hand (and agree with numpy's default
 * percentile, which is the same type-7 interpolation). */
#include <math.h>
#include <stdio.h>

#include "helpers.h"
#include "stats.h"

#define assert_near(got, want)                                                            \
	do {                                                                              \
		double g_ = (got), w_ = (want);                                           \
		if (!(fabs(g_ - w_) <= 1e-9 * (1 + fabs(w_))))                            \
			fail_msg("%s = %.12g, want %.12g", #got, g_, w_);                 \
	} while (0)

static void test_sort(void **state)
{
	double v[] = { 3, -1, 2.5, 0, 2.5, 100, -7 };
	const double want[] = { -7, -1, 0, 2.5, 2.5, 3, 100 };

	(void)state;
	rb_sort_doubles(v, 7);
	for (int i = 0; i < 7; i++)
		assert_near(v[i], want[i]);
	rb_sort_doubles(v, 0); /* no-op, no crash */
	rb_sort_doubles(v, 1);
}

static void test_percentile_one_value(void **state)
{
	const double v[] = { 42 };

	(void)state;
	assert_near(rb_percentile_sorted(v, 1, 0), 42);
	assert_near(rb_percentile_sorted(v, 1, 50), 42);
	assert_near(rb_percentile_sorted(v, 1, 99.9), 42);
	assert_near(rb_percentile_sorted(v, 1, 100), 42);
}

static void test_percentile_interpolates(void **state)
{
	/* 1..10: h = 9 p / 100; p50 -> 5.5, p90 -> 9.1, p99 -> 9.91, p99.9 -> 9.991 */
	double v[10];

	(void)state;
	for (int i = 0; i < 10; i++)
		v[i] = i + 1;
	assert_near(rb_percentile_sorted(v, 10, 0), 1);
	assert_near(rb_percentile_sorted(v, 10, 50), 5.5);
	assert_near(rb_percentile_sorted(v, 10, 90), 9.1);
	assert_near(rb_percentile_sorted(v, 10, 99), 9.91);
	assert_near(rb_percentile_sorted(v, 10, 99.9), 9.991);
	assert_near(rb_percentile_sorted(v, 10, 100), 10);
	assert_near(rb_percentile_sorted(v, 10, 25), 3.25);
}

static void test_percentile_odd_count_median_is_middle(void **state)
{
	const double v[] = { 1, 2, 10 };

	(void)state;
	assert_near(rb_percentile_sorted(v, 3, 50), 2);
	assert_near(rb_percentile_sorted(v, 3, 75), 6); /* h = 1.5: halfway 2..10 */
}

static void test_percentile_out_of_range_clamps(void **state)
{
	const double v[] = { 1, 2, 3 };

	(void)state;
	assert_near(rb_percentile_sorted(v, 3, -5), 1);
	assert_near(rb_percentile_sorted(v, 3, 250), 3);
}

static void test_percentile_ties(void **state)
{
	const double v[] = { 0, 0, 0, 0, 5 };

	(void)state;
	assert_near(rb_percentile_sorted(v, 5, 50), 0);
	assert_near(rb_percentile_sorted(v, 5, 90), 3); /* h = 3.6: 0 + 0.6 * 5 */
}

static void test_summary_empty(void **state)
{
	struct rb_summary s;

	(void)state;
	assert_int_equal(rb_summarize(NULL, 0, &s), -1);
	assert_int_equal(s.n, 0);
	assert_false(s.has_cv);
}

static void test_summary_one_run_has_no_cv(void **state)
{
	const double v[] = { 7.5 };
	struct rb_summary s;

	(void)state;
	assert_int_equal(rb_summarize(v, 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_near(s.min, 7.5);
	assert_near(s.max, 7.5);
	assert_near(s.median, 7.5);
	assert_near(s.mean, 7.5);
	assert_near(s.stddev, 0);
	assert_false(s.has_cv);
}

static void test_summary_known_values(void **state)
{
	/* mean 5; deviations -3 -1 -1 -1 0 0 2 4: squares 9+1+1+1+0+0+4+16 = 32;
	 * sample variance 32/7; CV = sqrt(32/7) / 5 */
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	double copy[8];
	struct rb_summary s;

	(void)state;
	memcpy(copy, v, sizeof(v));
	assert_int_equal(rb_summarize(copy, 8, &s), 0);
	assert_memory_equal(copy, v, sizeof(v)); /* not reordered */
	assert_int_equal(s.n, 8);
	assert_near(s.min, 2);
	assert_near(s.max, 9);
	assert_near(s.mean, 5);
	assert_near(s.median, 4.5);
	assert_near(s.stddev, sqrt(32.0 / 7));
	assert_true(s.has_cv);
	assert_near(s.cv, sqrt(32.0 / 7) / 5);
}

static void test_summary_unsorted_input(void **state)
{
	const double v[] = { 9, 1, 5 };
	struct rb_summary s;

	(void)state;
	assert_int_equal(rb_summarize(v, 3, &s), 0);
	assert_near(s.min, 1);
	assert_near(s.max, 9);
	assert_near(s.median, 5);
}

static void test_summary_zero_mean_has_no_cv(void **state)
{
	const double v[] = { -1, 1 };
	struct rb_summary s;

	(void)state;
	assert_int_equal(rb_summarize(v, 2, &s), 0);
	assert_near(s.mean, 0);
	assert_false(s.has_cv);
}

static void test_summary_negative_mean_cv_positive(void **state)
{
	const double v[] = { -2, -4 };
	struct rb_summary s;

	(void)state;
	assert_int_equal(rb_summarize(v, 2, &s), 0);
	assert_true(s.has_cv);
	assert_near(s.cv, sqrt(2.0) / 3); /* stddev sqrt(2), |mean| 3 */
}

static void test_histogram_bins(void **state)
{
	/* unit 1: bin 0 [0,1), 1 [1,2), 2 [2,4), 3 [4,8), 4 [8,16) */
	const double v[] = { 0, 0.5, -3, 1, 1.999, 2, 3.5, 4, 7.99, 8, 15 };
	struct rb_histogram h;

	(void)state;
	rb_histogram_log2(v, sizeof(v) / sizeof(v[0]), 1.0, &h);
	assert_int_equal(h.total, 11);
	assert_int_equal(h.count[0], 3);
	assert_int_equal(h.count[1], 2);
	assert_int_equal(h.count[2], 2);
	assert_int_equal(h.count[3], 2);
	assert_int_equal(h.count[4], 2);
	for (int k = 5; k < RB_HIST_BINS; k++)
		assert_int_equal(h.count[k], 0);
	assert_near(rb_histogram_lower(&h, 0), 0);
	assert_near(rb_histogram_lower(&h, 1), 1);
	assert_near(rb_histogram_lower(&h, 4), 8);
}

static void test_histogram_unit_and_overflow(void **state)
{
	/* unit 10: 25 is 2.5 units -> bin 2 [20, 40); huge and inf -> the last bin */
	const double v[] = { 25, 1e300, INFINITY, 9.99 };
	struct rb_histogram h;

	(void)state;
	rb_histogram_log2(v, 4, 10.0, &h);
	assert_int_equal(h.count[2], 1);
	assert_int_equal(h.count[RB_HIST_BINS - 1], 2);
	assert_int_equal(h.count[0], 1);
	assert_near(rb_histogram_lower(&h, 2), 20);
	assert_near(rb_histogram_lower(&h, 3), 40);
}

static void test_histogram_empty(void **state)
{
	struct rb_histogram h;

	(void)state;
	rb_histogram_log2(NULL, 0, 1.0, &h);
	assert_int_equal(h.total, 0);
	for (int k = 0; k < RB_HIST_BINS; k++)
		assert_int_equal(h.count[k], 0);
}

static void test_best_beyond_spread(void **state)
{
	/* lower is better: 1 leads 3 beyond the spread */
	struct rb_spread s[] = { { 3, 2.5, 4, true }, { 1, 0.5, 2, true }, { 9, 8, 10, true } };

	(void)state;
	assert_int_equal(rb_best_beyond_spread(s, 3, -1), 1);
	assert_int_equal(rb_best_beyond_spread(s, 3, +1), 2);
	/* control: the best's worst run (2.6) overlaps the runner-up's best (2.5) */
	s[1].max = 2.6;
	assert_int_equal(rb_best_beyond_spread(s, 3, -1), -1);
	/* left out: a figure that is not ok does not count */
	s[0].ok = false;
	assert_int_equal(rb_best_beyond_spread(s, 3, -1), 1);
	/* a tie is no lead */
	struct rb_spread tie[] = { { 1003, 1003, 1003, true }, { 1003, 1003, 1003, true } };
	assert_int_equal(rb_best_beyond_spread(tie, 2, -1), -1);
	/* one alone leads nothing */
	assert_int_equal(rb_best_beyond_spread(tie, 1, -1), -1);
}

static void test_bimodal(void **state)
{
	const double two[] = { 0.0001, 0.0001, 8, 9, 12 };   /* two groups */
	const double spread[] = { 4, 6, 8, 10, 12 };          /* wide, even: CV 37 % */
	const double wide[] = { 1, 3.5, 6, 8.5, 11 };          /* CV 63 %, gaps 2.5 of 10 */
	const double three[] = { 0.0001, 8, 12 };             /* too few runs */

	(void)state;
	assert_true(rb_bimodal(two, 5));
	assert_false(rb_bimodal(spread, 5));
	assert_false(rb_bimodal(wide, 5));
	assert_false(rb_bimodal(three, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_percentile_one_value),
		cmocka_unit_test(test_percentile_interpolates),
		cmocka_unit_test(test_percentile_odd_count_median_is_middle),
		cmocka_unit_test(test_percentile_out_of_range_clamps),
		cmocka_unit_test(test_percentile_ties),
		cmocka_unit_test(test_summary_empty),
		cmocka_unit_test(test_summary_one_run_has_no_cv),
		cmocka_unit_test(test_summary_known_values),
		cmocka_unit_test(test_summary_unsorted_input),
		cmocka_unit_test(test_summary_zero_mean_has_no_cv),
		cmocka_unit_test(test_summary_negative_mean_cv_positive),
		cmocka_unit_test(test_histogram_bins),
		cmocka_unit_test(test_histogram_unit_and_overflow),
		cmocka_unit_test(test_histogram_empty),
		cmocka_unit_test(test_best_beyond_spread),
		cmocka_unit_test(test_bimodal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
