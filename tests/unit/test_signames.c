/* Unit tests for harness/common/signames.c: rb_signal_parse and rb_signal_name. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "signames.h"

/* Parse S and expect WANT, reporting S on failure. */
#define assert_parses(s, want)                                                            \
	do {                                                                              \
		int got_ = rb_signal_parse(s);                                            \
		if (got_ != (want))                                                       \
			fail_msg("rb_signal_parse(\"%s\") = %d, want %d", (s), got_, (int)(want)); \
	} while (0)

static void test_term_spellings(void **state)
{
	(void)state;
	assert_parses("TERM", SIGTERM);
	assert_parses("SIGTERM", SIGTERM);
	assert_parses("15", SIGTERM);
	assert_parses("term", SIGTERM);
	assert_parses("sigterm", SIGTERM);
	assert_parses("SigTerm", SIGTERM);
	assert_parses("015", SIGTERM);
}

static void test_standard_names(void **state)
{
	static const struct { const char *name; int sig; } table[] = {
		{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },
		{ "ILL", SIGILL },     { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
		{ "BUS", SIGBUS },     { "FPE", SIGFPE },       { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },     { "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE },   { "ALRM", SIGALRM },     { "STKFLT", SIGSTKFLT },
		{ "CHLD", SIGCHLD },   { "CONT", SIGCONT },     { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
		{ "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },   { "WINCH", SIGWINCH },
		{ "IO", SIGIO },       { "PWR", SIGPWR },       { "SYS", SIGSYS },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_parses(table[i].name, table[i].sig);
		snprintf(buf, sizeof(buf), "SIG%s", table[i].name);
		assert_parses(buf, table[i].sig);
	}
}

static void test_aliases(void **state)
{
	(void)state;
	assert_parses("IOT", SIGABRT);
	assert_parses("SIGIOT", SIGABRT);
	assert_parses("POLL", SIGIO);
	assert_parses("SIGPOLL", SIGIO);
}

static void test_numbers_in_range(void **state)
{
	char buf[16];

	(void)state;
	assert_parses("1", 1);
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX);
	assert_parses(buf, SIGRTMAX);
}

static void test_realtime(void **state)
{
	(void)state;
	assert_parses("RTMIN", SIGRTMIN);
	assert_parses("SIGRTMIN", SIGRTMIN);
	assert_parses("rtmin", SIGRTMIN);
	assert_parses("RTMIN+3", SIGRTMIN + 3);
	assert_parses("SIGRTMIN+3", SIGRTMIN + 3);
	assert_parses("RTMIN+0", SIGRTMIN);
	assert_parses("RTMAX", SIGRTMAX);
	assert_parses("SIGRTMAX", SIGRTMAX);
	assert_parses("RTMAX-1", SIGRTMAX - 1);
	assert_parses("SIGRTMAX-1", SIGRTMAX - 1);
}

static void test_realtime_edges(void **state)
{
	int span = SIGRTMAX - SIGRTMIN;
	char buf[32];

	(void)state;
	snprintf(buf, sizeof(buf), "RTMIN+%d", span);
	assert_parses(buf, SIGRTMAX);
	snprintf(buf, sizeof(buf), "RTMIN+%d", span + 1);
	assert_parses(buf, -1);
	snprintf(buf, sizeof(buf), "RTMAX-%d", span);
	assert_parses(buf, SIGRTMIN);
	snprintf(buf, sizeof(buf), "RTMAX-%d", span + 1);
	assert_parses(buf, -1);
}

static void test_rejects_empty_and_null(void **state)
{
	(void)state;
	assert_parses("", -1);
	assert_parses(NULL, -1);
}

static void test_rejects_zero_and_too_big(void **state)
{
	char buf[16];

	(void)state;
	assert_parses("0", -1);
	assert_parses("65", -1);
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX + 1);
	assert_parses(buf, -1);
	assert_parses("99999999999999999999", -1);
}

static void test_rejects_unknown_names(void **state)
{
	(void)state;
	assert_parses("FOO", -1);
	assert_parses("SIGFOO", -1);
	assert_parses("SIG", -1);
	assert_parses("SIGSIGTERM", -1);
	assert_parses("TERM ", -1);
	assert_parses(" TERM", -1);
	assert_parses("15x", -1);
	assert_parses(" 15", -1);
	assert_parses("-15", -1);
	assert_parses("+15", -1);
	assert_parses("all", -1);
}

static void test_rejects_bad_realtime(void **state)
{
	(void)state;
	assert_parses("RTMIN+99", -1);
	assert_parses("RTMIN-1", -1);
	assert_parses("RTMAX+1", -1);
	assert_parses("RTMIN+", -1);
	assert_parses("RTMAX-", -1);
	assert_parses("RTMIN+-1", -1);
	assert_parses("RTMIN+ 1", -1);
	assert_parses("RTMIN3", -1);
	assert_parses("RTMIN+1x", -1);
	assert_parses("RTMIN+99999999999", -1);
}

static void test_name_standard(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(rb_signal_name(SIGTERM, buf, sizeof(buf)), "SIGTERM");
	assert_string_equal(rb_signal_name(SIGKILL, buf, sizeof(buf)), "SIGKILL");
	assert_string_equal(rb_signal_name(SIGHUP, buf, sizeof(buf)), "SIGHUP");
	assert_string_equal(rb_signal_name(SIGSYS, buf, sizeof(buf)), "SIGSYS");
}

static void test_name_returns_buf(void **state)
{
	char buf[32];

	(void)state;
	assert_ptr_equal(rb_signal_name(SIGINT, buf, sizeof(buf)), buf);
}

static void test_name_realtime(void **state)
{
	char buf[32], want[32];

	(void)state;
	assert_string_equal(rb_signal_name(SIGRTMIN, buf, sizeof(buf)), "SIGRTMIN");
	assert_string_equal(rb_signal_name(SIGRTMIN + 3, buf, sizeof(buf)), "SIGRTMIN+3");
	snprintf(want, sizeof(want), "SIGRTMIN+%d", SIGRTMAX - SIGRTMIN);
	assert_string_equal(rb_signal_name(SIGRTMAX, buf, sizeof(buf)), want);
}

static void test_name_out_of_range_is_numeric(void **state)
{
	char buf[32], want[32];

	(void)state;
	assert_string_equal(rb_signal_name(0, buf, sizeof(buf)), "SIG0");
	snprintf(want, sizeof(want), "SIG%d", SIGRTMAX + 1);
	assert_string_equal(rb_signal_name(SIGRTMAX + 1, buf, sizeof(buf)), want);
}

static void test_name_truncates_to_buffer(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(rb_signal_name(SIGVTALRM, buf, 4), "SIG");
	assert_int_equal(buf[4], 'x');
}

/* rb_signal_parse(rb_signal_name(s)) == s for the signals that have a name:
 * 1..31 and SIGRTMIN..SIGRTMAX. */
static void test_name_round_trips_standard_and_realtime(void **state)
{
	char buf[32];

	(void)state;
	for (int s = 1; s <= SIGRTMAX; s++) {
		if (s >= 32 && s < SIGRTMIN)
			continue;
		rb_signal_name(s, buf, sizeof(buf));
		if (rb_signal_parse(buf) != s)
			fail_msg("signal %d is named \"%s\", which parses as %d", s, buf,
				 rb_signal_parse(buf));
	}
}

/* The same for 32..SIGRTMIN-1 (glibc's reserved real-time signals), which
 * rb_signal_parse accepts as numbers. */
static void test_name_round_trips_below_rtmin(void **state)
{
	char num[16], buf[32];

	(void)state;
	for (int s = 32; s < SIGRTMIN; s++) {
		snprintf(num, sizeof(num), "%d", s);
		assert_parses(num, s); /* accepted as a number ... */
		rb_signal_name(s, buf, sizeof(buf));
		if (rb_signal_parse(buf) != s) /* ... so its name must parse back */
			fail_msg("signal %d is named \"%s\", which parses as %d", s, buf,
				 rb_signal_parse(buf));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_spellings),
		cmocka_unit_test(test_standard_names),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_numbers_in_range),
		cmocka_unit_test(test_realtime),
		cmocka_unit_test(test_realtime_edges),
		cmocka_unit_test(test_rejects_empty_and_null),
		cmocka_unit_test(test_rejects_zero_and_too_big),
		cmocka_unit_test(test_rejects_unknown_names),
		cmocka_unit_test(test_rejects_bad_realtime),
		cmocka_unit_test(test_name_standard),
		cmocka_unit_test(test_name_returns_buf),
		cmocka_unit_test(test_name_realtime),
		cmocka_unit_test(test_name_out_of_range_is_numeric),
		cmocka_unit_test(test_name_truncates_to_buffer),
		cmocka_unit_test(test_name_round_trips_standard_and_realtime),
		cmocka_unit_test(test_name_round_trips_below_rtmin),
	};

	return cmocka_run_group_tests_name("signames", tests, NULL, NULL);
}
