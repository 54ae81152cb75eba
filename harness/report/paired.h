/* Paired comparison of two versions measured side by side (reapbench gate):
 * run k of BASE and run k of NEW ran next to each other, so each pair's
 * ratio NEW/BASE cancels what slowed the machine for a while. The verdict
 * comes from the ratios: their median with a seeded bootstrap interval
 * (resampling pairs; nearest-rank percentiles), and the Wilcoxon signed-rank test of their logs
 * against 0. Pure computation; unit-tested in tests/unit/test_paired.c. */
#ifndef REAPBENCH_PAIRED_H
#define REAPBENCH_PAIRED_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"

/* Two-sided Wilcoxon signed-rank test of D[0..N) against 0: the p-value.
 * Zeros are dropped (Wilcoxon's convention); none left: 1. Exact (the
 * permutation distribution of W+) for up to 40 non-zero values without
 * ties in |D|; otherwise the normal approximation with tie and continuity
 * corrections. */
double rb_wilcoxon_p(const double *d, size_t n);

/* The pairs' ratios NEW[k] / BASE[k] (rb_ratio) into OUT[0..N). */
void rb_paired_ratios(const double *base, const double *new_, size_t n, double *out);

/* The median of the pairs' ratios and its bootstrap 95 % interval
 * (RESAMPLES resamples of the pairs, seeded by SEED), and the Wilcoxon p of
 * their logs (a ratio of 0 or +inf counts as the extreme it is). Returns -1
 * when N is 0. */
struct rb_paired {
	struct rb_ratio_ci ci;
	double p;
	size_t n;
};
int rb_paired_compare(const double *base, const double *new_, size_t n, unsigned resamples,
		      uint64_t seed, struct rb_paired *out);

/* The gate's verdict on a paired comparison: REGRESSES when the change is
 * significant (Wilcoxon p < RB_CMP_ALPHA), the whole interval lies on the
 * bad side of 1, and the median ratio is past 1 +- PCT % (the change that
 * matters); IMPROVES likewise on the good side. Unlike rb_cmp_decide, the
 * interval need not clear the threshold itself: pairs cancel the machine's
 * drift, so a 10 % change is caught with a 5 % threshold, which requiring
 * the whole interval past 1.05 would need many more pairs to see. */
enum rb_cmp_verdict rb_paired_decide(const struct rb_paired *p, int better, double pct);

#endif
