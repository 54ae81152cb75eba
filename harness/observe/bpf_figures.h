/* Figures from the kernel-side observer's reap records (observer_bpf.h):
 * pure functions, unit-tested on canned records. */
#ifndef REAPBENCH_BPF_FIGURES_H
#define REAPBENCH_BPF_FIGURES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "channel.h"
#include "reap_events.h"
#include "sigmatch.h"

/* When it could be reaped: the later of its exit and the last SIGCHLD for
 * it (a zombie reparented to PID 1 is PID 1's to reap from then). */
int64_t rb_bpf_reapable_ns(const struct rb_bpf_reap *r);
/* Its exit->reap latency: reap minus reapable, >= 0; -1 never reaped. */
int64_t rb_bpf_latency_ns(const struct rb_bpf_reap *r);

/* The most exited-and-unreaped at once among records R (each a zombie
 * from its exit to its reap; one never reaped, t_reap 0, to the end). */
uint32_t rb_bpf_zombies_peak(const struct rb_bpf_reap *r, size_t n);

/* The zombie population over time from records R (N): at NOUT instants
 * evenly from T0 to T1, how many had exited and were not yet reaped
 * (zombies) and how many were reaped so far; live and failed are not the
 * kernel records' to say (0). Returns NOUT, or 0 (no room, no span, no
 * memory). */
size_t rb_bpf_population(const struct rb_bpf_reap *r, size_t n, int64_t t0, int64_t t1,
			 struct rb_storm_pop *out, size_t nout);

/* Matches samples (a storm's processes: PIDS, N) to the kernel's reap
 * records R (NR): for every pid, its processes in the order of T (each
 * one's own exit stamp, taken just before it exits; 0: none), each with the
 * first record of that pid not yet matched that exited at or after T.
 * Records of other processes that held the pid in between (not samples)
 * are passed over; a sample without a stamp matches nothing. MATCH[i]
 * gets the record's index, or -1. Returns how many were matched. */
size_t rb_bpf_match(const struct rb_bpf_reap *r, size_t nr, const pid_t *pids, const int64_t *t,
		    size_t n, long *match);

/* Each of N samples' kernel record among the REAPS (NREAPS) and the exits
 * never reaped (ZOMBIES, NZOMBIES), matched as rb_bpf_match does (PIDS and
 * ORDER, the samples' own exit stamps): OUT[i], all zero when it has none.
 * Returns how many matched, or -1 when out of memory. */
long rb_bpf_sample_records(const struct rb_bpf_reap *reaps, size_t nreaps,
			   const struct rb_bpf_reap *zombies, size_t nzombies, const pid_t *pids,
			   const int64_t *order, size_t n, struct rb_bpf_reap *out);

/* Counts the batch still open at the end (reaps since the last empty
 * wait) as one more. */
void rb_bpf_batches_close(struct rb_bpf_batches *b);
/* Reaps per batch, on average; 0 with no batch. */
double rb_bpf_batch_mean(const struct rb_bpf_batches *b);

/* The kernel's times of a forwarded signal's hops (0: not seen there). */
struct rb_bpf_hops {
	int64_t at_pid1;   /* generated for PID 1 by a sender outside (the harness) */
	int64_t to_app;    /* generated for APP by PID 1 (the forward); PID 1 itself
	                      when the app is PID 1 */
	int64_t delivered; /* delivered to a handler in APP */
};

/* For each of the N SENDS (to PID 1, in time order), its hops among the
 * signal events EV (NEV) of one run, APP the app's pid in the namespace.
 * Each hop is matched to the sends on its own, as rb_sigmatch matches the
 * app's receipts (order kept, merges and losses allowed): HOPS[i] gets
 * them. */
void rb_bpf_signal_hops(const struct rb_bpf_signal *ev, size_t nev, uint32_t app,
			const struct rb_sig_send *sends, size_t n, struct rb_bpf_hops *hops);

#endif
