/* Signal matching for `reapbench signals`: the rule is in sigmatch.h. */
#include <stdbool.h>
#include <string.h>

#include "sigmatch.h"

#define MAX_SIG 65 /* _NSIG */

void rb_sigmatch(struct rb_sig_send *sends, size_t nsends, const struct rb_sig_recv *recv,
		 size_t nrecv, struct rb_sigmatch_counts *out)
{
	size_t cursor[MAX_SIG]; /* per signal: no unmatched send of it before this index */
	bool in_train[MAX_SIG] = { false };
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nsends; i++) {
		sends[i].t_recv_ns = 0;
		if (sends[i].sig > 0 && sends[i].sig < MAX_SIG)
			in_train[sends[i].sig] = true;
	}
	for (int s = 0; s < MAX_SIG; s++)
		cursor[s] = 0;
	out->sent = nsends;
	for (i = 0; i < nrecv; i++) {
		int sig = recv[i].sig;

		if (sig <= 0 || sig >= MAX_SIG || !in_train[sig])
			continue;
		out->received++;
		for (j = cursor[sig]; j < nsends && sends[j].sig != sig; j++)
			;
		if (j == nsends || sends[j].t_sent_ns > recv[i].t_ns) {
			out->dup++; /* nothing of it was outstanding */
			continue;
		}
		sends[j].t_recv_ns = recv[i].t_ns;
		cursor[sig] = j + 1;
	}
	for (i = 0; i < nsends; i++)
		if (sends[i].t_recv_ns == 0)
			out->lost++;
}
