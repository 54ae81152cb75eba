#include "metrics.h"

#include <string.h>

const struct rb_metric rb_metrics[] = {
	/* storm: exit -> reap, the drain, what it took */
	{ "reap_latency_p50", "s", -1, true, 0 },
	{ "reap_latency_p90", "s", -1, true, 0 },
	{ "reap_latency_p99", "s", -1, true, 0 },
	{ "reap_latency_p99_9", "s", -1, true, 0 },
	{ "reap_latency_max", "s", -1, true, 0 },
	{ "reap_latency_samples", "processes", 0, false, 0 },
	{ "reap_latency_below_resolution", "processes", 0, false, 0 },
	{ "drain_time", "s", -1, true, 0 },
	{ "drain_rate", "reaps/s", +1, true, 0 },
	{ "zombies_peak", "processes", -1, false, 0 },
	{ "live_peak", "processes", 0, false, 0 },
	{ "pids_peak", "pids", -1, false, 0 },
	{ "pids_free_min", "pids", 0, false, 0 },
	{ "payload_spawn_failed", "processes", -1, false, 0 },
	{ "payload_spawned", "processes", 0, false, 0 },
	{ "payload_reaped", "processes", 0, false, 0 },
	{ "leaked", "processes", -1, false, 0 },
	{ "threads_failed", "threads", -1, false, 0 },
	{ "spawn_rate", "processes/s", +1, true, 0 },
	/* storm: PID 1's cost */
	{ "pid1_cpu_per_1000_reaps", "s", -1, true, 0 },
	{ "pid1_cpu", "s", 0, false, 0 },
	{ "pid1_rss_peak", "KiB", 0, false, 0 },
	{ "pid1_voluntary_switches", "switches", 0, false, 0 },
	{ "pid1_involuntary_switches", "switches", 0, false, 0 },
	/* storm: the observers' own */
	{ "observer_coalesced", "processes", 0, false, 0 },
	{ "sigchld_to_pid1", "signals", 0, false, 0 },
	{ "sigchld_merged", "signals", 0, false, 0 },
	{ "pidfd_reap_latency_p50", "s", -1, true, 0 },
	{ "pidfd_reap_latency_p99", "s", -1, true, 0 },
	{ "pidfd_drain_time", "s", -1, true, 0 },
	{ "pidfd_error_p50", "s", 0, false, 0 },
	{ "pidfd_error_p99", "s", 0, false, 0 },
	{ "pidfd_exit_error_p50", "s", 0, false, 0 },
	{ "pidfd_exit_error_p99", "s", 0, false, 0 },
	{ "pid1_reaps_per_batch", "reaps", 0, false, 0 },
	{ "pid1_reap_batch_max", "reaps", 0, false, 0 },
	/* signals */
	{ "signal_latency_p50", "s", -1, true, 0 },
	{ "signal_latency_p90", "s", -1, true, 0 },
	{ "signal_latency_p99", "s", -1, true, 0 },
	{ "signal_latency_max", "s", -1, true, 0 },
	{ "signals_lost", "signals", -1, false, RB_COUNT_SLACK },
	{ "signals_dup", "signals", -1, false, RB_COUNT_SLACK },
};
const size_t rb_nmetrics = sizeof(rb_metrics) / sizeof(rb_metrics[0]);

const struct rb_metric *rb_metric_find(const char *name, size_t len)
{
	if (!len)
		len = strlen(name);
	for (size_t i = 0; i < rb_nmetrics; i++)
		if (strlen(rb_metrics[i].name) == len && strncmp(rb_metrics[i].name, name, len) == 0)
			return &rb_metrics[i];
	return NULL;
}
