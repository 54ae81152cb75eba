#include "verdict.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* REAPER's descriptor as some record has it ({name, class, mode, path}). */
static json_t *reaper_obj(const struct rb_verdict *v, const char *reaper)
{
	json_t *recs[] = { v->in.conform, v->in.storm, v->in.signals, v->in.exhaust, v->in.startup }, *run;

	for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++)
		if ((run = rb_record_first_run(recs[k], reaper)))
			return json_object_get(run, "reaper");
	return NULL;
}

static const char *reaper_field(const struct rb_verdict *v, const char *reaper, const char *key)
{
	return json_string_value(json_object_get(reaper_obj(v, reaper), key)) ?: "";
}

/* Every reaper of the records once, conform's order first. */
static void collect_reapers(struct rb_verdict *v)
{
	json_t *recs[] = { v->in.conform, v->in.storm, v->in.signals, v->in.exhaust, v->in.startup }, *run, *x;
	size_t i, j;

	v->reapers = json_array();
	for (size_t k = 0; k < sizeof(recs) / sizeof(recs[0]); k++)
		json_array_foreach(json_object_get(recs[k], "runs"), i, run) {
			bool seen = false;

			if (!rb_run_reaper(run))
				continue;
			json_array_foreach(v->reapers, j, x)
				seen |= strcmp(json_string_value(x), rb_run_reaper(run)) == 0;
			if (!seen)
				json_array_append_new(v->reapers, json_string(rb_run_reaper(run)));
		}
}

size_t rb_verdict_nreapers(const struct rb_verdict *v)
{
	return json_array_size(v->reapers);
}

const char *rb_verdict_reaper(const struct rb_verdict *v, size_t r)
{
	return json_string_value(json_array_get(v->reapers, r));
}

const struct rb_verdict_cell *rb_verdict_cell(const struct rb_verdict *v, size_t row, size_t r)
{
	return &v->cells[row * rb_verdict_nreapers(v) + r];
}

int rb_verdict_build(struct rb_verdict *v)
{
	size_t nr;

	v->rows = rb_profile_rows(&v->nrows);
	collect_reapers(v);
	nr = rb_verdict_nreapers(v);
	if (nr == 0)
		return -1;
	v->cells = calloc(v->nrows * nr, sizeof(*v->cells));
	if (!v->cells)
		abort();
	for (size_t row = 0; row < v->nrows; row++)
		for (size_t r = 0; r < nr; r++)
			rb_profile_answer(&v->rows[row], &v->in, rb_verdict_reaper(v, r),
					  &v->cells[row * nr + r]);
	return 0;
}

void rb_verdict_free(struct rb_verdict *v)
{
	size_t n = v->cells ? v->nrows * rb_verdict_nreapers(v) : 0;

	for (size_t i = 0; i < n; i++)
		json_decref(v->cells[i].sources);
	free(v->cells);
	json_decref(v->reapers);
	v->cells = NULL;
	v->reapers = NULL;
}

const char *rb_answer_name(enum rb_answer a)
{
	static const char *const names[] = { [RB_ANSWER_YES] = "yes", [RB_ANSWER_NO] = "no",
					     [RB_ANSWER_INFO] = "info", [RB_ANSWER_NA] = "n/a",
					     [RB_ANSWER_UNKNOWN] = "unknown" };

	return names[a];
}

/* "a", "a or b", "a, b or c" */
static void join_or(const char *const *names, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
	}
}

/* Whether reaper R is a real init that wraps an app and does PID 1's core
 * job (docker stop, reaping): bash passes exit codes on, but is no advice. */
static bool advisable(const struct rb_verdict *v, size_t r)
{
	const char *name = rb_verdict_reaper(v, r);

	if (strcmp(reaper_field(v, name, "class"), "init") != 0 ||
	    strcmp(reaper_field(v, name, "mode"), "wrap") != 0)
		return false;
	for (size_t row = 0; row < v->nrows; row++)
		if (v->rows[row].core && rb_verdict_cell(v, row, r)->answer != RB_ANSWER_YES)
			return false;
	return true;
}

/* Whether one of NAMES runs the same binary as NAME (tini-g is tini with a
 * flag: one name each). */
static bool same_binary(const struct rb_verdict *v, const char *const *names, size_t n, const char *name)
{
	const char *path = reaper_field(v, name, "path");

	for (size_t i = 0; i < n && path[0]; i++)
		if (strcmp(reaper_field(v, names[i], "path"), path) == 0)
			return true;
	return false;
}

/* The inits here that answer YES on ROW: "catatonit, dumb-init or tini". */
static void remedies(const struct rb_verdict *v, size_t row, size_t except, char *buf, size_t len)
{
	const char *names[64];
	size_t n = 0;

	for (size_t r = 0; r < rb_verdict_nreapers(v) && n < 64; r++)
		if (r != except && rb_verdict_cell(v, row, r)->answer == RB_ANSWER_YES && advisable(v, r) &&
		    !same_binary(v, names, n, rb_verdict_reaper(v, r)))
			names[n++] = rb_verdict_reaper(v, r);
	join_or(names, n, buf, len);
}

/* What the reaper is, where that changes how to read its column. */
static const char *lead(const struct rb_verdict *v, const char *reaper)
{
	const char *mode = reaper_field(v, reaper, "mode");

	if (strcmp(mode, "none") == 0)
		return "your app itself as PID 1, no init";
	if (strcmp(mode, "standalone") == 0)
		return "runs no app of its own (containers join its namespaces, as in a Kubernetes "
		       "pod), so the rows about your app do not apply";
	return NULL;
}

static void append(char *buf, size_t len, const char *sep, const char *s)
{
	size_t l = strlen(buf);

	snprintf(buf + l, len - l, "%s%s", l ? sep : "", s);
}

void rb_verdict_sentence(const struct rb_verdict *v, size_t r, char *buf, size_t len)
{
	const char *reaper = rb_verdict_reaper(v, r), *l = lead(v, reaper);
	char body[4096] = "", fix[512] = "", names[512];
	bool no = false;

	if (l)
		append(body, sizeof(body), "; ", l);
	for (size_t row = 0; row < v->nrows; row++) {
		const struct rb_verdict_cell *c = rb_verdict_cell(v, row, r);

		if (c->answer != RB_ANSWER_NO)
			continue;
		append(body, sizeof(body), "; ", c->phrase);
		if (!no && v->rows[row].remedy) {
			remedies(v, row, r, names, sizeof(names));
			if (names[0])
				snprintf(fix, sizeof(fix), "%s use %s", v->rows[row].remedy, names);
			else
				snprintf(fix, sizeof(fix), "no init measured here does better %s",
					 v->rows[row].remedy);
		}
		no = true;
	}
	if (!no)
		append(body, sizeof(body), "; ", l ? "of what applies, it does everything the profile asks"
						   : "does everything the profile asks, as far as measured here");
	snprintf(buf, len, "%s: %s%s%s.", reaper, body, fix[0] ? "; " : "", fix);
}
