/* The storm's plots: the reap latency CDF per reaper (every run pooled) and
 * the zombie population over time (each reaper's first run), drawn by
 * gnuplot (plot.h) from storm.csv and storm-pop.csv in the results
 * directory, so that the scripts beside them re-plot the same data. */
#ifndef REAPBENCH_STORM_PLOT_H
#define REAPBENCH_STORM_PLOT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct rb_storm_plot_reaper {
	const char *name;
	unsigned long samples; /* reap latencies over all its runs: 0, no CDF curve */
	bool first_run_pop;    /* its first run (repeat 0) sampled the population */
};

struct rb_storm_plot_spec {
	const char *dir; /* holds storm.csv and storm-pop.csv; the plots go there */
	const char *pattern, *method;
	unsigned long count;
	long repeat;
	double floor_ms; /* latencies below it (0 among them) are drawn at it: log scale */
	const struct rb_storm_plot_reaper *reapers;
	int n;
};

/* Make storm-latency-cdf.svg and storm-population.svg. *PLOTS (new) is the
 * record's "plots" object, LINE what to print after "plots". -1 with ERR
 * when a plot failed; *PLOTS and LINE say so too. */
int rb_storm_plots(const struct rb_storm_plot_spec *s, json_t **plots, char *line, size_t len,
		   struct rb_error *err);

/* The "plots" object and LINE when plotting is skipped as a whole (--no-plots). */
json_t *rb_storm_plots_skipped(const char *reason, char *line, size_t len);

#endif
