#include "metrics.h"

#include <string.h>

#include "suite.h"

/* The storm generator's own figures, recorded beside the storm's. */
static const struct rb_metric generator_metrics[] = {
	{ "threads_failed", "threads", -1, false, 0, .compared = true },
	{ "spawn_rate", "processes/s", +1, true, 0, .compared = false },
};

/* Entry I of the union: each suite's table in RB_SUITES' order, then the
 * generator's. */
const struct rb_metric *rb_metric_at(size_t i)
{
	for (const struct rb_suite *const *s = rb_suites; *s; s++) {
		if (i < (*s)->nmetrics)
			return &(*s)->metrics[i];
		i -= (*s)->nmetrics;
	}
	return i < sizeof(generator_metrics) / sizeof(generator_metrics[0]) ? &generator_metrics[i]
									      : NULL;
}

size_t rb_metric_count(void)
{
	size_t n = 0;

	while (rb_metric_at(n))
		n++;
	return n;
}

const struct rb_metric *rb_metric_find(const char *name, size_t len)
{
	if (!len)
		len = strlen(name);
	for (size_t i = 0; rb_metric_at(i); i++) {
		const struct rb_metric *m = rb_metric_at(i);

		if (strlen(m->name) == len && strncmp(m->name, name, len) == 0)
			return m;
	}
	return NULL;
}
