/* Which signal the app received for which one the harness sent: the
 * matching behind `reapbench signals`. Pure computation, unit-tested in
 * tests/unit/test_sigmatch.c.
 *
 * Rule: per signal, the largest order-preserving matching of receipts to
 * sends (a receipt only after its send), and of those the one with the least
 * total latency, found exactly (a dynamic program over sends x receipts:
 * O(sends x receipts) per signal, a byte per pair). A send never matched is
 * lost; a receipt left over is a duplicate (or a signal nobody sent). So a
 * send is timed to its own first copy, and duplicates never shift the
 * matching (a greedy walk from the last receipt did: with every signal
 * delivered twice, each copy took the send before its own and the error
 * grew along the train). Why not first-in first-out: after one loss FIFO
 * would charge every later receipt of that signal to the send before its
 * own, a whole period late. Standard signals merge while one is pending
 * (one pending bit per signal): two sends that merged count the older one
 * lost and the receipt is timed from the newer. Realtime signals queue and
 * are exact. */
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
