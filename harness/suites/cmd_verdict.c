/* reapbench verdict [DIR]: "which init should I use?" Every reaper of a
 * results directory held to one profile of what a container's PID 1 must do
 * (profile.c), as one table (reapers as columns, questions as rows) and a
 * few sentences per reaper. Reads the records make bench wrote (conform,
 * storm, signals, exhaust, startup); runs nothing. Exit 0, or 2 on bad input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "table.h"
#include "commands.h"
#include "options.h"
#include "record.h"
#include "verdict.h"

enum format { FORMAT_TEXT, FORMAT_MD, FORMAT_JSON };
static const char *const format_names[] = { "text", "md", "json", NULL };

#define LEGEND "✓ does it; ✗ does not (what happens instead); n/a does not apply; - not measured"

struct cfg {
	int format; /* enum format */
	bool profile;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt verdict_opts[] = {
	{ "format", 0, RB_OT_CHOICE, "F", AT(format), .choices = format_names,
	  .help = "text, md (report.md) or json (every answer with its sources)" },
	{ "profile", 0, RB_OT_FLAG, NULL, AT(profile),
	  .help = "print the profile: each row's rule and the record it reads" },
	{ 0 },
};

static const struct rb_cli verdict_cli = {
	.name = "verdict",
	.synopsis = "[OPTIONS] [DIR]",
	.about = "Which init should I use? Every reaper in the records of DIR (default the day's\n"
		 "results/<date>-<host>, as make bench writes it) held to one profile of what a\n"
		 "container's PID 1 must do, whatever the reaper claims: docker stop, exit codes,\n"
		 "reaping, signals, job control, races, cost next to none. Reads conform.json,\n"
		 "storm.json, signals.json, exhaust.json and startup.json (any may be missing: its\n"
		 "rows say so); runs nothing.\n\n"
		 "Cells: " LEGEND ".\nExit 0, 2 on bad input.",
	.opts = verdict_opts,
	.max_args = 1,
};

/* DIR/NAME.json into *OUT if it exists (NULL if not); -1: corrupt or of
 * another command. */
static int load(const char *dir, const char *name, json_t **out, struct rb_error *err)
{
	char path[4096];
	const char *cmd;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (access(path, F_OK) != 0)
		return 0;
	if (rb_record_load(path, out, err) < 0)
		return -1;
	cmd = json_string_value(json_object_get(*out, "command"));
	if (cmd && strcmp(cmd, name) == 0)
		return 0;
	rb_input_error(err, "%s: a record of '%s', not of %s", path, cmd ? cmd : "?", name);
	json_decref(*out);
	*out = NULL;
	return -1;
}

static int load_all(const char *dir, struct rb_verdict_records *in, struct rb_error *err)
{
	if (load(dir, "conform", &in->conform, err) < 0 || load(dir, "storm", &in->storm, err) < 0 ||
	    load(dir, "signals", &in->signals, err) < 0 || load(dir, "exhaust", &in->exhaust, err) < 0 ||
	    load(dir, "startup", &in->startup, err) < 0)
		return -1;
	if (!in->conform && !in->storm && !in->signals && !in->exhaust && !in->startup)
		return rb_input_error(err, "%s: no record (conform.json, storm.json, signals.json, "
				      "exhaust.json, startup.json): run make bench", dir);
	return 0;
}

static void free_all(struct rb_verdict_records *in)
{
	json_decref(in->conform);
	json_decref(in->storm);
	json_decref(in->signals);
	json_decref(in->exhaust);
	json_decref(in->startup);
}

/* ---- rendering -------------------------------------------------------------- */

static void cell_text(const struct rb_verdict_cell *c, char *buf, size_t len)
{
	switch (c->answer) {
	case RB_ANSWER_YES:
		snprintf(buf, len, "✓ %s", c->word);
		break;
	case RB_ANSWER_NO:
		snprintf(buf, len, "✗ %s", c->word);
		break;
	case RB_ANSWER_NA:
		snprintf(buf, len, "n/a");
		break;
	case RB_ANSWER_UNKNOWN:
		snprintf(buf, len, "- %s", c->word);
		break;
	default:
		snprintf(buf, len, "%s", c->word);
	}
}

/* Columns on a terminal: UTF-8 characters, not bytes. */
/* The answers: questions as rows, reapers as columns; in Markdown a NO in
 * bold. NULL when out of memory. */
static struct rb_table *answers_table(const struct rb_verdict *v, enum rb_format format)
{
	struct rb_table *t = rb_table_new();
	size_t nr = rb_verdict_nreapers(v);
	char buf[128];
	int rc = t ? rb_table_column(t, format == RB_FORMAT_MD ? "question" : "QUESTION", RB_COL_LEFT)
		   : -ENOMEM;

	for (size_t r = 0; r < nr && rc == 0; r++)
		rc = rb_table_column(t, rb_verdict_reaper(v, r), RB_COL_LEFT);
	for (size_t row = 0; row < v->nrows && rc == 0; row++) {
		rc = rb_table_named_row(t, v->rows[row].question);
		for (size_t r = 0; r < nr && rc == 0; r++) {
			const struct rb_verdict_cell *c = rb_verdict_cell(v, row, r);
			bool bold = format == RB_FORMAT_MD && c->answer == RB_ANSWER_NO;

			cell_text(c, buf, sizeof(buf));
			rc = rb_table_cell(t, (int)r + 1, bold ? "**%s**" : "%s", buf);
		}
	}
	if (rc < 0) {
		rb_table_free(t);
		return NULL;
	}
	return t;
}

/* The profile itself: each question, the record it reads, its rule. */
static struct rb_table *profile_table(const struct rb_profile_row *rows, size_t n)
{
	static const char *const titles[] = { "question", "record", "rule" };
	struct rb_table *t = rb_table_new();
	int rc = t ? 0 : -ENOMEM;

	for (size_t k = 0; k < 3 && rc == 0; k++)
		rc = rb_table_column(t, titles[k], RB_COL_LEFT);
	for (size_t row = 0; row < n && rc == 0; row++)
		rc = rb_table_named_row(t, rows[row].question) ?:
		     rb_table_cell(t, 1, "%s", rows[row].record) ?:
		     rb_table_cell(t, 2, "%s", rows[row].requires);
	if (rc < 0) {
		rb_table_free(t);
		return NULL;
	}
	return t;
}

static int print_text(const struct rb_verdict *v, const char *dir)
{
	struct rb_table *t cleanup_table = answers_table(v, RB_FORMAT_TEXT);
	char sentence[4096];

	if (!t)
		return -ENOMEM;
	printf("verdict from %s: every reaper held to what a container's PID 1 must do\n"
	       "(reapbench verdict --profile). " LEGEND ".\n\n", dir);
	rb_table_print(t, RB_FORMAT_TEXT, stdout);
	printf("\n");
	for (size_t r = 0; r < rb_verdict_nreapers(v); r++) {
		rb_verdict_sentence(v, r, sentence, sizeof(sentence));
		printf("%s\n", sentence);
	}
	return 0;
}

static int print_md(const struct rb_verdict *v, const char *dir)
{
	struct rb_table *t cleanup_table = answers_table(v, RB_FORMAT_MD);
	struct rb_table *p cleanup_table = profile_table(v->rows, v->nrows);
	char sentence[4096];

	if (!t || !p)
		return -ENOMEM;
	rb_table_print(t, RB_FORMAT_MD, stdout);
	printf("\n" LEGEND ". Every reaper is held to the same profile (below), not to its own\n"
	       "claims; each answer's checks and figures: `reapbench verdict %s --format json`.\n\n", dir);
	for (size_t r = 0; r < rb_verdict_nreapers(v); r++) {
		rb_verdict_sentence(v, r, sentence, sizeof(sentence));
		printf("- %s\n", sentence);
	}
	printf("\nThe profile (what a container's PID 1 must do; the reference's behaviour):\n\n");
	return rb_table_print(p, RB_FORMAT_MD, stdout);
}

static json_t *profile_json(const struct rb_profile_row *rows, size_t n)
{
	json_t *a = json_array();

	for (size_t row = 0; row < n; row++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "id", rows[row].id, "question",
						   rows[row].question, "record", rows[row].record,
						   "requires", rows[row].requires));
	return a;
}

static void print_json(const struct rb_verdict *v, const char *dir)
{
	json_t *doc = json_pack("{s:s, s:o, s:O}", "dir", dir, "profile", profile_json(v->rows, v->nrows),
				"reapers", v->reapers);
	json_t *answers = json_array(), *sentences = json_object();
	char sentence[4096];

	for (size_t r = 0; r < rb_verdict_nreapers(v); r++) {
		for (size_t row = 0; row < v->nrows; row++) {
			const struct rb_verdict_cell *c = rb_verdict_cell(v, row, r);

			json_array_append_new(answers, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "reaper",
				rb_verdict_reaper(v, r), "row", v->rows[row].id, "answer",
				rb_answer_name(c->answer), "word", c->word, "phrase", c->phrase,
				"sources", c->sources));
		}
		rb_verdict_sentence(v, r, sentence, sizeof(sentence));
		json_object_set_new(sentences, rb_verdict_reaper(v, r), json_string(sentence));
	}
	json_object_set_new(doc, "answers", answers);
	json_object_set_new(doc, "sentences", sentences);
	json_dumpf(doc, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(doc);
}

static void print_profile(void)
{
	size_t n;
	const struct rb_profile_row *rows = rb_profile_rows(&n);

	for (size_t i = 0; i < n; i++)
		printf("%-14s %-13s %s\n%29s%s\n", rows[i].id, rows[i].record, rows[i].question, "",
		       rows[i].requires);
}

/* ---- the command -------------------------------------------------------------- */


int rb_cmd_verdict(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct rb_verdict v = { .in = { 0 } };
	struct cfg c = { .format = FORMAT_TEXT };
	enum format format;
	char dir[1024];
	int rc, first;

	rc = rb_cli_parse(&verdict_cli, argc, argv, &(struct rb_cli_targets){ .cfg = &c }, &first,
			  err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (c.profile) {
		print_profile();
		return 0;
	}
	format = (enum format)c.format;
	if (first < argc)
		snprintf(dir, sizeof(dir), "%s", argv[first]);
	else
		rb_results_dir(dir, sizeof(dir), si);
	if (load_all(dir, &v.in, err) < 0) {
		free_all(&v.in);
		return -1;
	}
	if (rb_verdict_build(&v) < 0) {
		rb_verdict_free(&v);
		free_all(&v.in);
		return rb_input_error(err, "%s: the records name no reaper", dir);
	}
	rc = 0;
	if (format == FORMAT_TEXT)
		rc = print_text(&v, dir);
	else if (format == FORMAT_MD)
		rc = print_md(&v, dir);
	else
		print_json(&v, dir);
	rb_verdict_free(&v);
	free_all(&v.in);
	return rc < 0 ? rb_sys_error(err, -rc, "verdict: the table") : 0;
}
