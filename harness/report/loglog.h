/* How a cost grows with size: a least-squares line through log(y) against
 * log(x), its slope the exponent (0: constant, 1: linear), with a
 * bootstrap interval (the points resampled). Unit-tested in
 * tests/unit/test_loglog.c. */
#ifndef REAPBENCH_LOGLOG_H
#define REAPBENCH_LOGLOG_H

#include <stddef.h>
#include <stdint.h>

struct rb_loglog {
	size_t n;
	double slope, intercept; /* log(y) = intercept + slope * log(x) */
	double lo, hi;           /* the slope's 95 % bootstrap interval */
};

/* Fit N points (X, Y all > 0; others are left out). -1 when fewer than 3
 * points or fewer than 2 distinct X remain. SEED makes the interval
 * reproducible. */
int rb_loglog_fit(const double *x, const double *y, size_t n, uint64_t seed, struct rb_loglog *out);

#endif
