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
	size_t n = rb_metric_count();

	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		const struct rb_metric *m = rb_metric_at(i);

		assert_non_null(m->name);
		assert_non_null(m->unit);
		assert_true(m->better >= -1 && m->better <= 1);
		/* a should-be-zero count is judged by count, not by a ratio */
		assert_false(m->slack > 0 && m->timed);
		/* a column shows a judged or described figure of the record */
		assert_true(m->scale >= 0);
		for (size_t k = i + 1; k < n; k++)
			assert_string_not_equal(m->name, rb_metric_at(k)->name);
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

/* compare judges the reaper's figures, in the suites' order; the ones that
 * describe the storm (its size, the observers' own error) it does not. */
static void test_compared_set(void **state)
{
	static const char *const want[] = {
		"reap_latency_p50", "reap_latency_p90", "reap_latency_p99", "reap_latency_p99_9",
		"reap_latency_max", "drain_time", "drain_rate", "zombies_peak", "pids_peak",
		"payload_spawn_failed", "leaked", "pid1_cpu_per_1000_reaps", "signal_latency_p50",
		"signal_latency_p90", "signal_latency_p99", "signal_latency_max", "signals_lost",
		"signals_dup", "threads_failed",
	};
	size_t k = 0;

	(void)state;
	for (size_t i = 0; i < rb_metric_count(); i++) {
		if (!rb_metric_at(i)->compared)
			continue;
		assert_true(k < sizeof(want) / sizeof(want[0]));
		assert_string_equal(rb_metric_at(i)->name, want[k++]);
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	assert_false(rb_metric_find("pidfd_reap_latency_p50", 0)->compared);
	assert_false(rb_metric_find("spawn_rate", 0)->compared);
	/* storm's table columns come from the same entries */
	assert_string_equal(rb_metric_find("reap_latency_p50", 0)->column, "P50 ms");
	assert_true(rb_metric_find("pids_peak", 0)->by_runner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_are_unique_and_complete),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_compared_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
