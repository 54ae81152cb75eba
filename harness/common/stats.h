/* Order statistics and spread for benchmark figures: percentiles of raw
 * samples, the median/min/max/CV of one figure over repeated runs, and a
 * log2 histogram. Pure computation (no I/O), unit-tested in
 * tests/unit/test_stats.c. */
#ifndef REAPBENCH_STATS_H
#define REAPBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* Sorts V ascending (NaNs are not allowed). */
void rb_sort_doubles(double *v, size_t n);

/* The P-th percentile (0 <= P <= 100) of SORTED (ascending, N > 0), by
 * linear interpolation between the closest ranks (Hyndman & Fan type 7, as
 * numpy and R default): P 0 is the minimum, 100 the maximum, 50 the median. */
double rb_percentile_sorted(const double *sorted, size_t n, double p);

/* One figure over N runs. */
struct rb_summary {
	size_t n;
	double min, max, mean, median;
	double stddev; /* sample standard deviation (n - 1); 0 when n < 2 */
	double cv;     /* stddev / |mean|; valid only when has_cv */
	bool has_cv;   /* n >= 2 and mean != 0 */
};

/* Summarise V (N values, any order; V is not changed). Returns 0, or -1 if
 * N is 0 (OUT is zeroed). */
int rb_summarize(const double *v, size_t n, struct rb_summary *out);

/* The best of N figures (BETTER -1: lowest, +1: highest), each a median
 * with its runs' MIN and MAX: its index only when it leads beyond the
 * spread (its worst run beats every other's best run), else -1. A lead the
 * runs overlap is noise, a tie is no lead, and one figure alone leads
 * nothing. Figures with OK false are left out. */
struct rb_spread {
	double median, min, max;
	bool ok;
};
int rb_best_beyond_spread(const struct rb_spread *s, size_t n, int better);

/* Whether the N runs V fall into two groups far apart: at least 4 runs, a
 * CV above 50 %, and a gap between two neighbouring sorted values wider than
 * half the range (e.g. <0.1, 0.1, 8, 9, 12 ms: PID 1 kept up in two runs,
 * not in three). */
bool rb_bimodal(const double *v, size_t n);

/* A histogram with power-of-two bins: bin 0 holds [0, UNIT), bin k >= 1
 * holds [UNIT * 2^(k-1), UNIT * 2^k), the last bin everything above.
 * Negative values count in bin 0. */
#define RB_HIST_BINS 32
struct rb_histogram {
	double unit;
	size_t count[RB_HIST_BINS];
	size_t total;
};

void rb_histogram_log2(const double *v, size_t n, double unit, struct rb_histogram *h);
/* Lower edge of bin K (0 for bin 0). */
double rb_histogram_lower(const struct rb_histogram *h, int k);

#endif
