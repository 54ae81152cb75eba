/* Signal matching for `reapbench signals`: the rule is in sigmatch.h.
 * Per signal, a dynamic program over its sends x its receipts (both in
 * time order): best[i][j] is the best matching of the first i sends with
 * the first j receipts, "best" meaning more pairs, then less total
 * latency. A cell's choice is kept (one byte) to walk the matching back. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigmatch.h"

#define MAX_SIG 65 /* _NSIG */

enum step { STEP_PAIR, STEP_SEND_LOST, STEP_RECV_EXTRA };

struct score {
	size_t pairs;
	int64_t latency; /* ns, summed over the pairs */
};

static bool better(struct score a, struct score b)
{
	return a.pairs != b.pairs ? a.pairs > b.pairs : a.latency < b.latency;
}

/* Matches the N sends S[si[k]] of one signal with its M receipts R[ri[k]]:
 * fills t_recv_ns of the matched sends; returns how many were matched, or
 * -1 without memory. */
static long match_signal(struct rb_sig_send *s, const size_t *si, size_t n,
			 const struct rb_sig_recv *r, const size_t *ri, size_t m)
{
	unsigned char *choice = malloc((n + 1) * (m + 1));
	struct score *prev = calloc(m + 1, sizeof(*prev)), *cur = calloc(m + 1, sizeof(*cur)), *t;
	size_t i, j;
	long pairs;

	if (!choice || !prev || !cur) {
		free(choice);
		free(prev);
		free(cur);
		return -1;
	}
	for (j = 0; j <= m; j++)
		choice[j] = STEP_RECV_EXTRA; /* no send yet: every receipt is extra */
	for (i = 1; i <= n; i++) {
		const struct rb_sig_send *snd = &s[si[i - 1]];

		cur[0] = (struct score){ 0, 0 };
		choice[i * (m + 1)] = STEP_SEND_LOST;
		for (j = 1; j <= m; j++) {
			const struct rb_sig_recv *rcv = &r[ri[j - 1]];
			struct score best = prev[j], left = cur[j - 1];
			unsigned char c = STEP_SEND_LOST;

			if (better(left, best)) {
				best = left;
				c = STEP_RECV_EXTRA;
			}
			if (rcv->t_ns >= snd->t_sent_ns) {
				struct score pair = { prev[j - 1].pairs + 1,
						      prev[j - 1].latency + (rcv->t_ns - snd->t_sent_ns) };

				if (better(pair, best)) {
					best = pair;
					c = STEP_PAIR;
				}
			}
			cur[j] = best;
			choice[i * (m + 1) + j] = c;
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	pairs = (long)prev[m].pairs;
	for (i = n, j = m; i > 0 && j > 0;) {
		switch (choice[i * (m + 1) + j]) {
		case STEP_PAIR:
			s[si[i - 1]].t_recv_ns = r[ri[j - 1]].t_ns;
			i--;
			j--;
			break;
		case STEP_SEND_LOST:
			i--;
			break;
		default:
			j--;
		}
	}
	free(choice);
	free(prev);
	free(cur);
	return pairs;
}

void rb_sigmatch(struct rb_sig_send *sends, size_t nsends, const struct rb_sig_recv *recv,
		 size_t nrecv, struct rb_sigmatch_counts *out)
{
	size_t *si = malloc((nsends ? nsends : 1) * sizeof(*si));
	size_t *ri = malloc((nrecv ? nrecv : 1) * sizeof(*ri));
	bool in_train[MAX_SIG] = { false };
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nsends; i++) {
		sends[i].t_recv_ns = 0;
		if (sends[i].sig > 0 && sends[i].sig < MAX_SIG)
			in_train[sends[i].sig] = true;
	}
	out->sent = nsends;
	for (i = 0; i < nrecv; i++)
		out->received += recv[i].sig > 0 && recv[i].sig < MAX_SIG && in_train[recv[i].sig];
	for (int sig = 1; si && ri && sig < MAX_SIG; sig++) {
		size_t n = 0, m = 0;

		if (!in_train[sig])
			continue;
		for (i = 0; i < nsends; i++)
			if (sends[i].sig == sig)
				si[n++] = i;
		for (i = 0; i < nrecv; i++)
			if (recv[i].sig == sig)
				ri[m++] = i;
		match_signal(sends, si, n, recv, ri, m);
	}
	free(si);
	free(ri);
	for (i = 0; i < nsends; i++)
		if (sends[i].t_recv_ns == 0)
			out->lost++;
	out->dup = out->received - (out->sent - out->lost);
}
