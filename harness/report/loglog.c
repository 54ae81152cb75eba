/* Log-log fit with a bootstrap interval. See loglog.h. */
#include "loglog.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"

#define RESAMPLES 2000

/* Least squares of V on U (N points); false if U does not vary. */
static bool ols(const double *u, const double *v, size_t n, double *slope, double *intercept)
{
	double mu = 0, mv = 0, suu = 0, suv = 0;

	for (size_t i = 0; i < n; i++) {
		mu += u[i];
		mv += v[i];
	}
	mu /= (double)n;
	mv /= (double)n;
	for (size_t i = 0; i < n; i++) {
		suu += (u[i] - mu) * (u[i] - mu);
		suv += (u[i] - mu) * (v[i] - mv);
	}
	if (suu <= 1e-12)
		return false;
	*slope = suv / suu;
	*intercept = mv - *slope * mu;
	return true;
}

static uint64_t next(uint64_t *s)
{
	/* xorshift64*: deterministic from the seed, good enough to resample */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int rb_loglog_fit(const double *x, const double *y, size_t n, uint64_t seed, struct rb_loglog *out)
{
	double *u = malloc((n ? n : 1) * sizeof(*u)), *v = malloc((n ? n : 1) * sizeof(*v));
	double *bu = malloc((n ? n : 1) * sizeof(*bu)), *bv = malloc((n ? n : 1) * sizeof(*bv));
	double *slopes = malloc(RESAMPLES * sizeof(*slopes)), b, c;
	uint64_t s = seed ? seed : 1;
	size_t m = 0, k = 0;
	int rc = -1;

	if (!u || !v || !bu || !bv || !slopes)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
			u[m] = log(x[i]);
			v[m++] = log(y[i]);
		}
	if (m < 3 || !ols(u, v, m, &out->slope, &out->intercept))
		goto out;
	out->n = m;
	for (int r = 0; r < RESAMPLES; r++) {
		for (size_t i = 0; i < m; i++) {
			size_t j = (size_t)(next(&s) % m);

			bu[i] = u[j];
			bv[i] = v[j];
		}
		if (ols(bu, bv, m, &b, &c))
			slopes[k++] = b; /* a resample of one size alone says nothing */
	}
	rb_sort_doubles(slopes, k);
	out->lo = k ? rb_percentile_sorted(slopes, k, 2.5) : out->slope;
	out->hi = k ? rb_percentile_sorted(slopes, k, 97.5) : out->slope;
	rc = 0;
out:
	free(u);
	free(v);
	free(bu);
	free(bv);
	free(slopes);
	return rc;
}
