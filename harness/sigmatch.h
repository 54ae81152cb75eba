/* Which signal the app received for which one the harness sent: the
 * matching behind `reapbench signals`. Pure computation, unit-tested in
 * tests/unit/test_sigmatch.c.
 *
 * Rule: receipts are taken in the order the app logged them; each is matched
 * to the oldest still-unmatched send of the same signal that was sent before
 * it (an init forwards in the order it dequeues, and realtime signals queue
 * in order). A receipt with no such send is a duplicate (or a signal nobody
 * sent); a send never matched is lost. Realtime signals are exact under this
 * rule. Standard signals merge while one is pending (kernel: one pending bit
 * per signal): two sends that merged leave the later one lost, and, if that
 * merge happened in the middle of a train, the next receipt of that signal is
 * charged to the lost send's schedule (a longer latency than it had). The
 * train spaces sends of one signal apart (kinds in turn) to keep that rare. */
#ifndef REAPBENCH_SIGMATCH_H
#define REAPBENCH_SIGMATCH_H

#include <stddef.h>
#include <stdint.h>

struct rb_sig_send {
	int sig;
	int64_t t_sched_ns;  /* when the schedule said to send it */
	int64_t t_sent_ns;   /* when the harness sent it (CLOCK_MONOTONIC) */
	int64_t t_recv_ns;   /* out: its receipt; 0 if lost */
};

struct rb_sig_recv {
	int sig;
	int64_t t_ns;
};

struct rb_sigmatch_counts {
	size_t sent, received, lost, dup;
};

/* Fills SENDS[i].t_recv_ns. Receipts of signals that were never part of the
 * sends at all (SIGCHLD from the app's own children, say) are ignored. */
void rb_sigmatch(struct rb_sig_send *sends, size_t nsends, const struct rb_sig_recv *recv,
		 size_t nrecv, struct rb_sigmatch_counts *out);

#endif
