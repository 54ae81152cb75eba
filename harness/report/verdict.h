/* The verdict view: every reaper of a results directory answered on every
 * row of the profile (profile.h), and a few sentences per reaper saying what
 * its answers mean for an app and which inits here do better. Pure: reads
 * loaded records, runs nothing. Rendered by cmd_verdict.c. */
#ifndef REAPBENCH_VERDICT_H
#define REAPBENCH_VERDICT_H

#include <stddef.h>

#include <jansson.h>

#include "profile.h"

struct rb_verdict {
	struct rb_verdict_records in;
	const struct rb_profile_row *rows;
	size_t nrows;
	json_t *reapers;               /* names, in the records' order */
	struct rb_verdict_cell *cells; /* [row * nreapers + reaper] */
};

/* Fill V's reapers and cells from V->in; 0, or -1 when no record names a
 * reaper. */
int rb_verdict_build(struct rb_verdict *v);
void rb_verdict_free(struct rb_verdict *v);

size_t rb_verdict_nreapers(const struct rb_verdict *v);
const char *rb_verdict_reaper(const struct rb_verdict *v, size_t r);
const struct rb_verdict_cell *rb_verdict_cell(const struct rb_verdict *v, size_t row, size_t r);

/* Reaper R's answers in words: what its NO answers mean for an app, and for
 * the first of them the inits here that answer YES ("use tini, dumb-init or
 * catatonit"). */
void rb_verdict_sentence(const struct rb_verdict *v, size_t r, char *buf, size_t len);

/* "yes", "no", "info", "n/a", "unknown" */
const char *rb_answer_name(enum rb_answer a);

#endif
