/* The result table (table.h): the same cells as aligned text (libsmartcols)
 * and as Markdown, the caption above, '|' escaped in Markdown, right
 * alignment in both, and bad cells refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

/* T printed as FORMAT, into a string the caller frees. */
static char *render(struct rb_table *t, enum rb_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(rb_table_print(t, format, f), 0);
	fclose(f);
	return buf;
}

static struct rb_table *sample(void)
{
	struct rb_table *t = rb_table_new();

	assert_non_null(t);
	assert_int_equal(rb_table_column(t, "REAPER", RB_COL_LEFT), 0);
	assert_int_equal(rb_table_column(t, "P50 ms", RB_COL_RIGHT), 0);
	assert_int_equal(rb_table_named_row(t, "reference"), 0);
	assert_int_equal(rb_table_cell(t, 1, "%.2f", 1.5), 0);
	assert_int_equal(rb_table_named_row(t, "a|b"), 0);
	assert_int_equal(rb_table_cell(t, 1, "%d", 12), 0);
	return t;
}

static void test_text_aligned(void **state)
{
	struct rb_table *t cleanup_table = sample();
	char *out;

	(void)state;
	assert_int_equal(rb_table_rows(t), 2);
	out = render(t, RB_FORMAT_TEXT);
	/* the figures right-aligned under their title, the names left */
	assert_non_null(strstr(out, "REAPER    P50 ms\n"));
	assert_non_null(strstr(out, "reference   1.50\n"));
	assert_non_null(strstr(out, "a|b           12\n"));
	free(out);
}

static void test_markdown(void **state)
{
	struct rb_table *t cleanup_table = sample();
	char *out;

	(void)state;
	assert_int_equal(rb_table_caption(t, "medians over %d runs", 3), 0);
	out = render(t, RB_FORMAT_MD);
	assert_string_equal(out, "\nmedians over 3 runs\n\n"
				 "| REAPER | P50 ms |\n"
				 "|---|---:|\n"
				 "| reference | 1.50 |\n"
				 "| a\\|b | 12 |\n");
	free(out);
	/* JSON is the record's: the table prints nothing */
	out = render(t, RB_FORMAT_JSON);
	assert_string_equal(out, "");
	free(out);
}

static void test_bad_cells(void **state)
{
	struct rb_table *t cleanup_table = rb_table_new();

	(void)state;
	assert_int_equal(rb_table_column(t, "A", RB_COL_LEFT), 0);
	/* no row yet, then a column that does not exist */
	assert_int_equal(rb_table_cell(t, 0, "x"), -EINVAL);
	assert_int_equal(rb_table_row(t), 0);
	assert_int_equal(rb_table_cell(t, 1, "x"), -EINVAL);
	assert_int_equal(rb_table_cell(t, -1, "x"), -EINVAL);
	assert_int_equal(rb_table_cell(t, 0, "x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_aligned),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_bad_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
