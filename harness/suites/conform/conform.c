#include "conform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The families, in the order of the matrix. */
static const struct rb_check_family *const families[] = {
	&rb_family_exit,
	&rb_family_forward,
	&rb_family_reap,
	&rb_family_default,
	&rb_family_early,
	&rb_family_inherit,
	&rb_family_shutdown,
	&rb_family_main_exit,
	&rb_family_pod,
};

void rb_check_set(struct rb_check *c, const char *name, const char *doc, int arg, rb_check_fn *run,
		  bool racy)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->doc, sizeof(c->doc), "%s", doc);
	c->arg = arg;
	c->run = run;
	c->racy = racy;
}

struct rb_check *rb_conform_checks(size_t *n)
{
	size_t total = 0, at = 0;
	struct rb_check *all;

	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		total += families[f]->expand(NULL, 0);
	all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return NULL;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		at += families[f]->expand(all + at, total - at);
	*n = at;
	return all;
}

int rb_conform_run(struct rb_conform_ctx *ctx, char *const argv[], const struct rb_run_plan *plan,
		   struct rb_run_result *res, struct rb_error *err)
{
	struct rb_sandbox_opts opts = ctx->opts;
	int rc;

	/* The programs under test talk on stdout/stderr; the cells say what matters. */
	opts.output_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	rc = rb_run_payload(ctx->si, ctx->r, &opts, plan, argv, res, err);
	if (opts.output_fd >= 0)
		close(opts.output_fd);
	return rc;
}

void rb_cell_set(struct rb_cell *cell, const char *observed, const char *fmt, ...)
{
	va_list ap;

	snprintf(cell->observed, sizeof(cell->observed), "%s", observed);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(cell->detail, sizeof(cell->detail), fmt, ap);
		va_end(ap);
	}
}

void rb_cell_expect(struct rb_cell *cell, const char *expected)
{
	snprintf(cell->expected, sizeof(cell->expected), "%s", expected ? expected : "");
}

int rb_cell_error(struct rb_cell *cell, const char *fmt, ...)
{
	va_list ap;

	snprintf(cell->observed, sizeof(cell->observed), "error");
	va_start(ap, fmt);
	vsnprintf(cell->detail, sizeof(cell->detail), fmt, ap);
	va_end(ap);
	return -1;
}
