/* The metric registry (metrics.h): one entry per name, a direction every
 * judged figure has, lookups by a name's prefix length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static void test_names_are_unique_and_complete(void **state)
{
	(void)state;
	assert_true(rb_nmetrics > 20);
	for (size_t i = 0; i < rb_nmetrics; i++) {
		const struct rb_metric *m = &rb_metrics[i];

		assert_non_null(m->name);
		assert_non_null(m->unit);
		assert_true(m->better >= -1 && m->better <= 1);
		/* a should-be-zero count is judged by count, not by a ratio */
		assert_false(m->slack > 0 && m->timed);
		for (size_t k = i + 1; k < rb_nmetrics; k++)
			assert_string_not_equal(m->name, rb_metrics[k].name);
	}
}

static void test_find(void **state)
{
	const char *key = "drain_rate=30";

	(void)state;
	assert_int_equal(rb_metric_find("reap_latency_p99", 0)->better, -1);
	assert_string_equal(rb_metric_find("reap_latency_p99", 0)->unit, "s");
	assert_int_equal(rb_metric_find("drain_rate", 0)->better, +1);
	assert_int_equal(rb_metric_find(key, strlen("drain_rate"))->better, +1);
	assert_true(rb_metric_find("signals_lost", 0)->slack > 0);
	/* a prefix is not a name */
	assert_null(rb_metric_find("reap_latency", 0));
	assert_null(rb_metric_find("reap_latency_p99", 5));
	assert_null(rb_metric_find("no_such_metric", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_unique_and_complete),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
