/* Figures from the kernel-side observer's reap records. See bpf_figures.h. */
#include "bpf_figures.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int64_t rb_bpf_reapable_ns(const struct rb_bpf_reap *r)
{
	return (int64_t)(r->t_notify > r->t_exit ? r->t_notify : r->t_exit);
}

int64_t rb_bpf_latency_ns(const struct rb_bpf_reap *r)
{
	int64_t d = (int64_t)r->t_reap - rb_bpf_reapable_ns(r);

	if (r->t_reap == 0)
		return -1;
	return d > 0 ? d : 0;
}

struct edge {
	int64_t t;
	int d; /* +1 exit, -1 reap */
};

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return x->d - y->d; /* a reap at the same instant first: no phantom peak */
}

/* Each record's exit (+1) and reap (-1, never reaped: the end of time),
 * in time order; NULL when out of memory. */
static struct edge *sorted_edges(const struct rb_bpf_reap *r, size_t n)
{
	struct edge *e = malloc((n ? 2 * n : 1) * sizeof(*e));

	if (!e)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		e[2 * i] = (struct edge){ (int64_t)r[i].t_exit, +1 };
		e[2 * i + 1] = (struct edge){ r[i].t_reap ? (int64_t)r[i].t_reap : INT64_MAX, -1 };
	}
	qsort(e, 2 * n, sizeof(*e), cmp_edge);
	return e;
}

uint32_t rb_bpf_zombies_peak(const struct rb_bpf_reap *r, size_t n)
{
	struct edge *e cleanup_free = sorted_edges(r, n);
	int64_t cur = 0, peak = 0;

	if (!e)
		return 0;
	for (size_t i = 0; i < 2 * n; i++) {
		cur += e[i].d;
		if (cur > peak)
			peak = cur;
	}
	return (uint32_t)peak;
}

size_t rb_bpf_population(const struct rb_bpf_reap *r, size_t n, int64_t t0, int64_t t1,
			 struct rb_storm_pop *out, size_t nout)
{
	struct edge *e cleanup_free = sorted_edges(r, n);
	uint32_t zombies = 0, reaped = 0;
	size_t k = 0;

	if (!e || nout < 2 || t1 <= t0)
		return 0;
	for (size_t s = 0; s < nout; s++) {
		int64_t t = t0 + (int64_t)((double)(t1 - t0) * (double)s / (double)(nout - 1));

		for (; k < 2 * n && e[k].t <= t; k++) {
			zombies += e[k].d > 0 ? 1 : (uint32_t)-1;
			reaped += e[k].d < 0;
		}
		out[s] = (struct rb_storm_pop){ .t_ns = t, .zombies = zombies, .reaped = reaped };
	}
	return nout;
}

/* (pid, time) with the index it came from, for the pairing's merge. */
struct keyed {
	pid_t pid;
	int64_t t;
	size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->t > y->t) - (x->t < y->t);
}

size_t rb_bpf_match(const struct rb_bpf_reap *r, size_t nr, const pid_t *pids, const int64_t *t,
		    size_t n, long *match)
{
	struct keyed *k = malloc((nr ? nr : 1) * sizeof(*k)), *s = malloc((n ? n : 1) * sizeof(*s));
	size_t ns = 0, a = 0, b = 0, out = 0;

	for (size_t i = 0; i < n; i++)
		match[i] = -1;
	if (!k || !s) {
		free(k);
		free(s);
		return 0;
	}
	for (size_t i = 0; i < nr; i++)
		k[i] = (struct keyed){ (pid_t)r[i].pid, (int64_t)r[i].t_exit, i };
	for (size_t i = 0; i < n; i++)
		if (pids[i] > 0)
			s[ns++] = (struct keyed){ pids[i], t[i] > 0 ? t[i] : INT64_MAX, i };
	qsort(k, nr, sizeof(*k), cmp_keyed);
	qsort(s, ns, sizeof(*s), cmp_keyed);
	/* pid by pid, each process with the first record of its pid that
	 * exited at or after its own stamp: the ones before were other
	 * processes that held the pid (a stream's intermediates, say) */
	while (a < nr && b < ns) {
		if (k[a].pid != s[b].pid || k[a].t < s[b].t) {
			if (k[a].pid < s[b].pid || (k[a].pid == s[b].pid && k[a].t < s[b].t))
				a++;
			else
				b++;
			continue;
		}
		match[s[b].i] = (long)k[a].i;
		out++;
		a++;
		b++;
	}
	free(k);
	free(s);
	return out;
}

/* Which events are hop H (0 at PID 1, 1 to the app, 2 delivered). */
static bool is_hop(const struct rb_bpf_signal *e, int h, uint32_t app)
{
	switch (h) {
	case 0:
		return e->kind == RB_BPF_SIG_GENERATE && e->pid == 1 && e->from == 0;
	case 1:
		return app == 1 ? is_hop(e, 0, app)
				: e->kind == RB_BPF_SIG_GENERATE && e->pid == app && e->from == 1;
	default:
		return e->kind == RB_BPF_SIG_DELIVER && e->pid == app;
	}
}

void rb_bpf_signal_hops(const struct rb_bpf_signal *ev, size_t nev, uint32_t app,
			const struct rb_sig_send *sends, size_t n, struct rb_bpf_hops *hops)
{
	struct rb_sig_send *s = malloc((n ? n : 1) * sizeof(*s));
	struct rb_sig_recv *r = malloc((nev ? nev : 1) * sizeof(*r));
	struct rb_sigmatch_counts cnt;

	memset(hops, 0, n * sizeof(*hops));
	for (int h = 0; s && r && h < 3; h++) {
		size_t nr = 0;

		memcpy(s, sends, n * sizeof(*s));
		for (size_t i = 0; i < nev; i++)
			if (is_hop(&ev[i], h, app))
				r[nr++] = (struct rb_sig_recv){ .sig = (int)ev[i].sig, .t_ns = (int64_t)ev[i].t };
		rb_sigmatch(s, n, r, nr, &cnt);
		for (size_t i = 0; i < n; i++)
			*(h == 0 ? &hops[i].at_pid1 : h == 1 ? &hops[i].to_app : &hops[i].delivered) =
				s[i].t_recv_ns;
	}
	free(s);
	free(r);
}

long rb_bpf_sample_records(const struct rb_bpf_reap *reaps, size_t nreaps,
			   const struct rb_bpf_reap *zombies, size_t nzombies, const pid_t *pids,
			   const int64_t *order, size_t n, struct rb_bpf_reap *out)
{
	struct rb_bpf_reap *all cleanup_free = malloc((nreaps + nzombies + 1) * sizeof(*all));
	long *match cleanup_free = malloc((n ? n : 1) * sizeof(*match));
	long matched = 0;

	if (!all || !match)
		return -1;
	/* the reaped and the never reaped (t_reap 0), matched alike */
	if (nreaps)
		memcpy(all, reaps, nreaps * sizeof(*all));
	if (nzombies)
		memcpy(all + nreaps, zombies, nzombies * sizeof(*all));
	rb_bpf_match(all, nreaps + nzombies, pids, order, n, match);
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (match[i] >= 0) {
			out[i] = all[match[i]];
			matched++;
		}
	}
	return matched;
}

void rb_bpf_batches_close(struct rb_bpf_batches *b)
{
	uint32_t slot = 0;

	if (!b->current)
		return;
	for (uint64_t v = b->current; v > 1 && slot < RB_BPF_BATCH_SLOTS - 1; v >>= 1)
		slot++;
	b->log2[slot]++;
	b->count++;
	if (b->current > b->max)
		b->max = b->current;
	b->current = 0;
}

double rb_bpf_batch_mean(const struct rb_bpf_batches *b)
{
	return b->count ? (double)b->total / (double)b->count : 0;
}
