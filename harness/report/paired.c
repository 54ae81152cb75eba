#include "paired.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_MAX 40

struct ranked {
	double abs;
	bool positive;
};

static int by_abs(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->abs, y = ((const struct ranked *)b)->abs;

	return (x > y) - (x < y);
}

/* Pr(W+ >= w) under H0 for N ranks 1..N: the number of subsets of the ranks
 * with each sum, over 2^N (a table of at most N(N+1)/2 + 1 counts). */
static double exact_upper(size_t n, double w)
{
	size_t max = n * (n + 1) / 2;
	double *count = calloc(max + 1, sizeof(*count)), tail = 0;

	if (!count)
		abort();
	count[0] = 1;
	for (size_t r = 1; r <= n; r++)
		for (size_t s = max; s >= r; s--)
			count[s] += count[s - r];
	for (size_t s = (size_t)ceil(w - 1e-9); s <= max; s++)
		tail += count[s];
	free(count);
	return tail / ldexp(1, (int)n);
}

double rb_wilcoxon_p(const double *d, size_t n)
{
	struct ranked *v = malloc((n ? n : 1) * sizeof(*v));
	double wplus = 0, tie_term = 0, mean, var, z, p;
	size_t m = 0;
	bool ties = false;

	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0 && !isnan(d[i]))
			v[m++] = (struct ranked){ fabs(d[i]), d[i] > 0 };
	if (m == 0) {
		free(v);
		return 1;
	}
	qsort(v, m, sizeof(*v), by_abs);
	for (size_t i = 0; i < m;) { /* mid-ranks for ties */
		size_t j = i;
		double t;

		while (j + 1 < m && v[j + 1].abs == v[i].abs)
			j++;
		t = (double)(j - i + 1);
		ties = ties || t > 1;
		tie_term += t * t * t - t;
		for (size_t k = i; k <= j; k++)
			if (v[k].positive)
				wplus += (double)(i + j) / 2 + 1;
		i = j + 1;
	}
	free(v);
	mean = (double)m * (double)(m + 1) / 4;
	if (!ties && m <= EXACT_MAX) {
		/* symmetric: twice the smaller tail */
		p = 2 * exact_upper(m, wplus >= mean ? wplus : (double)m * (double)(m + 1) / 2 - wplus);
		return p > 1 ? 1 : p;
	}
	var = (double)m * (double)(m + 1) * (double)(2 * m + 1) / 24 - tie_term / 48;
	if (var <= 0)
		return 1;
	z = fabs(wplus - mean) - 0.5;
	if (z < 0)
		z = 0;
	p = erfc(z / sqrt(var) / M_SQRT2);
	return p > 1 ? 1 : p;
}

/* The median of N sorted values, exact at infinities (a ratio from 0). */
static double median_sorted(const double *v, size_t n)
{
	double a = v[(n - 1) / 2], b = v[n / 2];

	return a == b ? a : a / 2 + b / 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return median_sorted(v, n);
}

void rb_paired_ratios(const double *base, const double *new_, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = rb_ratio(new_[i], base[i]);
}

int rb_paired_compare(const double *base, const double *new_, size_t n, unsigned resamples,
		      uint64_t seed, struct rb_paired *out)
{
	double *ratios, *logs, *meds;
	uint64_t s = seed;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -1;
	ratios = malloc(n * sizeof(*ratios));
	logs = malloc(n * sizeof(*logs));
	if (!ratios || !logs)
		abort();
	rb_paired_ratios(base, new_, n, ratios);
	for (size_t i = 0; i < n; i++)
		logs[i] = log(ratios[i]); /* 0 -> -inf, inf -> +inf: the extremes they are */
	out->n = n;
	out->p = rb_wilcoxon_p(logs, n);
	/* the pairs resampled: each resample's median, their 2.5th and 97.5th
	 * percentiles (nearest rank: exact at infinities) */
	meds = malloc((resamples ? resamples : 1) * sizeof(*meds));
	if (!meds)
		abort();
	for (unsigned k = 0; k < resamples; k++) {
		for (size_t i = 0; i < n; i++)
			logs[i] = ratios[(size_t)(((unsigned __int128)rb_splitmix64(&s) * n) >> 64)];
		meds[k] = median_of(logs, n);
	}
	out->ci.ratio = median_of(ratios, n);
	if (resamples) {
		qsort(meds, resamples, sizeof(*meds), cmp_double);
		out->ci.lo = meds[(size_t)floor(0.025 * (resamples - 1))];
		out->ci.hi = meds[(size_t)ceil(0.975 * (resamples - 1))];
	} else {
		out->ci.lo = out->ci.hi = out->ci.ratio;
	}
	free(meds);
	free(ratios);
	free(logs);
	return 0;
}

enum rb_cmp_verdict rb_paired_decide(const struct rb_paired *p, int better, double pct)
{
	bool worse_side = better < 0 ? p->ci.lo > 1 : p->ci.hi < 1;
	bool better_side = better < 0 ? p->ci.hi < 1 : p->ci.lo > 1;
	double up = 1 + pct / 100, down = 1 - pct / 100;
	bool past_up = p->ci.ratio > up, past_down = p->ci.ratio < down;

	if (p->n == 0 || !(p->p < RB_CMP_ALPHA))
		return RB_CMP_SAME;
	if (worse_side && (better < 0 ? past_up : past_down))
		return RB_CMP_REGRESSES;
	if (better_side && (better < 0 ? past_down : past_up))
		return RB_CMP_IMPROVES;
	return RB_CMP_SAME;
}
