/* Plots: a gnuplot script, kept beside the data it reads (so that a user can
 * edit and re-plot it), run in the results directory to make one SVG.
 * gnuplot is optional: where it is not installed the plot is skipped with
 * that reason, which is not an error. */
#ifndef REAPBENCH_PLOT_H
#define REAPBENCH_PLOT_H

#include <limits.h>
#include <stdio.h>

#include "error.h"

#define RB_PLOT_TIMEOUT_MS 30000

enum rb_plot_state { RB_PLOT_MADE, RB_PLOT_SKIPPED };

struct rb_plot {
	enum rb_plot_state state;
	char gnuplot[PATH_MAX]; /* the gnuplot that ran, "" if none was found */
	char skip[128];         /* RB_PLOT_SKIPPED: why */
};

/* Write DIR/NAME.gp (an SVG terminal writing NAME.svg, then BODY, which
 * reads its data relative to DIR) and run `gnuplot NAME.gp` in DIR, killed
 * after TIMEOUT_MS. 0 with P->state MADE (DIR/NAME.svg written) or SKIPPED
 * (gnuplot not in PATH; the script is written all the same); -1 with ERR
 * when the script cannot be written or gnuplot fails (its last line of
 * stderr), times out or writes no SVG. */
int rb_plot_run(const char *dir, const char *name, const char *body, int timeout_ms,
		struct rb_plot *p, struct rb_error *err);

/* " with steps ..." for curve I (a reaper's place in its list: the same
 * reaper looks the same in every plot of a run), titled NAME. */
void rb_plot_style(FILE *f, int i, const char *name);

/* S as a gnuplot double-quoted string literal (quotes included) in BUF. */
void rb_plot_quote(char *buf, size_t len, const char *s);

#endif
