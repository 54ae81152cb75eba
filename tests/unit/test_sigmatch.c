/* Unit tests for harness/core/sigmatch.c: which receipt belongs to which send. */
#include <signal.h>

#include "helpers.h"
#include "sigmatch.h"

#define RT1 (SIGRTMIN + 1)

/* sends of SIG at t_sent = t_sched = T (ms) */
static struct rb_sig_send snd(int sig, int64_t ms)
{
	return (struct rb_sig_send){ .sig = sig, .t_sched_ns = ms * 1000000, .t_sent_ns = ms * 1000000 };
}

static struct rb_sig_recv rcv(int sig, int64_t us)
{
	return (struct rb_sig_recv){ .sig = sig, .t_ns = us * 1000 };
}

static void test_in_order(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0), snd(RT1, 5), snd(SIGUSR1, 10), snd(RT1, 15) };
	struct rb_sig_recv r[] = { rcv(SIGUSR1, 40), rcv(RT1, 5070), rcv(SIGUSR1, 10100),
				   rcv(RT1, 15020) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 4, r, 4, &c);
	assert_int_equal(c.sent, 4);
	assert_int_equal(c.received, 4);
	assert_int_equal(c.lost, 0);
	assert_int_equal(c.dup, 0);
	assert_int_equal(s[0].t_recv_ns - s[0].t_sched_ns, 40000);
	assert_int_equal(s[1].t_recv_ns - s[1].t_sched_ns, 70000);
	assert_int_equal(s[2].t_recv_ns - s[2].t_sched_ns, 100000);
	assert_int_equal(s[3].t_recv_ns - s[3].t_sched_ns, 20000);
}

/* An init that drops one kind: every send of it lost, the others intact. */
static void test_dropped_kind(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0), snd(RT1, 5), snd(SIGUSR1, 10), snd(RT1, 15) };
	struct rb_sig_recv r[] = { rcv(RT1, 5050), rcv(RT1, 15050) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 4, r, 2, &c);
	assert_int_equal(c.lost, 2);
	assert_int_equal(c.dup, 0);
	assert_int_equal(s[0].t_recv_ns, 0);
	assert_int_equal(s[2].t_recv_ns, 0);
	assert_int_equal(s[3].t_recv_ns, 15050000);
}

/* Delivered twice (an init that forwards to the app and its group, say). */
static void test_duplicate(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0), snd(SIGUSR1, 10) };
	struct rb_sig_recv r[] = { rcv(SIGUSR1, 30), rcv(SIGUSR1, 35), rcv(SIGUSR1, 10030) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 2, r, 3, &c);
	/* the first copy is the receipt; the one at 35 us is the duplicate */
	assert_int_equal(c.received, 3);
	assert_int_equal(c.dup, 1);
	assert_int_equal(c.lost, 0);
	assert_int_equal(s[0].t_recv_ns, 30000);
	assert_int_equal(s[1].t_recv_ns, 10030000);
}

/* Every signal forwarded twice, 2 ms apart, along a train at 5 ms: each
 * send is timed to its own first copy and every second copy is a
 * duplicate; nothing shifts along the train (matching greedily from the
 * last receipt, each copy took the send before its own, and the error
 * grew by half a period per send). */
static void test_double_forward_train(void **state)
{
	struct rb_sig_send s[40];
	struct rb_sig_recv r[80];
	struct rb_sigmatch_counts c;

	(void)state;
	for (int k = 0; k < 40; k++) {
		s[k] = snd(k % 2 ? RT1 : SIGUSR1, 5 * k);
		r[2 * k] = rcv(s[k].sig, 5000 * k + 300);
		r[2 * k + 1] = rcv(s[k].sig, 5000 * k + 2300);
	}
	rb_sigmatch(s, 40, r, 80, &c);
	assert_int_equal(c.lost, 0);
	assert_int_equal(c.dup, 40);
	for (int k = 0; k < 40; k++)
		assert_int_equal(s[k].t_recv_ns - s[k].t_sched_ns, 300000);
}

/* Slower than the period: each receipt comes after the next send, in
 * order; still each to its own send (a latest-send-before rule would
 * lose all but the last and time the rest from the wrong send). */
static void test_slower_than_the_period(void **state)
{
	struct rb_sig_send s[] = { snd(RT1, 0), snd(RT1, 5), snd(RT1, 10), snd(RT1, 15) };
	struct rb_sig_recv r[] = { rcv(RT1, 12000), rcv(RT1, 17000), rcv(RT1, 22000), rcv(RT1, 27000) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 4, r, 4, &c);
	assert_int_equal(c.lost + c.dup, 0);
	for (int k = 0; k < 4; k++)
		assert_int_equal(s[k].t_recv_ns - s[k].t_sched_ns, 12000000);
}

/* A receipt before anything of its kind was sent is not a match. */
static void test_receipt_before_send(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR2, 10) };
	struct rb_sig_recv r[] = { rcv(SIGUSR2, 5000), rcv(SIGUSR2, 10500) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 1, r, 2, &c);
	assert_int_equal(c.dup, 1);
	assert_int_equal(c.lost, 0);
	assert_int_equal(s[0].t_recv_ns, 10500000);
}

/* Signals outside the train (the app's own SIGCHLD) are not counted. */
static void test_foreign_signals_ignored(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0) };
	struct rb_sig_recv r[] = { rcv(SIGCHLD, 1), rcv(SIGUSR1, 60), rcv(SIGCHLD, 70) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 1, r, 3, &c);
	assert_int_equal(c.received, 1);
	assert_int_equal(c.dup, 0);
	assert_int_equal(c.lost, 0);
}

/* Two standard signals that merged while pending: one receipt, timed from
 * the newer send; the older is lost. The ones after are not shifted. */
static void test_merged_standard(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0), snd(SIGUSR1, 10), snd(SIGUSR1, 20),
				   snd(SIGUSR1, 30) };
	struct rb_sig_recv r[] = { rcv(SIGUSR1, 15000), rcv(SIGUSR1, 20100), rcv(SIGUSR1, 30100) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 4, r, 3, &c);
	assert_int_equal(c.lost, 1);
	assert_int_equal(c.dup, 0);
	assert_int_equal(s[0].t_recv_ns, 0);
	assert_int_equal(s[1].t_recv_ns - s[1].t_sched_ns, 5000000);
	assert_int_equal(s[2].t_recv_ns - s[2].t_sched_ns, 100000);
	assert_int_equal(s[3].t_recv_ns - s[3].t_sched_ns, 100000);
}

/* A signal lost in the middle of a train (realtime: no merging) shifts
 * nothing after it: FIFO would charge each later receipt a period late. */
static void test_loss_mid_train(void **state)
{
	struct rb_sig_send s[] = { snd(RT1, 0), snd(RT1, 10), snd(RT1, 20), snd(RT1, 30) };
	struct rb_sig_recv r[] = { rcv(RT1, 50), rcv(RT1, 20050), rcv(RT1, 30050) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 4, r, 3, &c);
	assert_int_equal(c.lost, 1);
	assert_int_equal(s[1].t_recv_ns, 0);
	assert_int_equal(s[0].t_recv_ns - s[0].t_sched_ns, 50000);
	assert_int_equal(s[2].t_recv_ns - s[2].t_sched_ns, 50000);
	assert_int_equal(s[3].t_recv_ns - s[3].t_sched_ns, 50000);
}

/* Two in flight at once and delivered apart, in order: both matched. */
static void test_late_but_separate(void **state)
{
	struct rb_sig_send s[] = { snd(SIGUSR1, 0), snd(SIGUSR1, 10) };
	struct rb_sig_recv r[] = { rcv(SIGUSR1, 12000), rcv(SIGUSR1, 13000) };
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(s, 2, r, 2, &c);
	assert_int_equal(c.lost + c.dup, 0);
	assert_int_equal(s[0].t_recv_ns, 12000000);
	assert_int_equal(s[1].t_recv_ns, 13000000);
}

static void test_empty(void **state)
{
	struct rb_sigmatch_counts c;

	(void)state;
	rb_sigmatch(NULL, 0, NULL, 0, &c);
	assert_int_equal(c.sent + c.received + c.lost + c.dup, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_dropped_kind),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_double_forward_train),
		cmocka_unit_test(test_slower_than_the_period),
		cmocka_unit_test(test_receipt_before_send),
		cmocka_unit_test(test_foreign_signals_ignored),
		cmocka_unit_test(test_merged_standard),
		cmocka_unit_test(test_loss_mid_train),
		cmocka_unit_test(test_late_but_separate),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
