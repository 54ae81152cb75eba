#include "compare.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

uint64_t rb_splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, N) (Lemire's multiply; the bias is < N / 2^64). */
static size_t below(uint64_t *s, size_t n)
{
	return (size_t)(((unsigned __int128)rb_splitmix64(s) * n) >> 64);
}

double rb_median(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(*c)), m;

	if (!c)
		abort();
	memcpy(c, v, n * sizeof(*c));
	rb_sort_doubles(c, n);
	m = rb_percentile_sorted(c, n, 50);
	free(c);
	return m;
}

size_t rb_trim_worst(double *v, size_t n, int better, double pct)
{
	size_t keep = (size_t)llround((double)n * (100 - pct) / 100);

	if (keep < 1)
		keep = 1;
	if (keep > n)
		keep = n;
	rb_sort_doubles(v, n);
	if (better > 0)
		memmove(v, v + (n - keep), keep * sizeof(*v));
	return keep;
}

double rb_ratio(double new_, double base)
{
	if (base == 0)
		return new_ == 0 ? 1 : (new_ > 0 ? INFINITY : -INFINITY);
	return new_ / base;
}

/* Number of arrangements of M a's and N b's (no ties) per value of U, the
 * count of (a, b) pairs with a > b: f(u; m, n) = f(u - n; m - 1, n) + f(u; m, n - 1). */
static double *u_distribution(size_t m, size_t n)
{
	size_t umax = m * n;
	/* f[i][j][u] computed row by row over i, keeping all j */
	double *prev = calloc((n + 1) * (umax + 1), sizeof(double));
	double *cur = calloc((n + 1) * (umax + 1), sizeof(double));
	double *out;

	if (!prev || !cur)
		abort();
#define F(t, j, u) (t)[(j) * (umax + 1) + (u)]
	for (size_t j = 0; j <= n; j++)
		F(prev, j, 0) = 1; /* i = 0: one arrangement, U = 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * (umax + 1) * sizeof(double));
		F(cur, 0, 0) = 1;
		for (size_t j = 1; j <= n; j++)
			for (size_t u = 0; u <= i * j; u++)
				F(cur, j, u) = (u >= j ? F(prev, j, u - j) : 0) + F(cur, j - 1, u);
		double *t = prev;
		prev = cur;
		cur = t;
	}
	out = malloc((umax + 1) * sizeof(double));
	if (!out)
		abort();
	for (size_t u = 0; u <= umax; u++)
		out[u] = F(prev, n, u);
#undef F
	free(prev);
	free(cur);
	return out;
}

double rb_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct item {
		double v;
		int from_a;
	} *all = malloc(n * sizeof(*all));
	double r_a = 0, tie_sum = 0, u, mu, sigma2, z, p;
	bool ties = false;

	if (!all)
		abort();
	for (size_t i = 0; i < na; i++)
		all[i] = (struct item){ a[i], 1 };
	for (size_t i = 0; i < nb; i++)
		all[na + i] = (struct item){ b[i], 0 };
	/* insertion sort: the samples are small (runs) */
	for (size_t i = 1; i < n; i++) {
		struct item t = all[i];
		size_t j = i;

		for (; j > 0 && all[j - 1].v > t.v; j--)
			all[j] = all[j - 1];
		all[j] = t;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		double rank = (double)(i + j) / 2 + 1, t = (double)(j - i + 1);

		for (size_t k = i; k <= j; k++)
			if (all[k].from_a)
				r_a += rank;
		if (t > 1) {
			ties = true;
			tie_sum += t * t * t - t;
		}
		i = j + 1;
	}
	free(all);
	u = r_a - (double)na * (double)(na + 1) / 2; /* pairs with a > b (ties 1/2) */
	mu = (double)na * (double)nb / 2;
	if (!ties && n <= 40) {
		double *f = u_distribution(na, nb), total = 0, lower = 0, upper = 0;
		size_t ui = (size_t)llround(u);

		for (size_t k = 0; k <= na * nb; k++) {
			total += f[k];
			if (k <= ui)
				lower += f[k];
			if (k >= ui)
				upper += f[k];
		}
		free(f);
		p = 2 * fmin(lower, upper) / total;
		return p > 1 ? 1 : p;
	}
	sigma2 = (double)na * (double)nb / 12 *
		 ((double)(n + 1) - tie_sum / ((double)n * (double)(n - 1)));
	if (sigma2 <= 0)
		return 1; /* every value equal */
	z = (fabs(u - mu) - 0.5) / sqrt(sigma2);
	if (z < 0)
		z = 0;
	p = erfc(z / M_SQRT2);
	return p > 1 ? 1 : p;
}

static void resample(const double *v, size_t n, double *out, uint64_t *s)
{
	for (size_t i = 0; i < n; i++)
		out[i] = v[below(s, n)];
}

int rb_bootstrap_ratio(const double *base, size_t nb, const double *new_, size_t nn,
		       unsigned resamples, uint64_t seed, struct rb_ratio_ci *out)
{
	double *rb, *rn, *ratios;
	uint64_t s = seed;

	if (nb == 0 || nn == 0 || resamples == 0)
		return -1;
	rb = malloc(nb * sizeof(double));
	rn = malloc(nn * sizeof(double));
	ratios = malloc(resamples * sizeof(double));
	if (!rb || !rn || !ratios)
		abort();
	out->ratio = rb_ratio(rb_median(new_, nn), rb_median(base, nb));
	for (unsigned k = 0; k < resamples; k++) {
		resample(base, nb, rb, &s);
		resample(new_, nn, rn, &s);
		ratios[k] = rb_ratio(rb_median(rn, nn), rb_median(rb, nb));
	}
	rb_sort_doubles(ratios, resamples);
	out->lo = rb_percentile_sorted(ratios, resamples, 2.5);
	out->hi = rb_percentile_sorted(ratios, resamples, 97.5);
	if (isnan(out->lo)) /* inf - inf in the interpolation */
		out->lo = ratios[(size_t)(0.025 * (resamples - 1))];
	if (isnan(out->hi))
		out->hi = ratios[(size_t)ceil(0.975 * (resamples - 1))];
	free(rb);
	free(rn);
	free(ratios);
	return 0;
}

int rb_bootstrap_median(const double *v, size_t n, unsigned resamples, uint64_t seed,
			double *lo, double *hi)
{
	double *r, *meds;
	uint64_t s = seed;

	if (n == 0 || resamples == 0)
		return -1;
	r = malloc(n * sizeof(double));
	meds = malloc(resamples * sizeof(double));
	if (!r || !meds)
		abort();
	for (unsigned k = 0; k < resamples; k++) {
		resample(v, n, r, &s);
		meds[k] = rb_median(r, n);
	}
	rb_sort_doubles(meds, resamples);
	*lo = rb_percentile_sorted(meds, resamples, 2.5);
	*hi = rb_percentile_sorted(meds, resamples, 97.5);
	free(r);
	free(meds);
	return 0;
}

enum rb_cmp_verdict rb_cmp_decide(double lo, double hi, double p, int better, double pct)
{
	double up = 1 + pct / 100, down = 1 - pct / 100;
	bool above = lo > up, below_ = hi < down;

	if (!(p < RB_CMP_ALPHA) || isnan(lo) || isnan(hi))
		return RB_CMP_SAME;
	if (better < 0)
		return above ? RB_CMP_REGRESSES : below_ ? RB_CMP_IMPROVES : RB_CMP_SAME;
	return below_ ? RB_CMP_REGRESSES : above ? RB_CMP_IMPROVES : RB_CMP_SAME;
}

const char *rb_cmp_verdict_name(enum rb_cmp_verdict v)
{
	return v == RB_CMP_REGRESSES ? "REGRESSES" : v == RB_CMP_IMPROVES ? "improves" : "same";
}

enum rb_cmp_verdict rb_cmp_decide_count(const double *base, size_t nb, const double *new_,
					size_t nn, double slack)
{
	double bmax = -INFINITY, nmax = -INFINITY;

	if (nb == 0 || nn == 0)
		return RB_CMP_SAME;
	for (size_t i = 0; i < nb; i++)
		bmax = fmax(bmax, base[i]);
	for (size_t i = 0; i < nn; i++)
		nmax = fmax(nmax, new_[i]);
	if (rb_median(new_, nn) > bmax + slack)
		return RB_CMP_REGRESSES;
	if (rb_median(base, nb) > nmax + slack)
		return RB_CMP_IMPROVES;
	return RB_CMP_SAME;
}

static double log_choose(long n, long k)
{
	return lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);
}

double rb_fisher_fewer_p(long mb, long nb, long mn, long nn)
{
	long k = mb + mn, n = nb + nn, lo = k - nb > 0 ? k - nb : 0;
	double p = 0;

	if (nb <= 0 || nn <= 0 || mb < 0 || mn < 0 || mb > nb || mn > nn)
		return 1;
	for (long x = lo; x <= mn; x++)
		p += exp(log_choose(k, x) + log_choose(n - k, nn - x) - log_choose(n, nn));
	return p > 1 ? 1 : p;
}
