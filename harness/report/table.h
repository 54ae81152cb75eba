/* A result table: titled columns and rows of text cells, printed by
 * libsmartcols (util-linux's table library behind lsblk and findmnt) as
 * aligned text, or as a Markdown table for reports. The suites build their
 * tables with it, so that every one prints in every format the same way. */
#ifndef REAPBENCH_TABLE_H
#define REAPBENCH_TABLE_H

#include <stdbool.h>
#include <stdio.h>

/* How a suite prints its results (--format): the order of the choices, so
 * that a suite without Markdown offers the first two. JSON is the record. */
enum rb_format { RB_FORMAT_TEXT, RB_FORMAT_JSON, RB_FORMAT_MD };

enum { RB_COL_LEFT = 0, RB_COL_RIGHT = 1 };

struct rb_table;

/* NULL when out of memory. */
struct rb_table *rb_table_new(void);
void rb_table_free(struct rb_table *t);
/* For __attribute__((cleanup)): a table freed when it goes out of scope. */
void rb_table_freep(struct rb_table **t);
#define cleanup_table __attribute__((cleanup(rb_table_freep)))

/* Appends a column; ALIGN is RB_COL_LEFT or RB_COL_RIGHT. 0 or -ENOMEM. */
int rb_table_column(struct rb_table *t, const char *title, int align);

/* A column as a table of them declares it. */
struct rb_col {
	const char *title;
	int align;
};

/* Appends the N columns COLS. 0 or -ENOMEM. */
int rb_table_columns(struct rb_table *t, const struct rb_col *cols, size_t n);

/* Starts a new row; the cells set next go into it. 0 or -ENOMEM. */
int rb_table_row(struct rb_table *t);

/* Starts a new row whose first cell is NAME (a reaper's row). */
int rb_table_named_row(struct rb_table *t, const char *name);

/* Sets cell COL of the current row (printf-style). 0, -EINVAL (no row, no
 * such column) or -ENOMEM. */
int rb_table_cell(struct rb_table *t, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int rb_table_rows(const struct rb_table *t);

/* Colours cell COL of the current row (a libsmartcols colour name, "green",
 * or an escape sequence, "\033[1;31m"), shown only after rb_table_colours(T, true) and
 * only in text. 0 or -errno. */
int rb_table_cell_colour(struct rb_table *t, int col, const char *colour);
void rb_table_colours(struct rb_table *t, bool on);

/* What the table shows, in a few lines printed above it (after a blank
 * line). 0 or -ENOMEM. */
int rb_table_caption(struct rb_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints T to OUT as FORMAT (RB_FORMAT_TEXT or RB_FORMAT_MD; JSON is the
 * record's business and prints nothing), its caption first. 0 or -errno. */
int rb_table_print(struct rb_table *t, enum rb_format format, FILE *out);

#endif
