/* Unit tests for harness/observe/bpf_figures.c: the figures the harness
 * makes of the kernel observer's reap records, on canned records (the BPF
 * program itself is tested end to end in tests/integration/observer.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bpf_figures.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency_from_the_later_of_exit_and_sigchld),
		cmocka_unit_test(test_zombies_peak),
		cmocka_unit_test(test_match_by_pid_and_reuse_order),
		cmocka_unit_test(test_match_unexited_sample_takes_no_earlier_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
