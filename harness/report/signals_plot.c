/* The signals' latency CDF (signals_plot.h). */
#include "signals_plot.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "plot.h"

#define NAME "signals-latency-cdf"

/* One panel: each reaper's latencies (signals.csv column 6, us) in CONDITION,
 * each weighing 1/sent. */
static void panel(FILE *f, const struct rb_signals_plot_spec *s, int cond, json_t *curves)
{
	char qr[160], qc[64];
	bool first = true;

	rb_plot_quote(qc, sizeof(qc), s->conditions[cond]);
	fprintf(f, "set title %s\nplot", qc);
	for (int i = 0; i < s->n; i++) {
		const struct rb_signals_plot_reaper *r = &s->reapers[i];

		if (r->sent[cond] == 0 || r->received[cond] == 0)
			continue;
		rb_plot_quote(qr, sizeof(qr), r->name);
		fprintf(f, "%s \"signals.csv\" using (lat(%s, %s)):(1.0/%zu) smooth cumulative",
			first ? "" : ", \\\n    ", qr, qc, r->sent[cond]);
		rb_plot_style(f, i, r->name);
		json_array_append_new(curves, json_string(r->name));
		first = false;
	}
	if (first) /* nothing arrived anywhere: an empty panel that says so */
		fprintf(f, " NaN title \"no signal reached an app\"");
	fprintf(f, "\n");
}

static char *body(const struct rb_signals_plot_spec *s, json_t *entry)
{
	char q[600], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	rb_plot_quote(q, sizeof(q), s->title);
	fprintf(f, "set multiplot layout 1,%d title %s\n"
		"set datafile separator \",\"\nset datafile columnheaders\nset datafile missing NaN\n"
		"set grid\n"
		"set logscale x\nset yrange [0:1.02]\nset key bottom right\n"
		"set xlabel \"latency, scheduled send to the app's receipt (us, log scale)\"\n"
		"set ylabel \"fraction of the signals sent (short of 1: lost)\"\n"
		"lat(r, c) = strcol(1) eq r && strcol(2) eq c ? $6 : NaN\n",
		RB_SIGNALS_CONDITIONS, q);
	for (int c = 0; c < RB_SIGNALS_CONDITIONS; c++) {
		json_t *curves = json_array();

		panel(f, s, c, curves);
		json_object_set_new(entry, s->conditions[c], curves);
	}
	fprintf(f, "unset multiplot\n");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int rb_signals_plot(const struct rb_signals_plot_spec *s, json_t **plots, char *line, size_t len,
		    struct rb_error *err)
{
	json_t *entry = json_object(), *curves = json_object();
	struct rb_plot p;
	char *script;
	int rc;

	*plots = json_pack("{s:o}", "latency_cdf", entry);
	script = body(s, curves);
	json_object_set_new(entry, "curves", curves);
	if (!script)
		return rb_sys_error(err, ENOMEM, "plot " NAME);
	rc = rb_plot_run(s->dir, NAME, script, RB_PLOT_TIMEOUT_MS, &p, err);
	free(script);
	json_object_set_new(entry, "script", json_string(NAME ".gp"));
	if (rc < 0) {
		json_object_set_new(entry, "error", json_string(err->msg));
		snprintf(line, len, NAME " failed: %s", err->msg);
		return -1;
	}
	if (p.state == RB_PLOT_SKIPPED) {
		json_object_set_new(entry, "skipped", json_string(p.skip));
		snprintf(line, len, "skipped: %s (the script, " NAME ".gp, is in %s)", p.skip, s->dir);
		return 0;
	}
	json_object_set_new(entry, "svg", json_string(NAME ".svg"));
	json_object_set_new(*plots, "gnuplot", json_string(p.gnuplot));
	snprintf(line, len, NAME ".svg (in %s)", s->dir);
	return 0;
}
