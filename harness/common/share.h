/* Splitting a storm among spawners: each spawner's share of the count, and
 * the CPU each one is pinned to. Pure functions (no system calls), shared
 * by the payload, which splits, and the harness, which checks and records. */
#ifndef REAPBENCH_SHARE_H
#define REAPBENCH_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"

/* Spawners per online CPU at most (--spawners is bounded by this times the
 * online CPUs): more only queue on the same cores. */
#define RB_SPAWNERS_PER_CPU_MAX 4u
/* Spawners one storm can run at all (the payload's per-spawner slots). */
#define RB_SPAWNERS_MAX 256u

/* Spawner J of N takes the contiguous indices [*FIRST, *FIRST + *LEN) of
 * COUNT: the shares differ by at most one, the larger ones first, and
 * together they are 0..COUNT-1 exactly once. N must be >= 1 and J < N. */
void rb_share_range(unsigned long count, unsigned n, unsigned j, unsigned long *first,
		    unsigned long *len);

/* The CPU of spawner J: the (J mod NCPUS)-th of CPUS (the CPUs the caller
 * may run on, ascending; NCPUS >= 1), so that spawners beyond the CPUs wrap
 * around them in turn. */
int rb_share_cpu(const int *cpus, unsigned ncpus, unsigned j);

/* "0,1": the CPUs whose bits are set in MASK (bit c: CPU c), ascending,
 * into BUF; "none" for 0. Returns BUF. */
char *rb_share_mask_list(uint32_t mask, char *buf, size_t len);

/* Whether a stream of N samples made by SPAWNERS (spawner j: samples j,
 * j + SPAWNERS, ...: only each spawner's own are in time order) had a spawn
 * succeed after a failure in a way the generator alone cannot explain.
 * Each spawner's intermediate holds a pid that comes back at its exit
 * whoever reaps: after a spawner's first failure, up to SPAWNERS - 1 of its
 * spawns may take those without PID 1 reaping anything (none with one
 * spawner). Recovery is more than that in some spawner's sequence. 1 or 0;
 * a sample whose spawn failed has pid <= 0. */
int rb_share_recovered(const struct rb_storm_sample *smp, uint32_t n, unsigned spawners);

#endif
