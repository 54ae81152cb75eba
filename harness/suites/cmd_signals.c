/* reapbench signals: signal-forwarding latency, open loop. The harness
 * sends a train of signals to PID 1 from the parent namespace on a fixed
 * schedule (--rate), the kinds in turn; the app (rb-payload signal-recorder)
 * logs each receipt. Each latency counts from the send's *scheduled* time
 * to the app's receipt, so a reaper (or a harness) that stalls cannot hide
 * the stall behind a slower schedule. Receipts are matched to sends by
 * sigmatch.h: lost and duplicated signals are counted. Each reaper runs
 * idle and under a storm: a stream of orphans (--storm-rate) made by the
 * app's child for PID 1 to reap while it forwards. `none` (the app itself
 * as PID 1) is direct delivery: the floor the others add to. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_figures.h"
#include "cli.h"
#include "output.h"
#include "table.h"
#include "commands.h"
#include "observer_bpf.h"
#include "suite.h"
#include "record.h"
#include "runner.h"
#include "sigmatch.h"
#include "signames.h"
#include "signals_plot.h"
#include "stats.h"
#include "storm.h"

#define MAX_COUNT 4000 /* the channel logs RB_CHANNEL_MAX_SIGNALS receipts */
#define STORM_LEAD_NS (100 * 1000000LL) /* the storm runs this long before the train */

enum condition { COND_IDLE, COND_STORM, COND_COUNT_ };
/* Who times the signals (--observer): the app's handler stamps each receipt;
 * with both, the kernel also times each hop on the way (root). */
enum observer_kind { OBS_APP, OBS_BOTH, OBS_AUTO };
static const char *const observer_names[] = { "app", "both", "auto", NULL };
/* The hops the kernel times: the harness's send until generated for PID 1,
 * PID 1's forward until generated for the app, until the app's handler
 * runs (signal_deliver), and the handler until it stamps the receipt. */
enum hop { HOP_SEND, HOP_FORWARD, HOP_WAKEUP, HOP_HANDLER, HOP_COUNT_ };
static const struct {
	const char *name, *title;
} hops[HOP_COUNT_] = {
	[HOP_SEND] = { "signal_hop_send", "send->PID 1" },
	[HOP_FORWARD] = { "signal_hop_forward", "PID 1->app" },
	[HOP_WAKEUP] = { "signal_hop_wakeup", "->handler" },
	[HOP_HANDLER] = { "signal_hop_handler", "handler->log" },
};
static const char *const cond_names[COND_COUNT_] = { "idle", "storm" };

struct cfg {
	int observer; /* enum observer_kind; auto resolved before the runs */
	char observer_why[256]; /* auto: why not both */
	double rate, storm_rate;
	long count, repeat;
	int nkinds, kinds[RB_TRAIN_MAX_KINDS];
	bool cond[COND_COUNT_];
	int64_t settle_ns;
	bool no_plots;
	struct rb_output out;
	struct rb_selection sel;
	/* the run's state */
	struct rb_bpf_observer *bpf;  /* --observer both */
	struct rb_table *lat, *hop;   /* the latency table; the kernel's hops */
	bool table_failed;            /* a row did not fit (out of memory) */
	FILE *csv;                    /* signals.csv */
};

struct row {
	RB_SUITE_ROW_HEAD;
	struct rb_signals_plot_reaper pr; /* its curves */
};

/* What a cell of the table (one reaper, one condition) pooled over its runs. */
struct cell {
	double *lat;      /* seconds, every matched send of every run */
	int *lat_kind;    /* its kind (index into cfg.kinds) */
	size_t nlat;
	size_t ksent[RB_TRAIN_MAX_KINDS], klost[RB_TRAIN_MAX_KINDS];
	double *run_p50;  /* per run */
	size_t runs;
	size_t sent, lost, dup, late;
	double lag_max;   /* the harness's own worst lateness (t_sent - t_sched), s */
	double *hop[HOP_COUNT_]; /* --observer both: each hop of every send seen there, s */
	size_t nhop[HOP_COUNT_];
	size_t at_pid1, forwarded, delivered; /* sends the kernel saw reach each point */
	char hop_skip[160];
	char skip[160];
};

/* --signal, into the whole cfg: a kind to send (repeatable). */
static int parse_signal(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct cfg *c = field;
	int sig = rb_signal_parse(arg);

	if (sig < 0)
		return rb_input_error(err, "%s: unknown signal '%s'", opt, arg);
	if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
		return rb_input_error(err, "%s %s: KILL and STOP cannot be forwarded, and CHLD "
				      "is PID 1's own", opt, arg);
	if (c->nkinds == RB_TRAIN_MAX_KINDS)
		return rb_input_error(err, "%s: at most %d kinds", opt, RB_TRAIN_MAX_KINDS);
	c->kinds[c->nkinds++] = sig;
	return 0;
}

static int parse_conditions(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	bool *cond = field;
	char buf[64], *save = NULL, *tok;
	int k;

	if (strlen(arg) >= sizeof(buf))
		return rb_input_error(err, "%s: '%s' is not idle, storm or idle,storm", opt, arg);
	strcpy(buf, arg);
	memset(cond, 0, COND_COUNT_ * sizeof(*cond));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < COND_COUNT_ && strcmp(tok, cond_names[k]) != 0; k++)
			;
		if (k == COND_COUNT_)
			return rb_input_error(err, "%s: unknown condition '%s' (idle, storm)", opt,
					      tok);
		cond[k] = true;
	}
	if (!cond[COND_IDLE] && !cond[COND_STORM])
		return rb_input_error(err, "%s: '%s' names no condition", opt, arg);
	return 0;
}

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt signals_opts[] = {
	{ "rate", 0, RB_OT_RATE, "R", AT(rate), 0, 100000, .help = "signals per second",
	  .record = "rate" },
	{ "count", 0, RB_OT_LONG, "N", AT(count), 1, MAX_COUNT, .help = "signals per run",
	  .record = "count" },
	{ "signal", 0, RB_OT_FN, "SIG", RB_IN_CFG, 0, .parse = parse_signal,
	  .help = "a kind to send (repeatable, in turn)", .dflt = "USR1 and RTMIN+1" },
	{ "storm-rate", 0, RB_OT_RATE, "R", AT(storm_rate), 0, 100000,
	  .help = "orphans per second in the storm condition", .record = "storm_rate" },
	{ "conditions", 0, RB_OT_FN, "LIST", AT(cond), .parse = parse_conditions,
	  .help = "idle, storm or idle,storm", .dflt = "idle,storm" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, 1000, .help = "runs per reaper and condition",
	  .record = "repeat" },
	{ "settle", 0, RB_OT_NS, "DUR", AT(settle_ns), 0, 60e9,
	  .help = "after the last send, wait this long for receipts", .record = "settle_s" },
	{ "no-plots", 0, RB_OT_FLAG, NULL, AT(no_plots), .help = "no signals-latency-cdf.svg" },
	{ "observer", 0, RB_OT_CHOICE, "O", AT(observer), .choices = observer_names,
	  .help = "app (the app's handler stamps each receipt), both (and\n"
		  "the kernel's tracepoints time each hop: the send, PID 1's\n"
		  "forward, the app's wakeup, its handler; root) or auto (both\n"
		  "where the BPF observer loads, else app)", .dflt = "auto" },
	{ 0 },
};

static const struct rb_cli signals_cli = {
	.name = "signals",
	.about = "Open-loop signal forwarding: N signals to PID 1 from the parent namespace at R per\n"
		 "second (the kinds in turn), each timed from its scheduled send to the app's receipt;\n"
		 "lost and duplicated signals counted. Each reaper idle, and under a storm (the app's\n"
		 "child makes orphans for PID 1 at --storm-rate while the train runs).\n\n"
		 "Exit 0: measured (losses are findings, not failures), 1: a run failed, 2: bad input.",
	.opts = signals_opts,
	.groups = RB_CLI_SELECTION | RB_CLI_OUTPUT | RB_CLI_SANDBOX,
	.defaults = (const struct rb_opt_default[]){
		{ "deadline", "the train, its settle time and 20s more" }, { 0 } },
};

static int64_t train_ns(const struct cfg *c)
{
	return (int64_t)((double)c->count / c->rate * 1e9);
}

/* rb-payload signal-recorder, recording past the train's end; under the
 * storm with a stream that outlasts the train. */
static char **recorder_words(const struct cfg *c, enum condition cond, char words[4][32])
{
	static const char *const base[] = { "signal-recorder", "--seconds" };
	char **w = calloc(8, sizeof(*w));
	int64_t span = STORM_LEAD_NS + train_ns(c) + c->settle_ns;
	int n = 0;

	if (!w)
		return NULL;
	w[n++] = (char *)base[0];
	w[n++] = (char *)base[1];
	snprintf(words[0], 32, "%lld", (long long)(span / 1000000000 + 10));
	w[n++] = words[0];
	if (cond == COND_STORM) {
		w[n++] = "--storm-rate";
		snprintf(words[1], 32, "%g", c->storm_rate);
		w[n++] = words[1];
		w[n++] = "--storm-count";
		snprintf(words[2], 32, "%.0f", ceil(c->storm_rate * (double)(span + 1000000000) / 1e9));
		w[n++] = words[2];
	}
	return w;
}

/* The app's receipts: the entries the payload itself logged. */
static size_t app_receipts(const struct rb_channel *ch, struct rb_sig_recv *out)
{
	uint32_t n = ch->nsignals < RB_CHANNEL_MAX_SIGNALS ? ch->nsignals : RB_CHANNEL_MAX_SIGNALS;
	size_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		if (ch->signals[i].signo > 0 && ch->signals[i].receiver == ch->payload_pid)
			out[k++] = (struct rb_sig_recv){ ch->signals[i].signo, ch->signals[i].t_ns };
	return k;
}

static double percentile(double *v, size_t n, double p)
{
	rb_sort_doubles(v, n);
	return rb_percentile_sorted(v, n, p);
}

static const struct { const char *name; double p; } pcts[] = {
	{ "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p99_9", 99.9 }, { "max", 100 },
};
#define NPCT (sizeof(pcts) / sizeof(pcts[0]))

static void measure_latencies(json_t *run, const char *prefix, double *lat, size_t n,
			      const char *why_none)
{
	char name[64];

	for (size_t i = 0; i < NPCT; i++) {
		snprintf(name, sizeof(name), "%s_%s", prefix, pcts[i].name);
		if (n)
			rb_record_measure(run, name, percentile(lat, n, pcts[i].p), "s");
		else
			rb_record_skip(run, name, why_none);
	}
}

/* Per kind, from the sends as rb_sigmatch left them (it matches each signal
 * on its own): sent, received, lost, duplicated, latency percentiles. */
static json_t *kinds_json(const struct cfg *c, const struct rb_sig_send *s, int nsent,
			  const struct rb_sig_recv *recv, size_t nrecv)
{
	double *lat = calloc((size_t)nsent + 1, sizeof(*lat));
	json_t *kinds = json_object();
	char name[32];

	for (int k = 0; lat && k < c->nkinds; k++) {
		size_t sent = 0, received = 0, nl = 0;
		json_t *o = json_object();

		for (int i = 0; i < nsent; i++) {
			if (s[i].sig != c->kinds[k])
				continue;
			sent++;
			if (s[i].t_recv_ns)
				lat[nl++] = (double)(s[i].t_recv_ns - s[i].t_sched_ns) / 1e9;
		}
		for (size_t i = 0; i < nrecv; i++)
			received += recv[i].sig == c->kinds[k];
		json_object_set_new(o, "sent", json_integer((json_int_t)sent));
		json_object_set_new(o, "received", json_integer((json_int_t)received));
		json_object_set_new(o, "lost", json_integer((json_int_t)(sent - nl)));
		json_object_set_new(o, "dup", json_integer((json_int_t)(received - nl)));
		if (nl) {
			json_object_set_new(o, "latency_p50_s", json_real(percentile(lat, nl, 50)));
			json_object_set_new(o, "latency_p99_s", json_real(percentile(lat, nl, 99)));
			json_object_set_new(o, "latency_max_s", json_real(lat[nl - 1]));
		}
		json_object_set_new(kinds, rb_signal_name(c->kinds[k], name, sizeof(name)), o);
	}
	free(lat);
	return kinds;
}

static int kind_index(const struct cfg *c, int sig)
{
	int k;

	for (k = 0; k < c->nkinds - 1 && c->kinds[k] != sig; k++)
		;
	return k;
}

/* The storm condition holds only if the storm ran across the whole train. */
static const char *storm_overlap(const struct rb_run_result *res, const struct rb_signal_train *tr)
{
	const struct rb_storm_block *b = &res->chan.storm;

	if (!res->chan_valid || b->t_start_ns == 0)
		return "the background storm never started";
	if (tr->nsent == 0)
		return NULL;
	if (b->t_start_ns > tr->sends[0].t_sent_ns)
		return "the background storm started after the first signal";
	if (b->t_end_ns && b->t_end_ns < tr->sends[tr->nsent - 1].t_sent_ns)
		return "the background storm ended before the last signal";
	return NULL;
}

/* One run's figures into RUN and the cell. */
/* signals.csv: reaper,condition,repeat,kind,sched_us,latency_us,lag_us
 * (times from the first scheduled send; latency empty: lost). */
static void csv_run(FILE *csv, const char *reaper, enum condition cond, long k,
		    const struct rb_signal_train *tr)
{
	char name[32];

	for (int i = 0; csv && i < tr->nsent; i++) {
		const struct rb_sig_send *s = &tr->sends[i];

		fprintf(csv, "%s,%s,%ld,%s,%.3f,", reaper, cond_names[cond], k,
			rb_signal_name(s->sig, name, sizeof(name)),
			(double)(s->t_sched_ns - tr->sends[0].t_sched_ns) / 1e3);
		if (s->t_recv_ns)
			fprintf(csv, "%.3f", (double)(s->t_recv_ns - s->t_sched_ns) / 1e3);
		fprintf(csv, ",%.3f\n", (double)(s->t_sent_ns - s->t_sched_ns) / 1e3);
	}
}

/* --observer both: each send's hops as the kernel saw them (the sends
 * already matched to the app's receipts), into RUN and pooled in CELL. */
static void take_hops(const struct rb_run_result *res, const struct rb_signal_train *tr,
		      json_t *run, struct cell *cell)
{
	struct rb_bpf_hops *h = calloc((size_t)tr->n + 1, sizeof(*h));
	double *v[HOP_COUNT_] = { NULL };
	size_t n[HOP_COUNT_] = { 0 }, at = 0, fwd = 0, del = 0;

	for (int k = 0; k < HOP_COUNT_; k++)
		v[k] = calloc((size_t)tr->n + 1, sizeof(double));
	if (!res->bpf.taken || !h || !v[0] || !v[1] || !v[2] || !v[3]) {
		snprintf(cell->hop_skip, sizeof(cell->hop_skip), "%s",
			 res->bpf.skip[0] ? res->bpf.skip : "out of memory");
		for (int k = 0; k < HOP_COUNT_; k++)
			measure_latencies(run, hops[k].name, NULL, 0, cell->hop_skip);
		goto out;
	}
	rb_bpf_signal_hops(res->bpf.sigs, res->bpf.nsigs, (uint32_t)res->chan.payload_pid, tr->sends,
			   (size_t)tr->nsent, h);
	for (int i = 0; i < tr->nsent; i++) {
		const struct rb_sig_send *s = &tr->sends[i];

		at += h[i].at_pid1 != 0;
		fwd += h[i].to_app != 0;
		del += h[i].delivered != 0;
		if (h[i].at_pid1)
			v[HOP_SEND][n[HOP_SEND]++] = (double)(h[i].at_pid1 - s->t_sent_ns) / 1e9;
		if (h[i].at_pid1 && h[i].to_app >= h[i].at_pid1)
			v[HOP_FORWARD][n[HOP_FORWARD]++] = (double)(h[i].to_app - h[i].at_pid1) / 1e9;
		if (h[i].to_app && h[i].delivered >= h[i].to_app)
			v[HOP_WAKEUP][n[HOP_WAKEUP]++] = (double)(h[i].delivered - h[i].to_app) / 1e9;
		if (h[i].delivered && s->t_recv_ns >= h[i].delivered)
			v[HOP_HANDLER][n[HOP_HANDLER]++] = (double)(s->t_recv_ns - h[i].delivered) / 1e9;
	}
	rb_record_measure(run, "signals_at_pid1", (double)at, "count");
	rb_record_measure(run, "signals_forwarded", (double)fwd, "count");
	rb_record_measure(run, "signals_delivered", (double)del, "count");
	cell->at_pid1 += at;
	cell->forwarded += fwd;
	cell->delivered += del;
	for (int k = 0; k < HOP_COUNT_; k++) {
		memcpy(cell->hop[k] + cell->nhop[k], v[k], n[k] * sizeof(double));
		cell->nhop[k] += n[k];
		measure_latencies(run, hops[k].name, v[k], n[k], "the kernel saw no signal there");
	}
out:
	for (int k = 0; k < HOP_COUNT_; k++)
		free(v[k]);
	free(h);
}

/* A run's counts: sent, lost, duplicated, the harness's late sends, and
 * how it sent. */
static void record_counts(json_t *run, const struct rb_signal_train *tr,
			  const struct rb_sigmatch_counts *cnt, size_t nlate)
{
	rb_record_measure(run, "signals_sent", (double)cnt->sent, "count");
	rb_record_measure(run, "signals_lost", (double)cnt->lost, "count");
	rb_record_measure(run, "signals_dup", (double)cnt->dup, "count");
	/* the harness's own lateness: half a period late or more, it sent
	 * back to back, where standard signals merge on their own */
	rb_record_measure(run, "sends_late", (double)nlate, "count");
	json_object_set_new(run, "sender", json_pack("{s:b, s:s}", "sched_fifo", tr->sender_rt,
						     "why_not", tr->sender_rt ? "" : strerror(tr->sender_errno)));
}

/* false: the run's latency is a skip (the reason in CELL->skip) */
static bool take_run(const struct cfg *c, enum condition cond, const struct rb_run_result *res,
		     struct rb_signal_train *tr, json_t *run, struct cell *cell)
{
	struct rb_sig_recv *recv = calloc(RB_CHANNEL_MAX_SIGNALS, sizeof(*recv));
	double *lat = calloc((size_t)tr->n + 1, sizeof(*lat)), *lag = calloc((size_t)tr->n + 1, sizeof(*lag));
	json_t *raw = json_array(), *lags = json_array(), *sig = json_array();
	struct rb_sigmatch_counts cnt;
	const char *why = NULL;
	char name[32];
	size_t nrecv = 0, nl = 0, nlate = 0;
	bool measured = false;
	int k;

	if (!recv || !lat || !lag)
		goto out;
	if (!res->chan_valid)
		why = "the payload never reported (no channel)";
	else if (res->chan.nsignals > RB_CHANNEL_MAX_SIGNALS)
		why = "the app's signal log overflowed: receipts went unlogged, losses unknown";
	else if (cond == COND_STORM)
		why = storm_overlap(res, tr);
	nrecv = res->chan_valid ? app_receipts(&res->chan, recv) : 0;
	rb_sigmatch(tr->sends, (size_t)tr->nsent, recv, nrecv, &cnt);
	for (int i = 0; i < tr->nsent; i++) {
		const struct rb_sig_send *s = &tr->sends[i];
		double l = (double)(s->t_recv_ns - s->t_sched_ns) / 1e9;

		lag[i] = (double)(s->t_sent_ns - s->t_sched_ns) / 1e9;
		nlate += s->t_sent_ns - s->t_sched_ns > tr->period_ns / 2;
		json_array_append_new(sig, json_string(rb_signal_name(s->sig, name, sizeof(name))));
		json_array_append_new(lags, json_real(lag[i]));
		json_array_append_new(raw, s->t_recv_ns ? json_real(l) : json_null());
		if (why)
			continue;
		k = kind_index(c, s->sig);
		cell->ksent[k]++;
		cell->klost[k] += s->t_recv_ns == 0;
		if (s->t_recv_ns) {
			cell->lat_kind[cell->nlat + nl] = k;
			lat[nl++] = l;
		}
	}
	json_object_set_new(run, "condition", json_string(cond_names[cond]));
	json_object_set_new(run, "signals", sig);
	json_object_set_new(run, "latency_s", raw);
	json_object_set_new(run, "send_lag_s", lags);
	raw = lags = sig = NULL;
	json_object_set_new(run, "kinds", kinds_json(c, tr->sends, tr->nsent, recv, nrecv));
	if (why) {
		rb_record_skip(run, "signal_latency", why);
		snprintf(cell->skip, sizeof(cell->skip), "%s", why);
		goto out;
	}
	record_counts(run, tr, &cnt, nlate);
	if (tr->nsent) {
		rb_record_measure(run, "send_lag_p99", percentile(lag, (size_t)tr->nsent, 99), "s");
		cell->lag_max = fmax(cell->lag_max, lag[tr->nsent - 1]); /* sorted by percentile() */
	}
	if (cond == COND_STORM)
		rb_record_measure(run, "storm_reaped", (double)res->chan.reaped, "count");
	memcpy(cell->lat + cell->nlat, lat, nl * sizeof(*lat)); /* before sorting: kinds pair */
	cell->nlat += nl;
	if (nl)
		cell->run_p50[cell->runs] = percentile(lat, nl, 50);
	measure_latencies(run, "signal_latency", lat, nl, "no signal reached the app");
	if (c->observer == OBS_BOTH)
		take_hops(res, tr, run, cell);
	cell->sent += cnt.sent;
	cell->lost += cnt.lost;
	cell->dup += cnt.dup;
	cell->late += nlate;
	cell->runs += nl > 0;
	measured = true;
out:
	json_decref(raw);
	json_decref(lags);
	json_decref(sig);
	free(recv);
	free(lat);
	free(lag);
	return measured;
}

/* Room for REPEAT runs of COUNT sends. */
static int cell_alloc(struct cell *cell, size_t count, size_t repeat)
{
	cell->lat = calloc(count * repeat, sizeof(*cell->lat));
	cell->lat_kind = calloc(count * repeat, sizeof(*cell->lat_kind));
	cell->run_p50 = calloc(repeat, sizeof(*cell->run_p50));
	for (int k = 0; k < HOP_COUNT_; k++)
		cell->hop[k] = calloc(count * repeat, sizeof(double));
	if (!cell->lat || !cell->lat_kind || !cell->run_p50)
		return -1;
	for (int k = 0; k < HOP_COUNT_; k++)
		if (!cell->hop[k])
			return -1;
	return 0;
}

static void cell_free(struct cell *cell)
{
	free(cell->lat);
	free(cell->lat_kind);
	free(cell->run_p50);
	for (int h = 0; h < HOP_COUNT_; h++)
		free(cell->hop[h]);
}

/* One reaper, one condition, --repeat runs. -1: a run failed (error in CELL->skip). */
static int run_cell(const struct rb_sysinfo *si, const struct cfg *c, const struct rb_reaper *r,
		    enum condition cond, struct rb_sandbox_opts *opts, struct rb_bpf_observer *bpf,
		    json_t *rec, FILE *csv, struct cell *cell, bool *interrupted)
{
	struct rb_signal_train tr = { .n = (int)c->count, .period_ns = (int64_t)(1e9 / c->rate),
				      .nkinds = c->nkinds };
	struct rb_run_plan plan = {
		.sends = { .settle_ns = c->settle_ns, .delay_ns = cond == COND_STORM ? STORM_LEAD_NS : 0 },
		.train = &tr,
		.bpf = bpf,
	};
	char words[4][32], **w = recorder_words(c, cond, words), **workload = NULL;
	struct rb_error rerr = { 0 };
	int rc = 0;

	memcpy(tr.kinds, c->kinds, sizeof(tr.kinds));
	tr.sends = calloc((size_t)c->count, sizeof(*tr.sends));
	if (!w || !tr.sends || cell_alloc(cell, (size_t)c->count, (size_t)c->repeat) < 0 ||
	    rb_resolve_workload(si, w, &workload, &rerr) < 0) {
		snprintf(cell->skip, sizeof(cell->skip), "%s", rerr.msg[0] ? rerr.msg : "out of memory");
		rc = -1;
		goto out;
	}
	for (long k = 0; k < c->repeat && !*interrupted; k++) {
		struct rb_run_result res;
		json_t *run;

		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r%-20s %-5s run %ld/%ld ", r->name, cond_names[cond], k + 1,
				c->repeat);
		if (rb_run_payload(si, r, opts, &plan, workload, &res, &rerr) < 0) {
			snprintf(cell->skip, sizeof(cell->skip), "%s", rerr.msg);
			run = rb_record_add_run(rec, r, NULL);
			json_object_set_new(run, "condition", json_string(cond_names[cond]));
			rb_record_skip(run, "signals", rerr.msg);
			rb_run_result_free(&res);
			rc = -1;
			break;
		}
		*interrupted = res.sb.end == RB_END_INTERRUPTED;
		run = rb_record_add_run(rec, r, res.argv);
		json_object_set_new(run, "repeat", json_integer(k));
		rb_run_record(run, &res);
		if (*interrupted)
			rb_record_skip(run, "signals", "interrupted (the harness got a signal)");
		else if (take_run(c, cond, &res, &tr, run, cell))
			csv_run(csv, r->name, cond, k, &tr);
		rb_run_result_free(&res);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%40s\r", "");
out:
	rb_argv_free(workload);
	free(w);
	free(tr.sends);
	return rc;
}

/* ---- the tables --------------------------------------------------------------- */

/* A latency in us: one decimal below a millisecond. */
static int us_cell(struct rb_table *t, int col, double s)
{
	return s < 0.001 ? rb_table_cell(t, col, "%.1f", s * 1e6) : rb_table_cell(t, col, "%.0f", s * 1e6);
}

/* The percentiles of V (sorted in place) from column COL on. */
static int percentile_cells(struct rb_table *t, int col, double *v, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < NPCT && rc == 0; i++)
		rc = us_cell(t, col + (int)i, percentile(v, n, pcts[i].p));
	return rc;
}

enum { COL_NAME, COL_COND, COL_SENT, COL_LOST, COL_DUP, COL_LATE, COL_P50, COL_LAG = COL_P50 + NPCT,
       COL_RUNS };

static int latency_columns(struct rb_table *t)
{
	static const char *const titles[] = { "REAPER", "COND", "SENT", "LOST", "DUP", "LATE",
					      "p50", "p90", "p99", "p99.9", "max", "LAG" };
	int rc = 0;

	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]) && rc == 0; k++)
		rc = rb_table_column(t, titles[k], k < 2 ? RB_COL_LEFT : RB_COL_RIGHT);
	return rc ?: rb_table_column(t, "p50 per run", RB_COL_LEFT);
}

/* A row per kind under the cell's row (the pooled latencies of that kind). */
static int kind_rows(struct rb_table *t, const struct cfg *c, const struct cell *cell)
{
	double *v cleanup_free = malloc((cell->nlat + 1) * sizeof(*v));
	char name[32];
	int rc = v ? 0 : -ENOMEM;

	for (int k = 0; rc == 0 && k < c->nkinds && c->nkinds > 1; k++) {
		size_t n = 0;

		for (size_t i = 0; i < cell->nlat; i++)
			if (cell->lat_kind[i] == k)
				v[n++] = cell->lat[i];
		rc = rb_table_row(t) ?:
		     rb_table_cell(t, COL_COND, "%s", rb_signal_name(c->kinds[k], name, sizeof(name))) ?:
		     rb_table_cell(t, COL_SENT, "%zu", cell->ksent[k]) ?:
		     rb_table_cell(t, COL_LOST, "%zu", cell->klost[k]);
		if (rc == 0 && n)
			rc = percentile_cells(t, COL_P50, v, n);
	}
	return rc;
}

/* The cell's row (one reaper, one condition) and its kinds' rows. */
static int latency_rows(struct rb_table *t, const struct cfg *c, const struct rb_reaper *r,
			enum condition cond, struct cell *cell)
{
	struct rb_summary sp;
	double *sorted cleanup_free = NULL;
	int rc = rb_table_named_row(t, r->name) ?: rb_table_cell(t, COL_COND, "%s", cond_names[cond]);

	if (rc == 0 && cell->skip[0] && cell->sent == 0)
		return rb_table_cell(t, COL_SENT, "skipped: %s", cell->skip);
	rc = rc ?: rb_table_cell(t, COL_SENT, "%zu", cell->sent) ?:
	     rb_table_cell(t, COL_LOST, "%zu", cell->lost) ?: rb_table_cell(t, COL_DUP, "%zu", cell->dup) ?:
	     rb_table_cell(t, COL_LATE, "%zu", cell->late);
	if (rc == 0 && cell->nlat == 0)
		return rb_table_cell(t, COL_RUNS, "no signal reached the app");
	/* the kinds' rows read the pooled samples in their original order */
	sorted = malloc(cell->nlat * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, cell->lat, cell->nlat * sizeof(*sorted));
	rc = rc ?: percentile_cells(t, COL_P50, sorted, cell->nlat) ?: us_cell(t, COL_LAG, cell->lag_max);
	if (rc == 0 && rb_summarize(cell->run_p50, cell->runs, &sp) == 0)
		rc = rb_table_cell(t, COL_RUNS, "%.0f-%.0f%s", sp.min * 1e6, sp.max * 1e6,
				   cell->skip[0] ? " (a run skipped)" : "");
	return rc ?: kind_rows(t, c, cell);
}

static int hop_columns(struct rb_table *t)
{
	static const char *const titles[] = { "REAPER", "COND", "SENT", "AT PID 1", "FORWARDED",
					      "DELIVERED" };
	int rc = 0;

	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]) && rc == 0; k++)
		rc = rb_table_column(t, titles[k], k < 2 ? RB_COL_LEFT : RB_COL_RIGHT);
	for (int k = 0; k < HOP_COUNT_ && rc == 0; k++)
		rc = rb_table_column(t, hops[k].title, RB_COL_RIGHT);
	return rc;
}

/* The kernel's view of the cell's sends: how far they got, each hop's p50
 * and p99. */
static int hop_row(struct rb_table *t, const struct rb_reaper *r, enum condition cond,
		   struct cell *cell)
{
	int rc = rb_table_named_row(t, r->name) ?: rb_table_cell(t, 1, "%s", cond_names[cond]);

	if (rc == 0 && cell->hop_skip[0] && cell->at_pid1 == 0)
		return rb_table_cell(t, 2, "skipped: %s", cell->hop_skip);
	rc = rc ?: rb_table_cell(t, 2, "%zu", cell->sent) ?: rb_table_cell(t, 3, "%zu", cell->at_pid1) ?:
	     rb_table_cell(t, 4, "%zu", cell->forwarded) ?: rb_table_cell(t, 5, "%zu", cell->delivered);
	for (int k = 0; k < HOP_COUNT_ && rc == 0; k++)
		rc = cell->nhop[k] ? rb_table_cell(t, 6 + k, "%.1f/%.1f",
						   percentile(cell->hop[k], cell->nhop[k], 50) * 1e6,
						   percentile(cell->hop[k], cell->nhop[k], 99) * 1e6)
				   : rb_table_cell(t, 6 + k, "-");
	return rc;
}

static void record_options(json_t *rec, const struct cfg *c, const struct rb_sandbox_opts *opts)
{
	json_t *o = json_object_get(rec, "options"), *k = json_array();
	char name[32];

	for (int i = 0; i < c->nkinds; i++)
		json_array_append_new(k, json_string(rb_signal_name(c->kinds[i], name, sizeof(name))));
	json_object_set_new(o, "signals", k);
	k = json_array();
	for (int i = 0; i < COND_COUNT_; i++)
		if (c->cond[i])
			json_array_append_new(k, json_string(cond_names[i]));
	json_object_set_new(o, "conditions", k);
	json_object_set_new(o, "observer", json_string(observer_names[c->observer]));
	if (c->observer_why[0])
		json_object_set_new(o, "observer_why", json_string(c->observer_why));
	rb_sandbox_opts_record(o, opts);
}

/* signals-latency-cdf.svg from signals.csv, unless --no-plots. */
static int plot(const struct cfg *c, const struct rb_signals_plot_reaper *pr, int n, json_t *rec,
		struct rb_error *err)
{
	struct rb_signals_plot_spec spec = { .dir = c->out.dir, .conditions = cond_names,
					     .reapers = pr, .n = n };
	char title[256], line[1200];
	json_t *plots;
	int rc;

	if (c->no_plots) {
		json_object_set_new(rec, "plots", json_pack("{s:s}", "skipped", "--no-plots"));
		return 0;
	}
	snprintf(title, sizeof(title), "signals: %ld per run at %g/s, %ld run%s; storm: orphans at %g/s",
		 c->count, c->rate, c->repeat, c->repeat == 1 ? "" : "s", c->storm_rate);
	spec.title = title;
	rc = rb_signals_plot(&spec, &plots, line, sizeof(line), err);
	json_object_set_new(rec, "plots", plots);
	if (rb_output_kept(&c->out))
		printf("plots   %s\n", line);
	return rc;
}

static FILE *open_csv(const struct cfg *c, struct rb_error *err)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/signals.csv", c->out.dir);
	f = fopen(path, "we");
	if (!f)
		rb_sys_error(err, errno, "writing %s", path);
	else
		fprintf(f, "reaper,condition,repeat,kind,sched_us,latency_us,lag_us\n");
	return f;
}

static void print_header(const struct cfg *c)
{
	char name[32];

	printf("signals: %ld per run at %g/s (", c->count, c->rate);
	for (int i = 0; i < c->nkinds; i++)
		printf("%s%s", i ? ", " : "", rb_signal_name(c->kinds[i], name, sizeof(name)));
	printf(" in turn), %ld run%s per reaper and condition; storm: orphans at %g/s\n", c->repeat,
	       c->repeat == 1 ? "" : "s", c->storm_rate);
}

/* The latency table, and with --observer both the hops'. */
static int print_tables(const struct cfg *c, struct rb_table *lat, struct rb_table *hop)
{
	enum rb_format format = (enum rb_format)c->out.format;
	int rc = rb_table_caption(lat, "latency in us from the scheduled send to the app's receipt, "
				  "pooled over the runs;\nLAG: the harness's own worst lateness at a send, "
				  "LATE: sends half a period late or\nmore (both counted in the latencies; "
				  "`none`, the app as PID 1, is direct delivery);\na row per kind under each "
				  "reaper's when there are several") ?:
		 rb_table_print(lat, format, stdout);

	if (rc || c->observer != OBS_BOTH)
		return rc;
	return rb_table_caption(hop, "the kernel's view (--observer both): how many sends were "
				"generated for PID 1, forwarded by it\nto the app and delivered to its "
				"handler; each hop's p50/p99 in us") ?:
	       rb_table_print(hop, format, stdout);
}

static void init(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	c->observer = OBS_AUTO;
	c->rate = 200;
	c->storm_rate = 2000;
	c->count = 200;
	c->repeat = 3;
	c->cond[COND_IDLE] = c->cond[COND_STORM] = true;
	c->settle_ns = 200 * 1000000LL;
	x->opts.deadline_ns = 0; /* unless given: from the train */
}

/* The kinds, the deadline from the train, the tables, the observer. */
static int prepare(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	if (c->nkinds == 0) {
		c->kinds[c->nkinds++] = SIGUSR1;
		c->kinds[c->nkinds++] = SIGRTMIN + 1;
	}
	if (!x->opts.deadline_ns)
		x->opts.deadline_ns = STORM_LEAD_NS + train_ns(c) + c->settle_ns + 20LL * 1000000000;
	c->lat = rb_table_new();
	c->hop = rb_table_new();
	if (!c->lat || !c->hop || latency_columns(c->lat) < 0 || hop_columns(c->hop) < 0)
		return rb_sys_error(err, ENOMEM, "signals: the tables");
	if (c->observer == OBS_AUTO)
		c->observer = rb_observer_try(&c->bpf, (uint32_t)x->opts.pid_max + 1, 1u << 16,
					      c->observer_why, sizeof(c->observer_why)) ? OBS_BOTH : OBS_APP;
	if (c->observer == OBS_BOTH) {
		if (!c->bpf && rb_bpf_observer_open(&c->bpf, (uint32_t)x->opts.pid_max + 1, 1u << 16,
						    err) < 0)
			return -1;
		rb_bpf_observer_signals(c->bpf, true);
	}
	return 0;
}

static int begin(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;

	c->csv = open_csv(c, err);
	if (!c->csv)
		return -1;
	record_options(x->rec, c, &x->opts);
	print_header(c);
	return 0;
}

/* One reaper under every condition: its rows of the tables, its curves. */
static int measure(struct rb_suite_ctx *x, void *row, long k, long step)
{
	struct cfg *c = x->cfg;
	struct row *w = row;
	int rc = 0;

	(void)k;
	(void)step;
	w->pr.name = w->r->name;
	for (int i = 0; i < COND_COUNT_ && !x->interrupted; i++) {
		struct cell cell = { 0 };

		if (!c->cond[i])
			continue;
		if (run_cell(x->si, c, w->r, (enum condition)i, &x->opts, c->bpf, x->rec, c->csv,
			     &cell, &x->interrupted) < 0)
			rc = -1;
		if (latency_rows(c->lat, c, w->r, (enum condition)i, &cell) < 0 ||
		    (c->observer == OBS_BOTH && hop_row(c->hop, w->r, (enum condition)i, &cell) < 0))
			c->table_failed = true;
		w->pr.sent[i] = cell.sent;
		w->pr.received[i] = cell.nlat;
		cell_free(&cell);
	}
	return x->interrupted ? 1 : rc;
}

static int report(struct rb_suite_ctx *x, struct rb_error *err)
{
	struct cfg *c = x->cfg;
	struct rb_signals_plot_reaper *pr cleanup_free = calloc((size_t)x->nrows + 1, sizeof(*pr));
	int rc = fclose(c->csv);

	c->csv = NULL;
	if (rc != 0)
		return rb_sys_error(err, errno, "writing %s/signals.csv", c->out.dir);
	if (!pr || c->table_failed || print_tables(c, c->lat, c->hop) < 0)
		return rb_sys_error(err, ENOMEM, "signals: the tables");
	for (int i = 0; i < x->nrows; i++)
		pr[i] = ((struct row *)rb_suite_row(x, i))->pr;
	if (plot(c, pr, x->nrows, x->rec, err) < 0)
		x->failures++;
	return 0;
}

static void footer(const struct rb_suite_ctx *x)
{
	printf("\nrecord  %s (every signal's latency and the harness's send lag)\n"
	       "csv     %s/signals.csv\n", x->out->record, x->out->dir);
}

static void release(struct rb_suite_ctx *x)
{
	struct cfg *c = x->cfg;

	if (c->csv)
		fclose(c->csv);
	rb_table_free(c->lat);
	rb_table_free(c->hop);
	rb_bpf_observer_close(c->bpf);
}

/* The figures compare and the gate judge (metrics.h); the others
 * (signals_sent, sends_late, the send lag) describe the run. */
static const struct rb_metric signals_metrics[] = {
	{ "signal_latency_p50", "s", -1, true, 0, .compared = true },
	{ "signal_latency_p90", "s", -1, true, 0, .compared = true },
	{ "signal_latency_p99", "s", -1, true, 0, .compared = true },
	{ "signal_latency_max", "s", -1, true, 0, .compared = true },
	{ "signals_lost", "signals", -1, false, RB_COUNT_SLACK, .compared = true },
	{ "signals_dup", "signals", -1, false, RB_COUNT_SLACK, .compared = true },
};

const struct rb_suite rb_suite_signals = {
	.name = "signals",
	.summary = "open-loop signal forwarding: latency from the schedule, lost, dup",
	.cli = &signals_cli,
	RB_SUITE_CFG(struct cfg),
	.row_size = sizeof(struct row),
	.metrics = signals_metrics,
	.nmetrics = sizeof(signals_metrics) / sizeof(signals_metrics[0]),
	.output = RB_OUTPUT_DIR,
	.init = init,
	.prepare = prepare,
	.begin = begin,
	.measure = measure,
	.report = report,
	.footer = footer,
	.release = release,
};
