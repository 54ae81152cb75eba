/* Unit tests for harness/common/scenario.c: the decoder's bounds, the encoder and
 * the text form as its inverses, the parser's errors. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "scenario.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint8_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)rng_state;
}

static void assert_same(const struct rb_scn_program *a, const struct rb_scn_program *b)
{
	char *x = rb_scn_program_text(a), *y = rb_scn_program_text(b);

	if (!rb_scn_equal(a, b))
		fail_msg("programs differ:\n%s---\n%s", x, y);
	free(x);
	free(y);
}

static int64_t time_used(const struct rb_scn_program *p)
{
	int64_t t = 0;

	for (int i = 0; i < p->nops; i++)
		if (p->ops[i].code == RB_SCN_SLEEP || p->ops[i].code == RB_SCN_THREADS ||
		    (p->ops[i].code == RB_SCN_STOP && p->ops[i].proc == RB_SCN_APP))
			t += rb_scn_durations_ns[p->ops[i].arg2 & 7];
	return t;
}

/* Random bytes of every length: a valid, bounded program each time. */
static void test_any_bytes_decode_within_bounds(void **state)
{
	uint8_t buf[400];
	struct rb_scn_program p;

	(void)state;
	for (int k = 0; k < 20000; k++) {
		size_t len = (size_t)(rnd() + rnd()) % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = rnd();
		rb_scn_decode(buf, len, &p);
		assert_true(p.nops >= 0 && p.nops <= RB_SCN_MAX_OPS);
		assert_true(p.nprocs >= 1 && p.nprocs <= RB_SCN_MAX_PROCS);
		assert_true(time_used(&p) <= RB_SCN_TIME_BUDGET_NS);
		for (int i = 0; i < p.nops; i++) {
			const struct rb_scn_op *op = &p.ops[i];

			assert_true(op->code < RB_SCN_NOPCODES);
			assert_true(op->proc < p.nprocs || op->proc == RB_SCN_HARNESS);
			/* nothing after the app's end */
			if (op->proc == RB_SCN_APP && (op->code == RB_SCN_EXIT ||
			    op->code == RB_SCN_KILL_SELF || op->code == RB_SCN_EXEC_FAIL))
				assert_int_equal(i, p.nops - 1);
		}
		for (int i = 1; i < p.nprocs; i++)
			assert_true(p.parent[i] >= 0 && p.parent[i] < i);
	}
}

/* decode(encode(decode(bytes))) and parse(text(decode(bytes))) give the
 * same program. */
static void test_encode_and_text_are_inverses(void **state)
{
	uint8_t buf[RB_SCN_MAX_BYTES], again[RB_SCN_MAX_BYTES];
	struct rb_scn_program p, q;
	struct rb_error err;

	(void)state;
	for (int k = 0; k < 5000; k++) {
		size_t len = 1 + (size_t)rnd() % (sizeof(buf) - 1), n;
		char *text;

		for (size_t i = 0; i < len; i++)
			buf[i] = rnd();
		rb_scn_decode(buf, len, &p);
		n = rb_scn_encode(&p, again, sizeof(again));
		rb_scn_decode(again, n, &q);
		assert_same(&p, &q);
		text = rb_scn_program_text(&p);
		assert_non_null(text);
		if (rb_scn_parse(text, "t", &q, &err) < 0)
			fail_msg("%s\n%s", err.msg, text);
		free(text);
		assert_same(&p, &q);
	}
}

static void test_header_selects_the_start(void **state)
{
	struct rb_scn_program p;
	uint8_t missing[] = { 0x1e, 0, 0, 0 }, noexec[] = { 0x3f }, app[] = { 0x1d };

	(void)state;
	rb_scn_decode(missing, sizeof(missing), &p);
	assert_int_equal(p.start, RB_SCN_START_MISSING);
	assert_int_equal(p.nops, 0); /* nothing runs: the init cannot start the app */
	rb_scn_decode(noexec, sizeof(noexec), &p);
	assert_int_equal(p.start, RB_SCN_START_NOEXEC);
	rb_scn_decode(app, sizeof(app), &p);
	assert_int_equal(p.start, RB_SCN_START_APP);
	rb_scn_decode(NULL, 0, &p);
	assert_int_equal(p.start, RB_SCN_START_APP);
	assert_int_equal(p.nops, 0);
}

/* A program in the text form, its listing back, its indices of new processes. */
static void test_parse_and_print(void **state)
{
	static const char *text =
		"start app\n"
		"spawn app fork        # -> 1\n"
		"daemon 1\n"
		"threads 3 2 5ms\n"
		"block app SIGUSR1\n"
		"ignore 1 SIGTERM\n"
		"send-group harness SIGHUP\n"
		"send-inside 2 SIGKILL\n"
		"stop app 2ms\n"
		"kill-self app SIGTERM\n";
	struct rb_scn_program p;
	struct rb_error err;
	char line[96];

	(void)state;
	if (rb_scn_parse(text, "t.scn", &p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(p.nops, 9);
	assert_int_equal(p.nprocs, 4);
	assert_int_equal(p.ops[1].newproc, 2);
	assert_int_equal(p.parent[2], 1);
	assert_int_equal(p.parent[3], 2); /* the daemon: its intermediate's child */
	assert_int_equal(p.ops[4].code, RB_SCN_DISPOSITION);
	assert_int_equal(p.ops[4].arg, SIGTERM);
	assert_int_equal(p.ops[4].arg2, RB_SCN_IGNORE);
	assert_int_equal(p.ops[5].proc, RB_SCN_HARNESS);
	rb_scn_op_text(&p.ops[2], line, sizeof(line));
	assert_string_equal(line, "threads 3 2 5ms");
	rb_scn_op_text(&p.ops[3], line, sizeof(line));
	assert_string_equal(line, "block app SIGUSR1");
	rb_scn_op_text(&p.ops[7], line, sizeof(line));
	assert_string_equal(line, "stop app 2ms");
}

/* Bad text: one error naming the file and the line. */
static void test_parse_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "start app\nfrobnicate 1\n", "x.scn:2: unknown operation 'frobnicate'" },
		{ "spawn app clone-vm\nexit 2 0\n", "x.scn:2: process 2 does not exist yet" },
		{ "spawn app clone-vm\nsetsid app\n", "x.scn:2: this operation is for processes other" },
		{ "send-parent SIGKILL\n", "x.scn:1: signal 'SIGKILL' cannot be used here" },
		{ "send-parent SIGNOPE\n", "x.scn:1: unknown signal 'SIGNOPE'" },
		{ "exit app 0\nsleep 1ms\n", "x.scn:2: nothing runs after the app has ended" },
		{ "sleep 3ms\n", "x.scn:1: '3ms' is not a duration" },
		{ "spawn app teleport\n", "x.scn:1: 'teleport' is not clone-vm, vfork-exec or fork" },
		{ "exit app 256\n", "x.scn:1: '256' is out of range" },
		{ "\n\nstop app\n", "x.scn:3: the app's stop needs a duration" },
		{ "spawn app fork\nstart app\n", "x.scn:2: 'start' must come before the operations" },
	};
	struct rb_scn_program p;
	struct rb_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (rb_scn_parse(cases[i].text, "x.scn", &p, &err) == 0)
			fail_msg("accepted: %s", cases[i].text);
		assert_int_equal(err.kind, RB_ERR_INPUT);
		assert_prefix(err.msg, cases[i].want);
	}
}

/* Ten 20 ms sleeps are the whole budget: the eleventh is refused (text) or
 * becomes 0 (bytes). */
static void test_time_budget(void **state)
{
	char text[512] = "";
	uint8_t bytes[1 + 3 * 12];
	struct rb_scn_program p;
	struct rb_error err;

	(void)state;
	for (int i = 0; i < 10; i++)
		strcat(text, "sleep 20ms\n");
	assert_int_equal(rb_scn_parse(text, "b", &p, &err), 0);
	strcat(text, "sleep 20us\n");
	assert_int_equal(rb_scn_parse(text, "b", &p, &err), -1);
	assert_contains(err.msg, "time budget");
	bytes[0] = 0;
	for (int i = 0; i < 12; i++) {
		bytes[1 + 3 * i] = 24; /* the sleep slot */
		bytes[2 + 3 * i] = 0;
		bytes[3 + 3 * i] = 7; /* 20 ms */
	}
	rb_scn_decode(bytes, sizeof(bytes), &p);
	assert_int_equal(p.nops, 12);
	assert_int_equal(p.ops[9].arg2, 7);
	assert_int_equal(p.ops[10].arg2, 0);
	assert_int_equal(p.ops[11].arg2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_bytes_decode_within_bounds),
		cmocka_unit_test(test_encode_and_text_are_inverses),
		cmocka_unit_test(test_header_selects_the_start),
		cmocka_unit_test(test_parse_and_print),
		cmocka_unit_test(test_parse_errors_name_the_line),
		cmocka_unit_test(test_time_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
