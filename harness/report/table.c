#include "table.h"

#include <errno.h>
#include <libsmartcols/libsmartcols.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct rb_table {
	struct libscols_table *tb;
	struct libscols_line *row; /* the current row */
	int ncols;
	char *caption;
};

struct rb_table *rb_table_new(void)
{
	struct rb_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tb = scols_new_table();
	if (!t->tb) {
		free(t);
		return NULL;
	}
	/* the same aligned text on a terminal, a pipe or a file: never
	 * truncated to a terminal's width, no colour in a log */
	scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_NEVER);
	return t;
}

void rb_table_free(struct rb_table *t)
{
	if (!t)
		return;
	scols_unref_table(t->tb);
	free(t->caption);
	free(t);
}

void rb_table_freep(struct rb_table **t)
{
	rb_table_free(*t);
	*t = NULL;
}

int rb_table_column(struct rb_table *t, const char *title, int align)
{
	if (!scols_table_new_column(t->tb, title, 0, align == RB_COL_RIGHT ? SCOLS_FL_RIGHT : 0))
		return -ENOMEM;
	t->ncols++;
	return 0;
}

int rb_table_columns(struct rb_table *t, const struct rb_col *cols, size_t n)
{
	int rc = 0;

	for (size_t k = 0; k < n && rc == 0; k++)
		rc = rb_table_column(t, cols[k].title, cols[k].align);
	return rc;
}

int rb_table_row(struct rb_table *t)
{
	t->row = scols_table_new_line(t->tb, NULL);
	return t->row ? 0 : -ENOMEM;
}

int rb_table_named_row(struct rb_table *t, const char *name)
{
	return rb_table_row(t) ?: rb_table_cell(t, 0, "%s", name);
}

int rb_table_cell(struct rb_table *t, int col, const char *fmt, ...)
{
	char *text;
	va_list ap;
	int rc;

	if (!t->row || col < 0 || col >= t->ncols)
		return -EINVAL;
	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	/* the line owns TEXT from here */
	rc = scols_line_refer_data(t->row, (size_t)col, text);
	if (rc < 0)
		free(text);
	return rc < 0 ? rc : 0;
}

int rb_table_caption(struct rb_table *t, const char *fmt, ...)
{
	va_list ap;
	int rc;

	free(t->caption);
	va_start(ap, fmt);
	rc = vasprintf(&t->caption, fmt, ap);
	va_end(ap);
	if (rc < 0)
		t->caption = NULL;
	return rc < 0 ? -ENOMEM : 0;
}

int rb_table_cell_colour(struct rb_table *t, int col, const char *colour)
{
	if (!t->row || col < 0 || col >= t->ncols)
		return -EINVAL;
	return scols_cell_set_color(scols_line_get_cell(t->row, (size_t)col), colour) < 0 ? -ENOMEM : 0;
}

void rb_table_colours(struct rb_table *t, bool on)
{
	scols_table_enable_colors(t->tb, on);
}

int rb_table_rows(const struct rb_table *t)
{
	return (int)scols_table_get_nlines(t->tb);
}

/* A Markdown cell: '|' would end it early. */
static void md_cell(FILE *out, const char *s)
{
	fputs("| ", out);
	for (; s && *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc(' ', out);
}

static int print_md(struct rb_table *t, FILE *out)
{
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_line *ln;

	if (!it)
		return -ENOMEM;
	for (int c = 0; c < t->ncols; c++)
		md_cell(out, scols_column_get_name(scols_table_get_column(t->tb, (size_t)c)));
	fputs("|\n", out);
	for (int c = 0; c < t->ncols; c++) {
		struct libscols_column *cl = scols_table_get_column(t->tb, (size_t)c);

		fputs(scols_column_get_flags(cl) & SCOLS_FL_RIGHT ? "|---:" : "|---", out);
	}
	fputs("|\n", out);
	while (scols_table_next_line(t->tb, it, &ln) == 0) {
		for (int c = 0; c < t->ncols; c++)
			md_cell(out, scols_cell_get_data(scols_line_get_cell(ln, (size_t)c)));
		fputs("|\n", out);
	}
	scols_free_iter(it);
	return 0;
}

int rb_table_print(struct rb_table *t, enum rb_format format, FILE *out)
{
	if (format == RB_FORMAT_JSON)
		return 0;
	if (t->caption) /* Markdown: a paragraph of its own */
		fprintf(out, "\n%s\n%s", t->caption, format == RB_FORMAT_MD ? "\n" : "");
	fflush(out);
	if (format == RB_FORMAT_MD)
		return print_md(t, out);
	scols_table_set_stream(t->tb, out);
	return scols_print_table(t->tb) < 0 ? -EIO : 0;
}
