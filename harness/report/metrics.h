/* Every figure the suites record and the tools judge, once: its name in
 * the records, its unit, which way is better, whether it is a time (which
 * other load on the machine makes worse), and for a count that should be
 * zero, the slack it is judged with. storm's table, compare and the gate
 * all read it. */
#ifndef REAPBENCH_METRICS_H
#define REAPBENCH_METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* A lost or duplicated signal regresses when the new median exceeds the
 * most the base lost in a run by more than this (a count, not a ratio). */
#define RB_COUNT_SLACK 2

struct rb_metric {
	const char *name;
	const char *unit;
	int better;   /* -1 lower, +1 higher, 0 neither (it describes the run) */
	bool timed;   /* a time, or a rate of one: noise slows it (compare --trim) */
	double slack; /* > 0: a should-be-zero count, judged by rb_cmp_decide_count */
};

/* NAME's entry (the first LEN bytes of NAME; 0: all of it), or NULL. */
const struct rb_metric *rb_metric_find(const char *name, size_t len);

/* The registry, for listing. */
extern const struct rb_metric rb_metrics[];
extern const size_t rb_nmetrics;

#endif
