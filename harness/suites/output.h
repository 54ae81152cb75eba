/* Where a measuring suite's results go and in what form: the output option
 * group (--out, --json, --no-record, --format) every such command takes,
 * and the one lifecycle around it: the results directory made before the
 * runs, the record written (or printed, for --format json) after them. */
#ifndef REAPBENCH_OUTPUT_H
#define REAPBENCH_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "cli.h"
#include "error.h"
#include "sysinfo.h"
#include "table.h"

struct rb_output {
	/* the options */
	char dir[RB_CLI_PATH_MAX]; /* --out; "" the default */
	const char *json;          /* --json; NULL: DIR/SUITE.json */
	bool no_record;            /* --no-record */
	int format;                /* --format: enum rb_format */
	/* set by rb_output_begin */
	const char *suite;
	bool temporary;    /* DIR is a temporary directory, removed by rb_output_close */
	int real_stdout;   /* --format json: the stdout the record goes to; else -1 */
	char record[RB_CLI_PATH_MAX + 64]; /* where the record goes; "" none */
};

/* --format's choices, in enum rb_format's order: every suite's, and the
 * suites whose tables are not made by struct rb_table yet (no md). */
extern const char *const rb_output_formats[];
extern const char *const rb_output_formats_no_md[];
#define RB_OPT_FORMAT(list)                                                                   \
	{ "format", 0, RB_OT_CHOICE, "F", RB_IN_OUTPUT, offsetof(struct rb_output, format),  \
	  .choices = list,                                                                     \
	  .help = "text, json (the record on stdout; all else on stderr)\n"                  \
		  "or md (the tables in Markdown) where offered" }

/* The options' defaults: text, a record kept. */
#define RB_OUTPUT_INIT { .format = RB_FORMAT_TEXT, .real_stdout = -1 }

enum {
	/* the suite keeps logs, CSVs and plots beside the record: make DIR (by
	 * default results/<date>-<host>) and DIR/logs. Without it the record
	 * alone goes to --json, DIR/SUITE.json with --out, else
	 * results/runs/<time>-SUITE.json */
	RB_OUTPUT_DIR = 1 << 0,
	/* the suite keeps its parts under DIR (by default
	 * results/<date>-<host>/SUITE), the record DIR/SUITE.json; no logs/ */
	RB_OUTPUT_OWN_DIR = 1 << 1,
};

/* Checks the options against each other, makes the directory (a temporary
 * one under --no-record), and under --format json sends stdout to stderr
 * until rb_output_end prints the record there. -1 with ERR. */
int rb_output_begin(struct rb_output *o, const char *suite, unsigned flags,
		    const struct rb_sysinfo *si, struct rb_error *err);

/* Writes REC to o->record (not under --no-record); under --format json
 * prints it on the real stdout. -1 with ERR. */
int rb_output_end(struct rb_output *o, json_t *rec, struct rb_error *err);

/* Whether the text and md forms should name the files kept (a record was
 * written and stdout is not the record). */
bool rb_output_kept(const struct rb_output *o);

/* Gives stdout back and removes a temporary directory; safe to call twice
 * and on every path. */
void rb_output_close(struct rb_output *o);
/* For __attribute__((cleanup)) on a pointer to a command's output:
 * `struct rb_output *out cleanup_output = &c.out;` closes it on every
 * return. */
void rb_output_closep(struct rb_output **o);
#define cleanup_output __attribute__((cleanup(rb_output_closep)))

#endif
