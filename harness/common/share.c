/* Splitting a storm among spawners: see share.h. */
#include "share.h"

#include <stdio.h>
#include <string.h>

void rb_share_range(unsigned long count, unsigned n, unsigned j, unsigned long *first,
		    unsigned long *len)
{
	unsigned long base = count / n, extra = count % n;

	/* the first EXTRA spawners take one more */
	*len = base + (j < extra);
	*first = (unsigned long)j * base + (j < extra ? j : extra);
}

unsigned long rb_share_strided(unsigned long count, unsigned n, unsigned j)
{
	return count > j ? (count - j + n - 1) / n : 0;
}

int rb_share_cpu(const int *cpus, unsigned ncpus, unsigned j)
{
	return cpus[j % ncpus];
}

char *rb_share_cpu_list(const int *cpus, unsigned ncpus, unsigned n, char *buf, size_t len)
{
	size_t at = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned j = 0; j < n; j++) {
		int w = snprintf(buf + at, len - at, "%s%d", j ? "," : "", rb_share_cpu(cpus, ncpus, j));

		if (w < 0 || (size_t)w >= len - at) {
			/* no room: end with "..." where it still fits */
			if (len >= 4)
				strcpy(buf + (at + 4 <= len ? at : len - 4), "...");
			return buf;
		}
		at += (size_t)w;
	}
	return buf;
}
