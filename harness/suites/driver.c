/* The one lifecycle of a measuring suite (suite.h): every subcommand that
 * measures reapers is a struct rb_suite run by rb_suite_main. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "record.h"
#include "suite.h"

#define RB_SUITE_POINTER(name) &rb_suite_##name,
const struct rb_suite *const rb_suites[] = { RB_SUITES(RB_SUITE_POINTER) NULL };

static struct rb_suite_row *row_head(const struct rb_suite_ctx *x, int i)
{
	return rb_suite_row(x, i); /* RB_SUITE_ROW_HEAD comes first */
}

/* A row per available reaper; the unavailable ones are skips in the record. */
static int add_rows(struct rb_suite_ctx *x, struct rb_error *err)
{
	const struct rb_suite *s = x->suite;

	if (!s->row_size)
		return 0;
	x->rows = calloc(x->nreapers ? x->nreapers : 1, s->row_size);
	if (!x->rows)
		return rb_sys_error(err, ENOMEM, "%s: rows", s->name);
	for (size_t i = 0; i < x->nreapers; i++) {
		struct rb_suite_row *w;

		if (rb_suite_skip_unavailable(x->rec, &x->reapers[i], s->name))
			continue;
		w = row_head(x, x->nrows++);
		w->r = &x->reapers[i];
		if (s->row_init && s->row_init(x, w, err) < 0)
			return -1;
	}
	return 0;
}

/* The suite's log is one per reaper (its name holds "%s"). */
static bool log_per_reaper(const struct rb_suite *s)
{
	return s->log && strstr(s->log, "%s");
}

static void log_path(const struct rb_suite_ctx *x, const char *name, char *buf, size_t len)
{
	char file[256];

	snprintf(file, sizeof(file), x->suite->log, name);
	snprintf(buf, len, "%s/logs/%s.log", x->out->dir, file);
}

/* The per-reaper log of run K of STEP: truncated at the reaper's first. */
static void open_row_log(struct rb_suite_ctx *x, const struct rb_suite_row *w, long k, long step)
{
	char path[RB_CLI_PATH_MAX + 300];

	if (!log_per_reaper(x->suite))
		return;
	log_path(x, w->r->name, path, sizeof(path));
	x->opts.output_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
				 (k || step ? O_APPEND : O_TRUNC), 0644);
}

static void close_log(struct rb_suite_ctx *x)
{
	if (x->opts.output_fd >= 0)
		close(x->opts.output_fd);
	x->opts.output_fd = -1;
}

static void progress(const struct rb_suite_ctx *x, const struct rb_suite_row *w, long k, long step)
{
	char label[64] = "";

	if (!isatty(STDERR_FILENO))
		return;
	if (x->suite->step_label)
		x->suite->step_label(x, step, label, sizeof(label));
	fprintf(stderr, "\r%-20s %-10s run %ld/%ld ", w->r->name, label, k + 1, x->repeat);
}

static void measure_row(struct rb_suite_ctx *x, struct rb_suite_row *w, long k, long step)
{
	int rc;

	progress(x, w, k, step);
	open_row_log(x, w, k, step);
	rc = x->suite->measure(x, w, k, step);
	if (log_per_reaper(x->suite))
		close_log(x);
	if (rc > 0)
		x->interrupted = true;
	else if (rc < 0)
		x->failures++;
	else
		w->runs++;
}

int rb_suite_run_rows(struct rb_suite_ctx *x, struct rb_error *err)
{
	char path[RB_CLI_PATH_MAX + 300];

	if (x->suite->log && !log_per_reaper(x->suite)) {
		log_path(x, "", path, sizeof(path));
		x->opts.output_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (x->opts.output_fd < 0)
			return rb_sys_error(err, errno, "writing %s", path);
	}
	for (long k = 0; k < x->repeat && !x->interrupted; k++)
		for (long step = 0; step < x->steps && !x->interrupted; step++) {
			for (int i = 0; i < x->nrows && !x->interrupted; i++)
				if (!row_head(x, i)->error[0])
					measure_row(x, row_head(x, i), k, step);
			if (x->suite->round_end && !x->interrupted)
				x->suite->round_end(x, k, step);
		}
	close_log(x);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%60s\r", "");
	return 0;
}

static struct rb_cli_targets targets_of(struct rb_suite_ctx *x)
{
	const struct rb_suite *s = x->suite;

	return (struct rb_cli_targets){
		.cfg = x->cfg, .output = x->out, .sandbox = &x->opts,
		.sel = s->cli->groups & RB_CLI_SELECTION ? (void *)((char *)x->cfg + s->sel_off) : NULL,
	};
}

/* Everything after the command line; rb_suite_main cleans up. */
static int drive(struct rb_suite_ctx *x, struct rb_error *err)
{
	const struct rb_suite *s = x->suite;
	struct rb_cli_targets t = targets_of(x);
	int rc = s->prepare ? s->prepare(x, err) : 0;

	if (rc != 0) /* 1: all done (conform --list) */
		return rc < 0 ? -1 : 0;
	if (rb_output_begin(x->out, s->name, s->output, x->si, err) < 0)
		return -1;
	if (s->row_size &&
	    rb_registry_select(x->si, t.sel->names, t.sel->n, t.sel->all, &x->reapers, &x->nreapers,
			       err) < 0)
		return -1;
	x->rec = rb_record_new(s->name, x->si);
	rb_cli_record(s->cli, &t, json_object_get(x->rec, "options"));
	if ((s->begin && s->begin(x, err) < 0) || add_rows(x, err) < 0)
		return -1;
	if ((s->run ? s->run(x, err) : rb_suite_run_rows(x, err)) < 0)
		return -1;
	if ((s->report && s->report(x, err) < 0) || rb_output_end(x->out, x->rec, err) < 0)
		return -1;
	if (rb_output_kept(x->out)) {
		if (s->footer)
			s->footer(x);
		else
			printf("\nrecord  %s\n", x->out->record);
	}
	return x->interrupted ? 130 : x->failures ? 1 : 0;
}

static void release(struct rb_suite_ctx *x)
{
	const struct rb_suite *s = x->suite;

	if (s->row_free)
		for (int i = 0; i < x->nrows; i++)
			s->row_free(rb_suite_row(x, i));
	if (s->release)
		s->release(x);
	close_log(x);
	free(x->rows);
	free(x->reapers);
	json_decref(x->rec);
	rb_output_close(x->out);
	free(x->cfg);
}

int rb_suite_main(const struct rb_suite *s, int argc, char **argv, const struct rb_sysinfo *si,
		  struct rb_error *err)
{
	struct rb_suite_ctx x = { .suite = s, .si = si, .repeat = 1, .steps = 1 };
	struct rb_cli_targets t;
	int rc, first;

	x.cfg = calloc(1, s->cfg_size);
	if (!x.cfg)
		return rb_sys_error(err, ENOMEM, "%s", s->name);
	x.out = (struct rb_output *)((char *)x.cfg + s->out_off);
	*x.out = (struct rb_output)RB_OUTPUT_INIT;
	rb_sandbox_opts_default(&x.opts);
	if (s->init)
		s->init(&x);
	t = targets_of(&x);
	rc = rb_cli_parse(s->cli, argc, argv, &t, &first, err);
	if (rc == 0)
		rc = drive(&x, err);
	else
		rc = rc < 0 ? -1 : 0;
	release(&x);
	return rc;
}
