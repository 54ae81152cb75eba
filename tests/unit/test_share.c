/* Unit tests for harness/common/share.c: a storm's count split among its
 * spawners (contiguous shares, strided shares) and the CPU of each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#include "share.h"

/* Every index of COUNT in exactly one share, in order, the shares within
 * one of each other. */
static void check_ranges(unsigned long count, unsigned n)
{
	unsigned long next = 0, lo = (unsigned long)-1, hi = 0;

	for (unsigned j = 0; j < n; j++) {
		unsigned long first, len;

		rb_share_range(count, n, j, &first, &len);
		if (first != next)
			fail_msg("count %lu, %u spawners: share %u starts at %lu, want %lu", count, n,
				 j, first, next);
		next = first + len;
		lo = len < lo ? len : lo;
		hi = len > hi ? len : hi;
	}
	if (next != count)
		fail_msg("count %lu, %u spawners: the shares cover %lu", count, n, next);
	if (hi - lo > 1)
		fail_msg("count %lu, %u spawners: shares from %lu to %lu", count, n, lo, hi);
}

static void test_range_covers(void **state)
{
	(void)state;
	check_ranges(1000, 1);
	check_ranges(1000, 2);
	check_ranges(1001, 2);
	check_ranges(7, 3);
	check_ranges(1, 8);   /* fewer processes than spawners */
	check_ranges(0, 4);
	check_ranges(1ul << 20, 256);
}

static void test_range_larger_first(void **state)
{
	unsigned long first, len;

	(void)state;
	rb_share_range(1001, 2, 0, &first, &len);
	assert_int_equal(first, 0);
	assert_int_equal(len, 501);
	rb_share_range(1001, 2, 1, &first, &len);
	assert_int_equal(first, 501);
	assert_int_equal(len, 500);
	rb_share_range(1, 2, 1, &first, &len);
	assert_int_equal(len, 0);
}

static void test_cpus_wrap(void **state)
{
	const int cpus[] = { 2, 5 };

	(void)state;
	assert_int_equal(rb_share_cpu(cpus, 2, 0), 2);
	assert_int_equal(rb_share_cpu(cpus, 2, 1), 5);
	assert_int_equal(rb_share_cpu(cpus, 2, 2), 2);
	assert_int_equal(rb_share_cpu(cpus, 1, 3), 2);
}

static void test_mask_list(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(rb_share_mask_list(0, buf, sizeof(buf)), "none");
	assert_string_equal(rb_share_mask_list(1, buf, sizeof(buf)), "0");
	assert_string_equal(rb_share_mask_list(0x3, buf, sizeof(buf)), "0,1");
	assert_string_equal(rb_share_mask_list(0x80000024u, buf, sizeof(buf)), "2,5,31");
}

/* Samples from a pattern: '+' made, '-' refused. */
static uint32_t samples(const char *pattern, struct rb_storm_sample *smp)
{
	uint32_t n = 0;

	for (; pattern[n]; n++)
		smp[n] = (struct rb_storm_sample){ .pid = pattern[n] == '+' ? (int32_t)(100 + n) : 0 };
	return n;
}

static void test_recovered_one_spawner(void **state)
{
	struct rb_storm_sample smp[32];

	(void)state;
	assert_int_equal(rb_share_recovered(smp, samples("++++----", smp), 1), 0);
	assert_int_equal(rb_share_recovered(smp, samples("++++---+", smp), 1), 1);
	assert_int_equal(rb_share_recovered(smp, samples("++++", smp), 1), 0);
}

/* Two spawners: 0 takes the even samples, 1 the odd ones. One spawn after a
 * spawner's first refusal is the other's intermediate's pid; two are not. */
static void test_recovered_two_spawners(void **state)
{
	struct rb_storm_sample smp[32];

	(void)state;
	/* spawner 1 is refused at 1 while spawner 0, behind, still makes 2 */
	assert_int_equal(rb_share_recovered(smp, samples("+-+-----", smp), 2), 0);
	/* one more in spawner 0's own sequence after its refusal at 2 */
	assert_int_equal(rb_share_recovered(smp, samples("++-+--+-", smp), 2), 0);
	/* two more after spawner 0's refusal: PID 1 freed pids */
	assert_int_equal(rb_share_recovered(smp, samples("++-+-++-+-", smp), 2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_covers),
		cmocka_unit_test(test_range_larger_first),
		cmocka_unit_test(test_cpus_wrap),
		cmocka_unit_test(test_mask_list),
		cmocka_unit_test(test_recovered_one_spawner),
		cmocka_unit_test(test_recovered_two_spawners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
