/* Unit tests for harness/observe/bpf_figures.c: the figures the harness
 * makes of the kernel observer's reap records, on canned records (the BPF
 * program itself is tested end to end in tests/integration/observer.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bpf_figures.h"
#include "observer_bpf.h"

#define R(pid, exit, notify, reap) { (pid), 1, (exit), (notify), (reap) }

static void test_latency_from_the_later_of_exit_and_sigchld(void **state)
{
	const struct rb_bpf_reap exited_as_orphan = R(5, 100, 110, 150);
	const struct rb_bpf_reap reparented = R(6, 100, 400, 450); /* its parent died at 400 */
	const struct rb_bpf_reap no_sigchld = R(7, 100, 0, 130);
	const struct rb_bpf_reap same_instant = R(8, 100, 120, 120);
	const struct rb_bpf_reap never = R(9, 100, 120, 0);

	(void)state;
	assert_int_equal(rb_bpf_latency_ns(&exited_as_orphan), 40);
	assert_int_equal(rb_bpf_reapable_ns(&reparented), 400);
	assert_int_equal(rb_bpf_latency_ns(&reparented), 50);
	assert_int_equal(rb_bpf_latency_ns(&no_sigchld), 30);
	assert_int_equal(rb_bpf_latency_ns(&same_instant), 0);
	assert_int_equal(rb_bpf_latency_ns(&never), -1);
}

static void test_zombies_peak(void **state)
{
	/* zombies over time: [100,150) [110,300) [120,130) [200,210) -> 3 at 120 */
	const struct rb_bpf_reap r[] = {
		R(1, 100, 100, 150), R(2, 110, 110, 300), R(3, 120, 120, 130), R(4, 200, 200, 210),
	};
	/* one reaped at the instant the next exits: never two at once */
	const struct rb_bpf_reap chain[] = { R(1, 10, 10, 20), R(2, 20, 20, 30) };
	/* never reaped (t_reap 0): a zombie to the end */
	const struct rb_bpf_reap left[] = { R(1, 10, 10, 0), R(2, 20, 20, 30), R(3, 40, 40, 0) };

	(void)state;
	assert_int_equal(rb_bpf_zombies_peak(r, 4), 3);
	assert_int_equal(rb_bpf_zombies_peak(chain, 2), 1);
	assert_int_equal(rb_bpf_zombies_peak(left, 3), 2);
	assert_int_equal(rb_bpf_zombies_peak(NULL, 0), 0);
}

static void test_population(void **state)
{
	/* exits 100, 110, 120, 200; reaps 150, 300, 130, never */
	const struct rb_bpf_reap r[] = {
		R(1, 100, 100, 150), R(2, 110, 110, 300), R(3, 120, 120, 130), R(4, 200, 200, 0),
	};
	struct rb_storm_pop p[5];

	(void)state;
	/* at 0, 100, 200, 300, 400 */
	assert_int_equal(rb_bpf_population(r, 4, 0, 400, p, 5), 5);
	assert_int_equal(p[0].t_ns, 0);
	assert_int_equal(p[0].zombies, 0);
	assert_int_equal(p[1].zombies, 1); /* 1 exited at 100 */
	assert_int_equal(p[2].t_ns, 200);
	assert_int_equal(p[2].zombies, 2); /* 2 (to 300) and 4 (never) */
	assert_int_equal(p[2].reaped, 2);
	assert_int_equal(p[3].zombies, 1); /* 2 reaped at 300; 4 stays */
	assert_int_equal(p[4].zombies, 1);
	assert_int_equal(p[4].reaped, 3);
	assert_int_equal(p[4].live, 0);
	/* no room or no span: nothing */
	assert_int_equal(rb_bpf_population(r, 4, 0, 400, p, 1), 0);
	assert_int_equal(rb_bpf_population(r, 4, 400, 400, p, 5), 0);
}

static void test_match_by_pid_and_reuse_order(void **state)
{
	/* pid 40 was used twice (reaped, then reused); pid 41 never reaped;
	 * 99 is not a storm process (the payload's own) */
	const struct rb_bpf_reap r[] = {
		R(40, 500, 500, 600), R(99, 50, 50, 60), R(40, 100, 100, 200), R(42, 300, 300, 310),
	};
	const pid_t pids[] = { 40, 41, 42, 40, 0 };
	const int64_t self_exit[] = { 99, 0, 299, 499, 0 };
	long match[5];

	(void)state;
	assert_int_equal(rb_bpf_match(r, 4, pids, self_exit, 5, match), 3);
	assert_int_equal(match[0], 2); /* the first 40: the record that exited at 100 */
	assert_int_equal(match[1], -1);
	assert_int_equal(match[2], 3);
	assert_int_equal(match[3], 0);
	assert_int_equal(match[4], -1); /* spawn failed: no pid */
}

static void test_match_passes_over_other_holders_of_a_pid(void **state)
{
	/* a stream: pid 40 held by an intermediate (exit 100), then by the
	 * orphan it made (its stamp 299, exit 300), then by another
	 * intermediate (exit 500); the orphan is the sample */
	const struct rb_bpf_reap r[] = {
		R(40, 100, 100, 110), R(40, 500, 500, 510), R(40, 300, 300, 400),
	};
	const pid_t pids[] = { 40 };
	const int64_t self_exit[] = { 299 };
	long match[1];

	(void)state;
	assert_int_equal(rb_bpf_match(r, 3, pids, self_exit, 1, match), 1);
	assert_int_equal(match[0], 2);
}

static void test_match_unexited_sample_takes_no_earlier_record(void **state)
{
	/* the second process with pid 7 never exited (no stamp): the one record
	 * belongs to the first */
	const struct rb_bpf_reap r[] = { R(7, 100, 100, 150) };
	const pid_t pids[] = { 7, 7 };
	const int64_t self_exit[] = { 99, 0 };
	long match[2];

	(void)state;
	assert_int_equal(rb_bpf_match(r, 1, pids, self_exit, 2, match), 1);
	assert_int_equal(match[0], 0);
	assert_int_equal(match[1], -1);
}

#define GEN(pid, from, sig, t) { RB_BPF_SIG_GENERATE, (sig), (pid), (from), 0, 0, (t) }
#define DEL(pid, sig, t) { RB_BPF_SIG_DELIVER, (sig), (pid), 0, 0, 0, (t) }

static void test_signal_hops_forwarded(void **state)
{
	/* two SIGUSR1 sends at 100 and 200 (app pid 7): the first goes the
	 * whole way; the second reaches PID 1 and is never forwarded */
	const struct rb_sig_send sends[] = { { 10, 100, 100, 0 }, { 10, 200, 200, 0 } };
	const struct rb_bpf_signal ev[] = {
		GEN(1, 0, 10, 105), GEN(7, 1, 10, 140), DEL(7, 10, 160), GEN(1, 0, 10, 205),
		GEN(9, 1, 10, 150), /* another process of the group: not the app */
		GEN(7, 1, 15, 170), /* another signal (a TERM from elsewhere): not a hop */
	};
	struct rb_bpf_hops h[2];

	(void)state;
	rb_bpf_signal_hops(ev, 6, 7, sends, 2, h);
	assert_int_equal(h[0].at_pid1, 105);
	assert_int_equal(h[0].to_app, 140);
	assert_int_equal(h[0].delivered, 160);
	assert_int_equal(h[1].at_pid1, 205);
	assert_int_equal(h[1].to_app, 0);
	assert_int_equal(h[1].delivered, 0);
}

static void test_signal_hops_app_is_pid1(void **state)
{
	/* none: the app is PID 1, generated for it directly */
	const struct rb_sig_send sends[] = { { 12, 100, 100, 0 } };
	const struct rb_bpf_signal ev[] = { GEN(1, 0, 12, 104), DEL(1, 12, 120) };
	struct rb_bpf_hops h[1];

	(void)state;
	rb_bpf_signal_hops(ev, 2, 1, sends, 1, h);
	assert_int_equal(h[0].at_pid1, 104);
	assert_int_equal(h[0].to_app, 104);
	assert_int_equal(h[0].delivered, 120);
}

static void test_batches(void **state)
{
	/* two batches ended (sizes 3 and 1), 4 reaps open at the end */
	struct rb_bpf_batches b = { .current = 4, .total = 8, .count = 2, .max = 3 };
	struct rb_bpf_batches none = { 0 };

	(void)state;
	b.log2[1] = 1; /* 3 */
	b.log2[0] = 1; /* 1 */
	rb_bpf_batches_close(&b);
	assert_int_equal(b.count, 3);
	assert_int_equal(b.max, 4);
	assert_int_equal(b.log2[2], 1); /* 4 */
	assert_int_equal(b.current, 0);
	assert_true(rb_bpf_batch_mean(&b) > 2.66 && rb_bpf_batch_mean(&b) < 2.67);
	rb_bpf_batches_close(&none);
	assert_int_equal(none.count, 0);
	assert_true(rb_bpf_batch_mean(&none) == 0);
}

/* Every counter is named in the records (a new one without a name was
 * dropped from them). */
static void test_counter_names(void **state)
{
	(void)state;
	for (int c = 0; c < RB_BPF_NCOUNTERS; c++)
		assert_string_not_equal(rb_bpf_counter_name((enum rb_bpf_counter)c), "?");
	assert_string_equal(rb_bpf_counter_name(RB_BPF_SPAWNS_FULL), "spawns_full");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency_from_the_later_of_exit_and_sigchld),
		cmocka_unit_test(test_zombies_peak),
		cmocka_unit_test(test_population),
		cmocka_unit_test(test_match_by_pid_and_reuse_order),
		cmocka_unit_test(test_match_passes_over_other_holders_of_a_pid),
		cmocka_unit_test(test_match_unexited_sample_takes_no_earlier_record),
		cmocka_unit_test(test_signal_hops_forwarded),
		cmocka_unit_test(test_signal_hops_app_is_pid1),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_counter_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
