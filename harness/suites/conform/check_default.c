/* Default actions: the app installs no handlers (the usual case, and the
 * "bash as PID 1 ignores docker stop" story). One signal is sent to PID 1
 * from the parent namespace, as `docker stop`/`docker kill` send it; the app
 * is rb-payload sleep, so what happens to it is the signal's default action,
 * if the signal reaches it at all. Observed, the app's fate, from its own
 * wait status (plan.watch_app: the kernel's record of the app's exit, so a
 * wrapper that loses the status or reaps late does not hide it):
 *   terminated  it died of the signal (a core-dumping one, QUIT, counts too)
 *   stopped     it was stopped (state T) when the harness ended the run
 *   survived    it still ran when the harness ended the run
 *   killed (PID 1 exited)  PID 1 exited by itself and the kernel SIGKILLed
 *               the rest of the namespace (pause exits 0 on INT and TERM)
 *
 * Two kernel rules shape the expectations (kernel/signal.c):
 *  - sig_task_ignored(): a namespace init (SIGNAL_UNKILLABLE) with SIG_DFL
 *    for a signal drops it, even from the parent namespace (only SIGKILL and
 *    SIGSTOP are forced), so with no init the app, being PID 1, survives all.
 *  - get_signal(): the default stop of TSTP/TTIN/TTOU "does nothing in an
 *    orphaned pgrp" (is_current_pgrp_orphaned). An app left in PID 1's
 *    process group, as rb-init, dumb-init -c and bash leave it, is orphaned
 *    when PID 1 leads its own session (runc's setsid) or when the harness's
 *    group is; tini, catatonit put it in a group of its own (not orphaned),
 *    dumb-init in a session of its own (orphaned, but it sends SIGSTOP). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conform.h"
#include "procfs.h"
#include "signames.h"

#define SETTLE_NS (200 * 1000000LL)

enum action { ACT_TERM, ACT_CORE, ACT_STOP, ACT_IGNORE };

/* The standard signals a container is sent, the job-control ones, and
 * SIGRTMIN (34: glibc keeps 32 and 33). */
static const struct {
	int sig;
	enum action act; /* signal(7) */
} signals[] = {
	{ SIGHUP, ACT_TERM },  { SIGINT, ACT_TERM },    { SIGQUIT, ACT_CORE },  { SIGTERM, ACT_TERM },
	{ SIGUSR1, ACT_TERM }, { SIGUSR2, ACT_TERM },   { SIGPIPE, ACT_TERM },  { SIGALRM, ACT_TERM },
	{ SIGTSTP, ACT_STOP }, { SIGTTIN, ACT_STOP },   { SIGTTOU, ACT_STOP },  { SIGWINCH, ACT_IGNORE },
	{ SIGCONT, ACT_IGNORE }, { 34, ACT_TERM },
};
#define N_SIGNALS (sizeof(signals) / sizeof(signals[0]))

/* ---- is the app's process group orphaned? ------------------------------- */

/* will_become_orphaned_pgrp() for the harness's own process group, which
 * PID 1 inherits: orphaned unless a member has a parent in another group of
 * the same session (children of the global init do not count). */
static bool harness_pgrp_orphaned(void)
{
	int pgrp = (int)getpgrp(), sid = (int)getsid(0), pid;
	struct rb_pstat s, parent;
	bool orphaned = true;
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!d)
		return false;
	while (orphaned && (e = readdir(d))) {
		pid = atoi(e->d_name);
		if (pid <= 0 || !rb_proc_stat(pid, &s) || s.pgrp != pgrp || s.state == 'Z' || s.ppid <= 1)
			continue;
		if (rb_proc_stat(s.ppid, &parent) && parent.pgrp != pgrp && parent.sid == sid)
			orphaned = false;
	}
	closedir(d);
	return orphaned;
}

/* From the app's ids as it saw them in the namespace (0: outside it). Its
 * parent is PID 1, whose session is the app's unless the app made its own. */
static bool app_pgrp_orphaned(const struct rb_channel *ch, const char **why)
{
	if (ch->payload_pgid == 0) {
		*why = "in the harness's process group";
		return harness_pgrp_orphaned();
	}
	if (ch->payload_pgid == 1) { /* PID 1's group: PID 1's parent is the harness */
		*why = "in PID 1's process group";
		return ch->payload_sid == 1;
	}
	*why = ch->payload_sid == ch->payload_pid ? "in a session of its own" : "in a group of its own";
	return ch->payload_sid != 0 && ch->payload_sid != 1;
}

/* ---- the check ------------------------------------------------------------ */

/* What the claims (and the kernel) say becomes of the app; "" if nothing. */
static const char *expected_fate(const struct rb_reaper *r, int sig, enum action act, bool orphaned)
{
	const struct rb_claims *c = &r->claims;

	if (r->mode == RB_MODE_NONE)
		return "survived"; /* the app is PID 1 with SIG_DFL: sig_task_ignored() */
	/* Whether a standalone reaper exits on a signal, taking the pod with
	 * it, is not a claim (pause does on INT and TERM). */
	if (r->mode == RB_MODE_STANDALONE && (sig == SIGINT || sig == SIGTERM))
		return "";
	if (sigismember(&c->stops, sig))
		return "stopped";
	if (c->forward_to == RB_FORWARD_NONE || !sigismember(&c->forwards, sig))
		return "survived";
	if (c->child_blocked_claimed && sigismember(&c->child_blocked, sig))
		return "survived"; /* pending in the app for ever */
	switch (act) {
	case ACT_TERM:
	case ACT_CORE:
		return "terminated";
	case ACT_STOP:
		return orphaned ? "survived" : "stopped";
	default:
		return "survived";
	}
}

/* The app's fate, from its own wait status where the runner learned it
 * (plan.watch_app), else from PID 1's. */
static const char *observe(const struct rb_reaper *r, int sig, const struct rb_run_result *res)
{
	int st = res->app_status;

	if (res->children_stopped > 0)
		return "stopped";
	if (res->app_status_known) {
		if (WIFSIGNALED(st) && WTERMSIG(st) == sig)
			return "terminated"; /* even if PID 1 was slow to reap it */
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			/* the kernel's SIGKILL to the rest of a namespace whose
			 * PID 1 exited: by itself, or at the harness's hand */
			return res->ended_by_harness ? "survived" : "killed (PID 1 exited)";
		return WIFSIGNALED(st) ? "killed" : "exited";
	}
	if (res->ended_by_harness)
		return "survived";
	if (r->mode == RB_MODE_STANDALONE)
		return "killed (PID 1 exited)"; /* no status from the joined app */
	/* A wrapper exits when its child does: the app ended, of this signal
	 * if PID 1 passes the status on (128+S). */
	return r->mode == RB_MODE_WRAP ? "terminated" : "exited";
}

static int run_default(const struct rb_check *c, struct rb_conform_ctx *ctx, struct rb_cell *cell)
{
	int sig = signals[c->arg].sig;
	enum action act = signals[c->arg].act;
	struct rb_run_plan plan = {
		.sends = { .n = 1, .sig = { sig }, .settle_ns = SETTLE_NS },
		.watch_app = true,
	};
	const struct rb_reaper *r = ctx->r;
	const char *observed, *where = "";
	char status[64], st[64], app[192] = "", orphan[96] = "";
	struct rb_run_result res;
	struct rb_error err;
	bool orphaned = false;
	int code;

	rb_cell_expect(cell, expected_fate(r, sig, act, false));
	if (rb_conform_run(ctx, RB_PAYLOAD_ARGV(ctx, "sleep", "30"), &plan, &res, &err) < 0) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "%s", err.msg);
	}
	if (res.nsent != 1) {
		rb_run_result_free(&res);
		return rb_cell_error(cell, "the signal was not sent: %s",
				     res.send_skip[0] ? res.send_skip : "the app never got ready");
	}
	if (act == ACT_STOP && r->mode == RB_MODE_WRAP && res.chan_valid) {
		orphaned = app_pgrp_orphaned(&res.chan, &where);
		snprintf(orphan, sizeof(orphan), "; the app is %s, %sorphaned", where,
			 orphaned ? "" : "not ");
		rb_cell_expect(cell, expected_fate(r, sig, act, orphaned));
	}
	rb_status_string(res.sb.status, status, sizeof(status));
	code = rb_status_code(res.sb.status);
	if (res.app_status_known)
		snprintf(app, sizeof(app), "the app %s", rb_status_string(res.app_status, st, sizeof(st)));
	else
		snprintf(app, sizeof(app), "the app's status unknown: %s", res.app_skip);
	observed = observe(r, sig, &res);
	if (res.ended_by_harness)
		rb_cell_set(cell, observed, "PID 1 still running at %lld ms with %d stopped child(ren), "
			    "then %s%s", (long long)(SETTLE_NS / 1000000), res.children_stopped, app,
			    orphan);
	else
		rb_cell_set(cell, observed, "PID 1 %s after %.1f ms%s, %s%s%s", status,
			    (res.sb.t_end_ns - res.t_sent_ns[0]) / 1e6,
			    r->mode == RB_MODE_WRAP && code != 128 + sig ? " (not 128+S)" : "", app,
			    act == ACT_CORE ? " (a core-dumping signal)" : "", orphan);
	rb_run_result_free(&res);
	return 0;
}

static size_t expand(struct rb_check *out, size_t max)
{
	char name[24];

	for (size_t i = 0; out && i < N_SIGNALS && i < max; i++) {
		struct rb_check *c = &out[i];

		rb_signal_name(signals[i].sig, name, sizeof(name));
		c->arg = (int)i;
		c->run = run_default;
		snprintf(c->name, sizeof(c->name), "default.%s", name);
		snprintf(c->doc, sizeof(c->doc), "%s sent to PID 1 from the parent namespace, the app "
			 "has no handlers: is it terminated, stopped, or does it survive?", name);
	}
	return N_SIGNALS;
}

const struct rb_check_family rb_family_default = { .name = "default", .expand = expand };
