/* Order statistics and spread: see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void rb_sort_doubles(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_double);
}

double rb_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 1 || p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)h;
	frac = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int rb_summarize(const double *v, size_t n, struct rb_summary *out)
{
	double *sorted, sum = 0, ss = 0;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -1;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -1;
	memcpy(sorted, v, n * sizeof(*sorted));
	rb_sort_doubles(sorted, n);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->mean = sum / (double)n;
	out->median = rb_percentile_sorted(sorted, n, 50);
	if (n >= 2) {
		for (size_t i = 0; i < n; i++)
			ss += (v[i] - out->mean) * (v[i] - out->mean);
		out->stddev = sqrt(ss / (double)(n - 1));
		if (out->mean != 0) {
			out->cv = out->stddev / fabs(out->mean);
			out->has_cv = true;
		}
	}
	free(sorted);
	return 0;
}

void rb_histogram_log2(const double *v, size_t n, double unit, struct rb_histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->unit = unit;
	for (size_t i = 0; i < n; i++) {
		double x = v[i] / unit;
		int k = 0;

		if (isinf(x) && x > 0) {
			k = RB_HIST_BINS - 1;
		} else if (x >= 1) {
			/* frexp: x = m * 2^e with m in [0.5, 1): x in [2^(e-1), 2^e) */
			frexp(x, &k);
			if (k > RB_HIST_BINS - 1)
				k = RB_HIST_BINS - 1;
		}
		h->count[k]++;
		h->total++;
	}
}

double rb_histogram_lower(const struct rb_histogram *h, int k)
{
	return k <= 0 ? 0 : ldexp(h->unit, k - 1);
}

int rb_best_beyond_spread(const struct rb_spread *s, size_t n, int better)
{
	int best = -1, ok = 0;

	for (size_t i = 0; i < n; i++)
		ok += s[i].ok;
	if (ok < 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i].ok && (best < 0 || (better < 0 ? s[i].median < s[best].median
						       : s[i].median > s[best].median)))
			best = (int)i;
	for (size_t i = 0; best >= 0 && i < n; i++) {
		if (!s[i].ok || (int)i == best)
			continue;
		if (better < 0 ? !(s[best].max < s[i].min) : !(s[best].min > s[i].max))
			return -1;
	}
	return best;
}

bool rb_bimodal(const double *v, size_t n)
{
	struct rb_summary sum;
	double *c, gap = 0;

	if (n < 4 || rb_summarize(v, n, &sum) < 0 || !sum.has_cv || sum.cv <= 0.5)
		return false;
	c = malloc(n * sizeof(*c));
	if (!c)
		return false;
	memcpy(c, v, n * sizeof(*c));
	rb_sort_doubles(c, n);
	for (size_t i = 1; i < n; i++)
		gap = fmax(gap, c[i] - c[i - 1]);
	free(c);
	return gap > (sum.max - sum.min) / 2;
}
