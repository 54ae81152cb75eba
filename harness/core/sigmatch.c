/* Signal matching for `reapbench signals`: the rule is in sigmatch.h. */
#include <stdbool.h>
#include <string.h>

#include "sigmatch.h"

#define MAX_SIG 65 /* _NSIG */

void rb_sigmatch(struct rb_sig_send *sends, size_t nsends, const struct rb_sig_recv *recv,
		 size_t nrecv, struct rb_sigmatch_counts *out)
{
	size_t limit[MAX_SIG]; /* per signal: the next match must be below this send */
	bool in_train[MAX_SIG] = { false };
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nsends; i++) {
		sends[i].t_recv_ns = 0;
		if (sends[i].sig > 0 && sends[i].sig < MAX_SIG)
			in_train[sends[i].sig] = true;
	}
	for (int s = 0; s < MAX_SIG; s++)
		limit[s] = nsends;
	out->sent = nsends;
	for (i = nrecv; i-- > 0;) {
		int sig = recv[i].sig;

		if (sig <= 0 || sig >= MAX_SIG || !in_train[sig])
			continue;
		out->received++;
		for (j = limit[sig]; j-- > 0;)
			if (sends[j].sig == sig && sends[j].t_sent_ns <= recv[i].t_ns)
				break;
		if (j == (size_t)-1) {
			out->dup++; /* nothing of it was left to match */
			limit[sig] = 0;
			continue;
		}
		sends[j].t_recv_ns = recv[i].t_ns;
		limit[sig] = j;
	}
	for (i = 0; i < nsends; i++)
		if (sends[i].t_recv_ns == 0)
			out->lost++;
}
