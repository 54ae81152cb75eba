/* The signals' plot: per condition (idle, storm), the latency CDF of each
 * reaper as a fraction of the signals *sent*, so that lost signals show as a
 * curve that stops short of 1. Drawn by gnuplot (plot.h) from signals.csv in
 * the results directory. */
#ifndef REAPBENCH_SIGNALS_PLOT_H
#define REAPBENCH_SIGNALS_PLOT_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

#define RB_SIGNALS_CONDITIONS 2

struct rb_signals_plot_reaper {
	const char *name;
	size_t sent[RB_SIGNALS_CONDITIONS];     /* 0: not run in that condition */
	size_t received[RB_SIGNALS_CONDITIONS]; /* 0: no curve */
};

struct rb_signals_plot_spec {
	const char *dir;   /* holds signals.csv; the plot goes there */
	const char *title; /* the run's one-line description */
	const char *const *conditions; /* RB_SIGNALS_CONDITIONS names, as in the CSV */
	const struct rb_signals_plot_reaper *reapers;
	int n;
};

/* Make signals-latency-cdf.svg. *PLOTS (new) is the record's "plots"
 * object, LINE what to print after "plots". -1 with ERR if gnuplot failed. */
int rb_signals_plot(const struct rb_signals_plot_spec *s, json_t **plots, char *line, size_t len,
		    struct rb_error *err);

#endif
