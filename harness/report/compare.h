/* Statistics of `reapbench compare`: a seeded bootstrap confidence interval
 * of the ratio of two medians, the Mann-Whitney U test, and the verdict that
 * combines them. Pure computation with its own PRNG (splitmix64), so results
 * are the same on every libc. Unit-tested in tests/unit/test_compare.c. */
#ifndef REAPBENCH_COMPARE_H
#define REAPBENCH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: the next value of the generator whose state is *S. */
uint64_t rb_splitmix64(uint64_t *s);

/* The median of V (N > 0; V is not changed). */
double rb_median(const double *v, size_t n);

/* NEW / BASE for non-negative figures: 1 when both are 0, +inf when only
 * BASE is. */
double rb_ratio(double new_, double base);

/* Two-sided Mann-Whitney U test of A against B (NA, NB > 0): the p-value.
 * Exact (the permutation distribution of U) when there are no ties and
 * NA + NB <= 40; otherwise the normal approximation with tie correction
 * and continuity correction. All values equal: 1. */
double rb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* Bootstrap of median(NEW) / median(BASE): RESAMPLES resamples (with
 * replacement) of both samples, seeded by SEED. RATIO is the ratio of the
 * medians of the samples themselves, [LO, HI] the 2.5th and 97.5th
 * percentiles of the resampled ratios. Returns -1 if a sample is empty. */
struct rb_ratio_ci {
	double ratio, lo, hi;
};
int rb_bootstrap_ratio(const double *base, size_t nb, const double *new_, size_t nn,
		       unsigned resamples, uint64_t seed, struct rb_ratio_ci *out);

/* Bootstrap 95% interval of the median of one sample (for the exports). */
int rb_bootstrap_median(const double *v, size_t n, unsigned resamples, uint64_t seed,
			double *lo, double *hi);

/* Drops the worst PCT % of V's N values (the highest when BETTER is -1, the
 * lowest when +1), keeping at least one; V ends up sorted, the kept values
 * first. Returns how many are kept. */
size_t rb_trim_worst(double *v, size_t n, int better, double pct);

enum rb_cmp_verdict { RB_CMP_SAME, RB_CMP_REGRESSES, RB_CMP_IMPROVES };

/* BETTER is -1 (lower is better) or +1 (higher is better). REGRESSES only
 * when the whole interval [LO, HI] of the ratio lies beyond 1 +- PCT% in
 * the bad direction and P < ALPHA; IMPROVES likewise in the good one. */
#define RB_CMP_ALPHA 0.05
enum rb_cmp_verdict rb_cmp_decide(double lo, double hi, double p, int better, double pct);
const char *rb_cmp_verdict_name(enum rb_cmp_verdict v);

/* One-sided Fisher exact test: the probability, were both the same, of NEW
 * matching its claim in MN of NN runs or fewer, given BASE's MB of NB and the
 * totals (hypergeometric). For racy conformance cells: a flip in one run
 * each (p = 1/2) is chance, 18 of 20 against 5 of 20 is not. */
double rb_fisher_fewer_p(long mb, long nb, long mn, long nn);

/* Counts of failures that should be zero (signals lost or duplicated): no
 * ratio (0 -> anything is infinite) and no test (three runs cannot reach
 * p < 0.05). REGRESSES when NEW's median exceeds the most BASE saw in any
 * run by more than SLACK; IMPROVES symmetrically. A defect (an init that
 * drops a kind of signal) costs dozens per run; chance (two standard
 * signals merging while a VM stalls) at most one or two. */
enum rb_cmp_verdict rb_cmp_decide_count(const double *base, size_t nb, const double *new_,
					size_t nn, double slack);

#endif
