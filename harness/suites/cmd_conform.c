/* reapbench conform: the PID 1 conformance matrix. One row per check, one
 * column per reaper; each cell what was OBSERVED and whether that is what the
 * reaper's descriptor claims. Exit 0: every claim held; 1: a deviation (or a
 * cell that could not be observed); 2: bad input. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"
#include "suite.h"
#include "table.h"
#include "commands.h"
#include "conform.h"
#include "options.h"
#include "record.h"

enum format { FORMAT_TEXT, FORMAT_MD, FORMAT_JSON, FORMAT_TAP };
static const char *const format_names[] = { "text", "md", "json", "tap", NULL };

#define MAX_REAPERS 64
#define MAX_OUTCOMES 6

/* --repeat: how often a racy cell saw each outcome ("?": not observed). */
struct outcomes {
	int n;
	char value[MAX_OUTCOMES][48];
	int count[MAX_OUTCOMES];
};

struct matrix {
	struct rb_check *checks;
	size_t nchecks;
	struct rb_reaper reapers[MAX_REAPERS];
	size_t nreapers;
	struct rb_cell *cells;    /* [check][reaper] */
	struct outcomes *outs;    /* [check][reaper] */
};

static struct rb_cell *cell_at(struct matrix *m, size_t check, size_t reaper)
{
	return &m->cells[check * m->nreapers + reaper];
}

static struct outcomes *outs_at(struct matrix *m, size_t check, size_t reaper)
{
	return &m->outs[check * m->nreapers + reaper];
}

static void tally(struct outcomes *o, const char *value)
{
	int i;

	for (i = 0; i < o->n && strcmp(o->value[i], value) != 0; i++)
		;
	if (i == o->n) {
		if (o->n == MAX_OUTCOMES)
			i = MAX_OUTCOMES - 1; /* the rest counted with the last */
		else
			snprintf(o->value[o->n++], sizeof(o->value[0]), "%s", value);
	}
	o->count[i]++;
}

static int count_of(const struct outcomes *o, const char *value)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(o->value[i], value) == 0)
			return o->count[i];
	return 0;
}

/* The outcome a racy row shows in every column: the one seen most often in
 * the whole row, so that the row reads across (one outcome's rate each). */
static const char *row_outcome(struct matrix *m, size_t check)
{
	const char *best = "";
	int best_n = -1;

	for (size_t r = 0; r < m->nreapers; r++) {
		const struct outcomes *o = outs_at(m, check, r);

		for (int i = 0; i < o->n; i++) {
			int total = 0;

			for (size_t q = 0; q < m->nreapers; q++)
				total += count_of(outs_at(m, check, q), o->value[i]);
			if (total > best_n) {
				best_n = total;
				best = o->value[i];
			}
		}
	}
	return best;
}

/* --check PATTERN (repeatable, or comma-separated): the checks any of them
 * selects. */
#define MAX_PATTERNS 32
struct patterns {
	int n;
	char p[MAX_PATTERNS][64];
};

static int add_patterns(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct patterns *ps = field;
	const char *p = arg;

	do {
		size_t len = strcspn(p, ",");

		if (len == 0 || len >= sizeof(ps->p[0]))
			return rb_input_error(err, "%s: '%s' is not PATTERN[,PATTERN]...", opt, arg);
		if (ps->n == MAX_PATTERNS)
			return rb_input_error(err, "%s: at most %d patterns", opt, MAX_PATTERNS);
		snprintf(ps->p[ps->n++], sizeof(ps->p[0]), "%.*s", (int)len, p);
		p += len;
	} while (*p++ == ',');
	return 0;
}

static bool matches(const struct rb_check *c, const char *pattern)
{
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, c->name, 0) == 0;
	return strstr(c->name, pattern) != NULL;
}

static bool selected(const struct rb_check *c, const struct patterns *ps)
{
	for (int i = 0; i < ps->n; i++)
		if (matches(c, ps->p[i]))
			return true;
	return ps->n == 0;
}

/* What the command line sets (the sandbox options go into the context). */
struct cfg {
	struct patterns patterns;
	int format; /* enum format */
	bool list;
	long repeat;
	int64_t grace_ns;
	int observer; /* enum rb_observer */
	char observer_why[256]; /* auto: why not bpf */
	struct rb_output out; /* its format is text: conform prints its own forms */
	struct rb_selection sel;
	/* the run's state */
	struct matrix m;
	struct rb_conform_ctx cx;
	struct rb_prompt_ref prompt_ref;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt conform_opts[] = {
	{ "check", 0, RB_OT_FN, "PATTERN", AT(patterns), .parse = add_patterns,
	  .help = "only checks whose name contains PATTERN (or matches it,\n"
		  "if it has * ? [); repeatable, or A,B: any of them", .dflt = "every check" },
	{ "list", 0, RB_OT_FLAG, NULL, AT(list), .help = "list the checks with one line each, run nothing" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, 10000,
	  .help = "run racy checks N times and report rates" },
	{ "format", 0, RB_OT_CHOICE, "F", AT(format), .choices = format_names,
	  .help = "text, md, json or tap" },
	{ "json", 0, RB_OT_STR, "PATH", RB_IN_OUTPUT, offsetof(struct rb_output, json),
	  .help = "the record", .dflt = "DIR/conform.json; without --out:\nresults/runs/<time>-conform.json" },
	{ "grace", 0, RB_OT_NS, "DUR", AT(grace_ns), 0, 600e9,
	  .help = "docker stop's grace period before SIGKILL" },
	{ "observer", 0, RB_OT_CHOICE, "O", AT(observer), .choices = rb_observer_names,
	  .help = "who times the checks that time (reap.prompt's exit->reap\n"
		  "latencies): pidfd (the payload's), bpf (the kernel's\n"
		  "tracepoints; root), both (judged by the kernel's, the\n"
		  "pidfd figure beside) or auto (bpf where it loads)",
	  .dflt = "auto" },
	{ 0 },
};

static const struct rb_cli conform_cli = {
	.name = "conform",
	.about = "Runs every check with each reaper as PID 1 of a fresh sandbox and prints the\n"
		 "observed behaviour next to the reaper's claims (reapers/NAME.ini [claims]).\n\n"
		 "Cells: as claimed; \"!\" deviates from the claim; \"~\" nothing claimed;\n"
		 "\"?\" could not be observed. Racy checks are marked \"(racy)\"; with --repeat, each\n"
		 "column of such a row shows the same outcome, \"lost 3/10\": how many of the runs saw\n"
		 "the row's commonest outcome (the record has every outcome's count). Exit 0 all\n"
		 "claims held, 1 deviation, 2 bad input.",
	.opts = conform_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
	.defaults = (const struct rb_opt_default[]){
		{ "deadline", "the grace period and 5s more" }, { 0 } },
};

static void verdict(struct rb_cell *cell, int rc)
{
	if (rc < 0)
		cell->verdict = RB_VERDICT_ERROR;
	else if (cell->expected[0] == '\0')
		cell->verdict = RB_VERDICT_UNCLAIMED;
	else
		cell->verdict = strcmp(cell->observed, cell->expected) == 0 ? RB_VERDICT_OK
									    : RB_VERDICT_DEVIATES;
}

/* One cell: once, or REPEAT times for a racy check. A claimed cell shows
 * the first run that deviated (or could not observe), else the first run,
 * and how many runs matched the claim; an unclaimed one shows the first
 * run's value and how many runs saw that same value. */
static void run_cell(const struct rb_check *c, struct rb_conform_ctx *ctx, int repeat,
		     struct rb_cell *cell, struct outcomes *outs)
{
	int runs = c->racy ? repeat : 1, matches = 0, same = 0;
	struct rb_cell one;

	for (int i = 0; i < runs; i++) {
		bool kept_fine = cell->verdict == RB_VERDICT_OK || cell->verdict == RB_VERDICT_UNCLAIMED;

		memset(&one, 0, sizeof(one));
		verdict(&one, c->run(c, ctx, &one));
		tally(outs, one.verdict == RB_VERDICT_ERROR ? "?" : one.observed);
		matches += one.verdict == RB_VERDICT_OK;
		if (i == 0 || (kept_fine && one.verdict != RB_VERDICT_OK &&
			       one.verdict != RB_VERDICT_UNCLAIMED))
			*cell = one;
		same += strcmp(one.observed, cell->observed) == 0;
	}
	cell->runs = runs;
	cell->matches = cell->verdict == RB_VERDICT_UNCLAIMED ? same : matches;
}

static void progress(const struct matrix *m, size_t done, size_t total, const char *reaper,
		     const char *check)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[Kconform: %zu/%zu  %s  %s", done, total, reaper, check);
	if (done == total)
		fprintf(stderr, "\r\033[K");
	(void)m;
}

static void run_matrix(struct matrix *m, struct rb_conform_ctx *base, int repeat)
{
	size_t total = m->nchecks * m->nreapers, done = 0;

	for (size_t r = 0; r < m->nreapers; r++) {
		struct rb_conform_ctx ctx = *base;

		ctx.r = &m->reapers[r];
		for (size_t c = 0; c < m->nchecks; c++) {
			progress(m, done++, total, ctx.r->name, m->checks[c].name);
			run_cell(&m->checks[c], &ctx, repeat, cell_at(m, c, r), outs_at(m, c, r));
		}
	}
	progress(m, total, total, "", "");
}

/* ---- output ---------------------------------------------------------------- */

static const char *mark(const struct rb_cell *cell)
{
	switch (cell->verdict) {
	case RB_VERDICT_OK:
		return "";
	case RB_VERDICT_DEVIATES:
		return "!";
	case RB_VERDICT_ERROR:
		return "?";
	default:
		return "~";
	}
}

/* A cell as the matrix shows it; a racy row repeated (--repeat) shows the
 * same outcome's rate in every column ("lost 3/10"), then the mark. */
static void cell_text(struct matrix *m, size_t check, size_t reaper, char *buf, size_t len)
{
	const struct rb_cell *cell = cell_at(m, check, reaper);
	const char *o;

	if (cell->runs > 1) {
		o = row_outcome(m, check);
		snprintf(buf, len, "%s %d/%d%s", o, count_of(outs_at(m, check, reaper), o), cell->runs,
			 mark(cell));
	} else
		snprintf(buf, len, "%s%s", cell->observed, mark(cell));
}

/* A racy check is marked in the matrix itself. */
static void check_label(const struct rb_check *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", c->name, c->racy ? " (racy)" : "");
}

/* A cell's colour on a terminal: green as claimed, bold red a deviation
 * or nothing observed, dim nothing claimed. */
static const char *colour(const struct rb_cell *cell)
{
	switch (cell->verdict) {
	case RB_VERDICT_OK:
		return "\033[32m";
	case RB_VERDICT_DEVIATES:
	case RB_VERDICT_ERROR:
		return "\033[1;31m";
	default:
		return "\033[2m";
	}
}

/* The matrix: checks as rows, reapers as columns; in Markdown a deviation
 * in bold, on a terminal in colour. NULL when out of memory. */
static struct rb_table *matrix_table(struct matrix *m, enum rb_format format)
{
	struct rb_table *t = rb_table_new();
	bool md = format == RB_FORMAT_MD;
	char buf[96], label[96];
	int rc = t ? rb_table_column(t, md ? "check" : "CHECK", RB_COL_LEFT) : -ENOMEM;

	for (size_t r = 0; r < m->nreapers && rc == 0; r++)
		rc = rb_table_column(t, m->reapers[r].name, RB_COL_LEFT);
	for (size_t c = 0; c < m->nchecks && rc == 0; c++) {
		check_label(&m->checks[c], label, sizeof(label));
		rc = md ? rb_table_row(t) ?: rb_table_cell(t, 0, "`%s`%s", m->checks[c].name,
							   m->checks[c].racy ? " (racy)" : "")
			: rb_table_named_row(t, label);
		for (size_t r = 0; r < m->nreapers && rc == 0; r++) {
			struct rb_cell *cell = cell_at(m, c, r);
			bool bold = md && cell->verdict == RB_VERDICT_DEVIATES;

			cell_text(m, c, r, buf, sizeof(buf));
			rc = rb_table_cell(t, (int)r + 1, bold ? "**%s**" : "%s", buf) ?:
			     rb_table_cell_colour(t, (int)r + 1, colour(cell));
		}
	}
	if (rc < 0) {
		rb_table_free(t);
		return NULL;
	}
	rb_table_colours(t, !md && isatty(STDOUT_FILENO));
	return t;
}

static int print_matrix(struct matrix *m, enum rb_format format)
{
	struct rb_table *t cleanup_table = matrix_table(m, format);

	if (!t)
		return -ENOMEM;
	rb_table_print(t, format, stdout);
	if (format == RB_FORMAT_MD)
		printf("\nCells: as claimed; **!** deviates from the claim; ~ nothing claimed; ? not observed.\n"
		       "(racy) rows with --repeat: how many runs saw the row's commonest outcome, in every column.\n");
	else
		printf("\ncells: as claimed | ! deviates from the claim | ~ nothing claimed | ? not observed\n"
		       "(racy) rows with --repeat: how many runs saw the row's commonest outcome, in every column\n");
	return 0;
}

static void print_tap(struct matrix *m)
{
	size_t n = 0;

	printf("TAP version 13\n1..%zu\n", m->nchecks * m->nreapers);
	for (size_t r = 0; r < m->nreapers; r++)
		for (size_t c = 0; c < m->nchecks; c++) {
			struct rb_cell *cell = cell_at(m, c, r);
			const char *who = m->reapers[r].name, *name = m->checks[c].name;

			n++;
			switch (cell->verdict) {
			case RB_VERDICT_OK:
				printf("ok %zu - %s: %s: %s\n", n, who, name, cell->observed);
				break;
			case RB_VERDICT_UNCLAIMED:
				printf("ok %zu - %s: %s: %s # SKIP nothing claimed\n", n, who, name,
				       cell->observed);
				break;
			default:
				printf("not ok %zu - %s: %s: claimed '%s', observed '%s'\n", n, who, name,
				       cell->expected, cell->observed);
				printf("  # %s\n", cell->detail);
			}
		}
}

static const char *const verdict_names[] = {
	[RB_VERDICT_UNCLAIMED] = "unclaimed", [RB_VERDICT_OK] = "ok",
	[RB_VERDICT_DEVIATES] = "DEVIATES",   [RB_VERDICT_ERROR] = "error",
};

/* {"lost": 3, "delivered": 7}: a racy cell's runs per outcome. */
static json_t *outcomes_json(const struct outcomes *o)
{
	json_t *j = json_object();

	for (int i = 0; i < o->n; i++)
		json_object_set_new(j, o->value[i], json_integer(o->count[i]));
	return j;
}

/* Every option that shapes a cell: docker stop's grace period, the sandbox's
 * bounds (compare refuses records whose options differ). */
static void record_options(json_t *rec, const struct rb_conform_ctx *ctx, int repeat)
{
	json_t *o = json_object_get(rec, "options");

	json_object_set_new(o, "repeat", json_integer(repeat));
	json_object_set_new(o, "grace_s", json_real(ctx->grace_ns / 1e9));
	json_object_set_new(o, "observer", json_string(rb_observer_names[ctx->observer]));
	rb_sandbox_opts_record(o, &ctx->opts);
}

static json_t *matrix_record(struct matrix *m, const struct rb_sysinfo *si,
			     const struct rb_conform_ctx *ctx, int repeat)
{
	json_t *rec = rb_record_new("conform", si), *checks = json_array();

	record_options(rec, ctx, repeat);
	for (size_t c = 0; c < m->nchecks; c++)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:b}", "name", m->checks[c].name,
							"doc", m->checks[c].doc, "racy",
							m->checks[c].racy));
	json_object_set_new(rec, "checks", checks);
	for (size_t r = 0; r < m->nreapers; r++) {
		json_t *run = rb_record_add_run(rec, &m->reapers[r], NULL), *cells = json_array();

		for (size_t c = 0; c < m->nchecks; c++) {
			struct rb_cell *cell = cell_at(m, c, r);

			json_t *x = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
				"check", m->checks[c].name, "observed", cell->observed, "expected",
				cell->expected, "verdict", verdict_names[cell->verdict], "detail",
				cell->detail, "runs", cell->runs, "matches", cell->matches);

			if (m->checks[c].racy)
				json_object_set_new(x, "outcomes", outcomes_json(outs_at(m, c, r)));
			json_array_append_new(cells, x);
		}
		json_object_set_new(run, "conformance", cells);
	}
	return rec;
}

/* The deviations, one line each, on stderr for text/md (stdout is the table). */
static int list_deviations(struct matrix *m, FILE *out)
{
	int bad = 0;

	for (size_t r = 0; r < m->nreapers; r++)
		for (size_t c = 0; c < m->nchecks; c++) {
			struct rb_cell *cell = cell_at(m, c, r);

			if (cell->verdict != RB_VERDICT_DEVIATES && cell->verdict != RB_VERDICT_ERROR)
				continue;
			if (bad++ == 0)
				fprintf(out, "\n");
			if (cell->verdict == RB_VERDICT_ERROR)
				fprintf(out, "NOT OBSERVED  %-18s %-28s %s\n", m->reapers[r].name,
					m->checks[c].name, cell->detail);
			else
				fprintf(out, "DEVIATES      %-18s %-28s claimed '%s', observed '%s' (%s)\n",
					m->reapers[r].name, m->checks[c].name, cell->expected,
					cell->observed, cell->detail);
		}
	return bad;
}

/* ---- selection ----------------------------------------------------------------- */

static int pick_reapers(struct matrix *m, const struct rb_sysinfo *si,
			const struct rb_selection *sel, struct rb_error *err)
{
	struct rb_reaper *chosen;
	size_t n;

	if (rb_registry_select(si, sel->names, sel->n, sel->all, &chosen, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && m->nreapers < MAX_REAPERS; i++) {
		if (!chosen[i].available) {
			fprintf(stderr, "conform: skipping %s: unavailable: %s\n", chosen[i].name,
				chosen[i].unavailable_reason);
			continue;
		}
		m->reapers[m->nreapers++] = chosen[i];
	}
	free(chosen);
	return 0;
}

static int pick_checks(struct matrix *m, const struct patterns *ps, struct rb_error *err)
{
	size_t n, kept = 0;
	struct rb_check *all = rb_conform_checks(&n);

	if (!all)
		return rb_sys_error(err, ENOMEM, "checks");
	for (int k = 0; k < ps->n; k++) { /* each pattern must select something: a typo is no subset */
		size_t i;

		for (i = 0; i < n && !matches(&all[i], ps->p[k]); i++)
			;
		if (i == n) {
			free(all);
			return rb_input_error(err, "conform: no check matches '%s' (see conform --list)",
					      ps->p[k]);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (selected(&all[i], ps))
			all[kept++] = all[i];
	m->checks = all;
	m->nchecks = kept;
	return 0;
}


static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->format = FORMAT_TEXT;
	c->repeat = 1;
	c->grace_ns = 10LL * 1000000000;
	c->observer = RB_OBS_AUTO;
	x->opts.deadline_ns = 0;
}

static void list_checks(const struct matrix *m)
{
	for (size_t k = 0; k < m->nchecks; k++)
		printf("%-28s %s%s\n", m->checks[k].name, m->checks[k].doc,
		       m->checks[k].racy ? " [racy]" : "");
}

/* The checks (--list prints them: all done), the reapers, the matrix, the
 * observer that times reap.prompt. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct rb_conform_ctx *cx = &c->cx;

	/* each run's deadline: 5 s of work beyond the grace period, unless set */
	if (x->opts.deadline_ns == 0)
		x->opts.deadline_ns = c->grace_ns + 5LL * 1000000000;
	*cx = (struct rb_conform_ctx){ .si = x->si, .prompt_ref = &c->prompt_ref, .opts = x->opts,
				       .grace_ns = c->grace_ns, .observer = c->observer };
	if (pick_checks(&c->m, &c->patterns, err) < 0)
		return -1;
	if (c->list) {
		list_checks(&c->m);
		return 1;
	}
	snprintf(cx->payload, sizeof(cx->payload), "%s", x->si->payload);
	if (access(cx->payload, X_OK) != 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "payload %s (run make)", cx->payload);
	if (pick_reapers(&c->m, x->si, &c->sel, err) < 0)
		return -1;
	if (c->m.nreapers == 0)
		return rb_input_error(err, "conform: no reaper available");
	c->m.cells = calloc(c->m.nchecks * c->m.nreapers, sizeof(*c->m.cells));
	c->m.outs = calloc(c->m.nchecks * c->m.nreapers, sizeof(*c->m.outs));
	if (!c->m.cells || !c->m.outs)
		return rb_sys_error(err, ENOMEM, "matrix");
	return rb_observer_open(&cx->observer, &cx->bpf, (uint32_t)cx->opts.pid_max + 1, 4096,
				c->observer_why, sizeof(c->observer_why), err);
}

static int run(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	(void)err;
	run_matrix(&c->m, &c->cx, (int)c->repeat);
	rb_bpf_observer_close(c->cx.bpf);
	c->cx.bpf = NULL;
	return 0;
}

/* The record from the matrix; the matrix in its format; the deviations
 * (exit 1). */
static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	enum format format = (enum format)c->format;

	(void)err;
	json_decref(x->rec);
	x->rec = matrix_record(&c->m, x->si, &c->cx, (int)c->repeat);
	if (c->observer_why[0])
		json_object_set_new(json_object_get(x->rec, "options"), "observer_why",
				    json_string(c->observer_why));
	if (format == FORMAT_TAP) {
		print_tap(&c->m);
	} else if (format == FORMAT_JSON) {
		json_dumpf(x->rec, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
	} else if (print_matrix(&c->m, format == FORMAT_MD ? RB_FORMAT_MD : RB_FORMAT_TEXT) < 0) {
		fprintf(stderr, "reapbench: conform: out of memory for the table\n");
	}
	fflush(stdout); /* the table, whole, before the deviations on stderr */
	x->failures += list_deviations(&c->m, format == FORMAT_TEXT ? stdout : stderr);
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	const struct cfg *c = x->cfg;

	if (c->format != FORMAT_JSON && c->format != FORMAT_TAP)
		printf("\nrecord  %s\n", x->out->record);
}

static void release(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	rb_bpf_observer_close(c->cx.bpf);
	free(c->m.cells);
	free(c->m.outs);
	free(c->m.checks);
}

const struct rb_suite rb_suite_conform = {
	.name = "conform",
	.summary = "the PID 1 conformance matrix: observed behaviour vs claims",
	.cli = &conform_cli,
	RB_SUITE_CFG(struct cfg),
	.init = init,
	.prepare = prepare,
	.run = run,
	.report = report,
	.footer = footer,
	.release = release,
};
