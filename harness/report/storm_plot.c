#include "storm_plot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define NAME_CDF "storm-latency-cdf"
#define NAME_POP "storm-population"

/* The common head of both scripts: the title (two lines) and the CSV. */
static void head(FILE *f, const struct rb_storm_plot_spec *s, const char *what)
{
	char a[256], b[512], qa[600], qb[1100];

	snprintf(a, sizeof(a), "storm %s: %lu processes (%s), %ld run%s per reaper", s->pattern,
		 s->count, s->method, s->repeat, s->repeat == 1 ? "" : "s");
	snprintf(b, sizeof(b), "%s", what);
	rb_plot_quote(qa, sizeof(qa), a);
	rb_plot_quote(qb, sizeof(qb), b);
	/* "missing NaN": an empty field (never reaped) must not cut a reaper's
	 * rows into pieces that are smoothed apart (the runs are interleaved) */
	fprintf(f, "set title %s.\"\\n\".%s\n"
		"set datafile separator \",\"\nset datafile columnheaders\nset datafile missing NaN\n"
		"set grid\n", qa, qb);
}

/* The plot command's curves, one per reaper with data (POP: a sampled
 * population, else reaped samples), USING with the quoted name for %s;
 * then F closed: the script (*BUF, F's memory stream), or NULL. */
static char *plot_curves(FILE *f, char **buf, const struct rb_storm_plot_spec *s, bool pop,
			 const char *using)
{
	bool first = true;
	char q[160];

	for (int i = 0; i < s->n; i++) {
		if (pop ? !s->reapers[i].first_run_pop : !s->reapers[i].samples)
			continue;
		rb_plot_quote(q, sizeof(q), s->reapers[i].name);
		fprintf(f, "%s ", first ? "" : ", \\\n    ");
		fprintf(f, using, q);
		rb_plot_style(f, i, s->reapers[i].name);
		first = false;
	}
	fprintf(f, "\n");
	if (fclose(f) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* The CDF of storm.csv's latency_ms (column 9; empty, i.e. never reaped,
 * is no point) per reaper, weights 1, normalized: the fraction reaped
 * within x ms. NULL with WHY when no reaper has a latency. */
static char *cdf_body(const struct rb_storm_plot_spec *s, json_t *entry, const char **why)
{
	json_t *curves = json_array(), *none = json_array();
	char what[512] = "reap latency CDF, all runs pooled", *buf = NULL;
	size_t len = 0, n = strlen(what);
	FILE *f;

	for (int i = 0; i < s->n; i++)
		json_array_append_new(s->reapers[i].samples ? curves : none,
				      json_string(s->reapers[i].name));
	json_object_set_new(entry, "curves", curves);
	json_object_set_new(entry, "no_curve", none);
	if (json_array_size(curves) == 0) {
		*why = "no reaper reaped a storm process";
		return NULL;
	}
	for (size_t i = 0; i < json_array_size(none); i++)
		n += (size_t)snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, "%s%s",
				      i ? ", " : "; no curve (nothing reaped): ",
				      json_string_value(json_array_get(none, i)));
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	head(f, s, what);
	fprintf(f, "set xlabel \"reap latency (ms, log scale; below %g ms drawn at %g)\"\n"
		"set ylabel \"fraction of the reaped storm processes\"\n"
		"set logscale x\nset yrange [0:1]\nset key outside right top\n"
		"floor = %g\n"
		"lat(r) = strcol(1) eq r ? ($9 < floor ? floor : $9) : NaN\n"
		"plot", s->floor_ms, s->floor_ms, s->floor_ms);
	return plot_curves(f, &buf, s, false, "\"storm.csv\" using (lat(%s)):(1) smooth cnormal");
}

/* zombies (storm-pop.csv column 4) against t_ms (3), repeat (2) 0 only. */
static char *pop_body(const struct rb_storm_plot_spec *s, json_t *entry, const char **why)
{
	json_t *curves = json_array();
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	for (int i = 0; i < s->n; i++)
		if (s->reapers[i].first_run_pop)
			json_array_append_new(curves, json_string(s->reapers[i].name));
	json_object_set_new(entry, "curves", curves);
	if (json_array_size(curves) == 0) {
		*why = "no run sampled the population";
		return NULL;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	head(f, s, "zombies (exited, not yet reaped) over time, each reaper's first run");
	fprintf(f, "set xlabel \"time since the storm's start (ms)\"\n"
		"set ylabel \"zombies\"\nset yrange [0:*]\nset key outside right top\n"
		"at(r) = strcol(1) eq r && $2 == 0 ? $3 : NaN\n"
		"plot");
	return plot_curves(f, &buf, s, true, "\"storm-pop.csv\" using (at(%s)):4");
}

struct outcome {
	const char *name;
	bool made, gnuplot_missing, failed;
	char note[900]; /* a skip's reason or the error */
};

/* One plot: its script, then gnuplot. Returns -1 (ERR) if gnuplot failed. */
static int make(const struct rb_storm_plot_spec *s, struct outcome *o,
		char *(*body_of)(const struct rb_storm_plot_spec *, json_t *, const char **),
		json_t *plots, const char *key, struct rb_error *err)
{
	json_t *entry = json_object();
	const char *why = NULL;
	struct rb_plot p;
	char file[300], *body;

	json_object_set_new(plots, key, entry);
	body = body_of(s, entry, &why);
	if (!body) {
		if (!why)
			return rb_sys_error(err, ENOMEM, "plot %s", o->name);
		snprintf(o->note, sizeof(o->note), "%s", why);
		json_object_set_new(entry, "skipped", json_string(why));
		return 0;
	}
	snprintf(file, sizeof(file), "%s.gp", o->name);
	if (rb_plot_run(s->dir, o->name, body, RB_PLOT_TIMEOUT_MS, &p, err) < 0) {
		free(body);
		o->failed = true;
		snprintf(o->note, sizeof(o->note), "%s", err->msg);
		json_object_set_new(entry, "error", json_string(err->msg));
		return -1;
	}
	free(body);
	json_object_set_new(entry, "script", json_string(file));
	if (p.state == RB_PLOT_SKIPPED) {
		o->gnuplot_missing = true;
		snprintf(o->note, sizeof(o->note), "%s", p.skip);
		json_object_set_new(entry, "skipped", json_string(p.skip));
		return 0;
	}
	o->made = true;
	snprintf(file, sizeof(file), "%s.svg", o->name);
	json_object_set_new(entry, "svg", json_string(file));
	if (!json_object_get(plots, "gnuplot"))
		json_object_set_new(plots, "gnuplot", json_string(p.gnuplot));
	return 0;
}

/* "A.svg B.svg (in DIR)", with what was skipped or failed after it. */
static void summary_line(const struct rb_storm_plot_spec *s, const struct outcome *o, int n,
			 char *line, size_t len)
{
	size_t k = 0;
	int made = 0;

#define ADD(...) (k += (size_t)snprintf(line + k, k < len ? len - k : 0, __VA_ARGS__))
	line[0] = '\0';
	for (int i = 0; i < n; i++)
		if (o[i].made)
			ADD("%s%s.svg", made++ ? " " : "", o[i].name);
	if (made)
		ADD(" (in %s)", s->dir);
	for (int i = 0; i < n; i++) {
		if (o[i].made)
			continue;
		if (o[i].gnuplot_missing && !made) {
			ADD("%sskipped: %s (the scripts, storm-*.gp, are in %s)", k ? "; " : "",
			    o[i].note, s->dir);
			break;
		}
		ADD("%s%s %s: %s", k ? "; " : "", o[i].name, o[i].failed ? "failed" : "skipped",
		    o[i].note);
	}
#undef ADD
}

int rb_storm_plots(const struct rb_storm_plot_spec *s, json_t **plots, char *line, size_t len,
		   struct rb_error *err)
{
	struct outcome o[2] = { { .name = NAME_CDF }, { .name = NAME_POP } };
	struct rb_error e2;
	int rc;

	*plots = json_object();
	rc = make(s, &o[0], cdf_body, *plots, "latency_cdf", err);
	if (make(s, &o[1], pop_body, *plots, "population", rc < 0 ? &e2 : err) < 0)
		rc = -1;
	for (int i = 0; i < 2; i++)
		if (o[i].gnuplot_missing && !json_object_get(*plots, "skipped"))
			json_object_set_new(*plots, "skipped", json_string(o[i].note));
	summary_line(s, o, 2, line, len);
	return rc;
}

json_t *rb_storm_plots_skipped(const char *reason, char *line, size_t len)
{
	snprintf(line, len, "skipped: %s", reason);
	return json_pack("{s:s}", "skipped", reason);
}
