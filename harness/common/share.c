/* Splitting a storm among spawners: see share.h. */
#include "share.h"

#include <stdio.h>

void rb_share_range(unsigned long count, unsigned n, unsigned j, unsigned long *first,
		    unsigned long *len)
{
	unsigned long base = count / n, extra = count % n;

	/* the first EXTRA spawners take one more */
	*len = base + (j < extra);
	*first = (unsigned long)j * base + (j < extra ? j : extra);
}

int rb_share_cpu(const int *cpus, unsigned ncpus, unsigned j)
{
	return cpus[j % ncpus];
}

char *rb_share_mask_list(uint32_t mask, char *buf, size_t len)
{
	size_t at = 0;

	snprintf(buf, len, "none");
	for (unsigned c = 0; c < 32 && at < len; c++)
		if (mask & (1u << c)) {
			int w = snprintf(buf + at, len - at, "%s%u", at ? "," : "", c);

			if (w < 0)
				break;
			at += (size_t)w;
		}
	return buf;
}

int rb_share_recovered(const struct rb_storm_sample *smp, uint32_t n, unsigned spawners)
{
	for (unsigned j = 0; j < spawners; j++) {
		uint32_t k = j, after = 0;

		while (k < n && smp[k].pid > 0)
			k += spawners;
		for (; k < n; k += spawners)
			after += smp[k].pid > 0;
		if (after > spawners - 1)
			return 1;
	}
	return 0;
}
