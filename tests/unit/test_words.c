/* Unit tests for harness/core/registry.c's word functions: rb_split_words (command
 * templates) and rb_shell_join (quoting argv for sh -c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "error.h"
#include "registry.h"


static size_t count_words(char **words)
{
	size_t n = 0;

	while (words[n])
		n++;
	return n;
}

/* Split LINE and compare with the NULL-terminated list WANT. */
static void check_split(const char *line, const char *const want[])
{
	struct rb_error err = { 0 };
	char **words = NULL;
	size_t n = 0;

	if (rb_split_words(line, &words, &err) != 0)
		fail_msg("rb_split_words(\"%s\") failed: %s", line, err.msg);
	assert_non_null(words);
	while (want[n])
		n++;
	if (count_words(words) != n)
		fail_msg("rb_split_words(\"%s\"): %zu words, want %zu", line, count_words(words), n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(words[i], want[i]) != 0)
			fail_msg("rb_split_words(\"%s\"): word %zu is \"%s\", want \"%s\"", line, i,
				 words[i], want[i]);
	rb_argv_free(words);
}

static void check_split_fails(const char *line)
{
	struct rb_error err = { 0 };
	char **words = (char **)&err; /* must be reset to NULL */

	assert_int_equal(rb_split_words(line, &words, &err), -1);
	assert_null(words);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_contains(err.msg, "unterminated quote");
	assert_contains(err.msg, line);
}

/* ---- rb_split_words -------------------------------------------------------- */

static void test_split_whitespace(void **state)
{
	(void)state;
	check_split("a b c", (const char *[]){ "a", "b", "c", NULL });
	check_split("  a \t b\t\tc  ", (const char *[]){ "a", "b", "c", NULL });
	check_split("{binary} -- {cmd}", (const char *[]){ "{binary}", "--", "{cmd}", NULL });
}

static void test_split_empty_line_has_no_words(void **state)
{
	(void)state;
	check_split("", (const char *[]){ NULL });
	check_split(" \t  ", (const char *[]){ NULL });
}

static void test_split_single_quotes(void **state)
{
	(void)state;
	check_split("'a b' c", (const char *[]){ "a b", "c", NULL });
	check_split("'say \"hi\"'", (const char *[]){ "say \"hi\"", NULL });
	check_split("'$? *'", (const char *[]){ "$? *", NULL });
}

static void test_split_double_quotes(void **state)
{
	(void)state;
	check_split("\"a b\" c", (const char *[]){ "a b", "c", NULL });
	check_split("\"it's\"", (const char *[]){ "it's", NULL });
	check_split("x \"a\tb\"", (const char *[]){ "x", "a\tb", NULL });
}

static void test_split_quotes_join_adjacent_text(void **state)
{
	(void)state;
	check_split("a'b c'd", (const char *[]){ "ab cd", NULL });
	check_split("--opt=\"x y\"", (const char *[]){ "--opt=x y", NULL });
	check_split("'a'\"b\"", (const char *[]){ "ab", NULL });
}

static void test_split_empty_quotes_make_empty_word(void **state)
{
	(void)state;
	check_split("'' x", (const char *[]){ "", "x", NULL });
	check_split("x \"\"", (const char *[]){ "x", "", NULL });
}

static void test_split_backslash_outside_quotes(void **state)
{
	(void)state;
	check_split("a\\ b", (const char *[]){ "a b", NULL });
	check_split("\\'x", (const char *[]){ "'x", NULL });
	check_split("\\\"", (const char *[]){ "\"", NULL });
	check_split("a\\\\b", (const char *[]){ "a\\b", NULL });
}

static void test_split_backslash_inside_double_quotes(void **state)
{
	(void)state;
	check_split("\"a\\\"b\"", (const char *[]){ "a\"b", NULL });
	check_split("\"a\\\\b\"", (const char *[]){ "a\\b", NULL });
}

static void test_split_backslash_literal_in_single_quotes(void **state)
{
	(void)state;
	check_split("'a\\b'", (const char *[]){ "a\\b", NULL });
	check_split("'a\\'", (const char *[]){ "a\\", NULL });
}

static void test_split_trailing_backslash_kept(void **state)
{
	(void)state;
	check_split("a\\", (const char *[]){ "a\\", NULL });
}

static void test_split_bash_template(void **state)
{
	(void)state;
	check_split("{binary} -c \"{cmd_sh}; exit $?\"",
		    (const char *[]){ "{binary}", "-c", "{cmd_sh}; exit $?", NULL });
}

static void test_split_unterminated_quote_fails(void **state)
{
	(void)state;
	check_split_fails("\"abc");
	check_split_fails("'abc");
	check_split_fails("a 'b c");
	check_split_fails("{binary} -c \"{cmd_sh}; exit $?");
	check_split_fails("\"escaped close\\\"");
	check_split_fails("'");
}

/* ---- rb_shell_join --------------------------------------------------------- */

static void check_join(char *const argv[], const char *want)
{
	char *got = rb_shell_join(argv);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_join_exact_quoting(void **state)
{
	(void)state;
	check_join((char *[]){ "a", NULL }, "'a'");
	check_join((char *[]){ "a b", "c", NULL }, "'a b' 'c'");
	check_join((char *[]){ "it's", NULL }, "'it'\\''s'");
	check_join((char *[]){ "'", NULL }, "''\\'''");
	check_join((char *[]){ "", NULL }, "''");
	check_join((char *[]){ "", "", NULL }, "'' ''");
}

static void test_join_empty_argv_is_empty_string(void **state)
{
	(void)state;
	check_join((char *[]){ NULL }, "");
}


/* The shell must see exactly ARGS again: /bin/sh -c "printf '%s\0' JOINED". */
static void check_shell_round_trip(char *const args[])
{
	char *joined = rb_shell_join(args), *script, *out, *p;
	size_t len, i = 0;
	int status;

	assert_non_null(joined);
	assert_true(asprintf(&script, "printf '%%s\\0' %s", joined) > 0);
	out = run_capture((char *[]){ "/bin/sh", "-c", script, NULL }, &len, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (p = out; p < out + len; p += strlen(p) + 1, i++) {
		if (!args[i])
			fail_msg("the shell saw more words than the %zu given (%s)", i, joined);
		if (strcmp(p, args[i]) != 0)
			fail_msg("word %zu: the shell saw \"%s\", want \"%s\" (joined: %s)", i, p,
				 args[i], joined);
	}
	if (args[i])
		fail_msg("the shell saw %zu words, fewer than given (%s)", i, joined);
	free(out);
	free(script);
	free(joined);
}

static void test_join_round_trips_through_sh(void **state)
{
	(void)state;
	check_shell_round_trip((char *[]){ "plain", NULL });
	check_shell_round_trip((char *[]){ "with space", "two  spaces", NULL });
	check_shell_round_trip((char *[]){ "it's", "'", "''", "'quoted'", NULL });
	check_shell_round_trip((char *[]){ "", "x", "", NULL });
	check_shell_round_trip((char *[]){ "a\"b", "back\\slash", "\\", NULL });
	check_shell_round_trip((char *[]){ "$HOME", "`id`", "$(id)", "*", "?", "~", NULL });
	check_shell_round_trip((char *[]){ "a;b", "a|b", "a&b", "a>b", "#x", "!x", NULL });
	check_shell_round_trip((char *[]){ "new\nline", "tab\there", "-n", "%s", NULL });
}

/* What the shell sees with one argument per line, as printf "%s\n" prints it. */
static void test_join_round_trips_through_sh_newline_format(void **state)
{
	char *const args[] = { "sleep", "it's 5", "a \"b\"", NULL };
	char *joined = rb_shell_join(args), *script, *out;
	size_t len;
	int status;

	(void)state;
	assert_true(asprintf(&script, "printf \"%%s\\n\" %s", joined) > 0);
	out = run_capture((char *[]){ "/bin/sh", "-c", script, NULL }, &len, &status);
	assert_int_equal(status, 0);
	assert_int_equal(len, strlen("sleep\nit's 5\na \"b\"\n"));
	assert_memory_equal(out, "sleep\nit's 5\na \"b\"\n", len);
	free(out);
	free(script);
	free(joined);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_whitespace),
		cmocka_unit_test(test_split_empty_line_has_no_words),
		cmocka_unit_test(test_split_single_quotes),
		cmocka_unit_test(test_split_double_quotes),
		cmocka_unit_test(test_split_quotes_join_adjacent_text),
		cmocka_unit_test(test_split_empty_quotes_make_empty_word),
		cmocka_unit_test(test_split_backslash_outside_quotes),
		cmocka_unit_test(test_split_backslash_inside_double_quotes),
		cmocka_unit_test(test_split_backslash_literal_in_single_quotes),
		cmocka_unit_test(test_split_trailing_backslash_kept),
		cmocka_unit_test(test_split_bash_template),
		cmocka_unit_test(test_split_unterminated_quote_fails),
		cmocka_unit_test(test_join_exact_quoting),
		cmocka_unit_test(test_join_empty_argv_is_empty_string),
		cmocka_unit_test(test_join_round_trips_through_sh),
		cmocka_unit_test(test_join_round_trips_through_sh_newline_format),
	};

	return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
