/* Every figure the suites record and the tools judge, declared once, in the
 * table of the suite that measures it (struct rb_suite's metrics, as a
 * stress-ng stressor declares its own): its name in the records, its unit,
 * which way is better, whether it is a time (which other load on the
 * machine makes worse), for a count that should be zero the slack it is
 * judged with, whether compare judges it, and its column in the suite's
 * table. The registry is the union of those tables: the suite's table, its
 * summary, compare and the gate all read it. */
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
	bool compared;      /* compare judges it (else it describes the run) */
	const char *column; /* its column in the suite's table; NULL: the record's only */
	double scale;       /* the record's unit -> the column's (0: 1) */
	bool by_runner;     /* the runner records it (rb_run_record), not the suite */
};

/* NAME's entry (the first LEN bytes of NAME; 0: all of it), or NULL. */
const struct rb_metric *rb_metric_find(const char *name, size_t len);

/* The registry's entry I (0 <= I < rb_metric_count()), for listing. */
size_t rb_metric_count(void);
const struct rb_metric *rb_metric_at(size_t i);

#endif
