/* The scenario oracles: see scenario_oracle.h. */
#include "scenario_oracle.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "expect.h"
#include "sandbox.h"
#include "signames.h"

#define MS 1000000LL
#define BIT(sig) (1ull << ((sig) - 1))
/* per process that became PID 1's at about the same time: a burst of N
 * exits takes PID 1 N reaps of a few microseconds each */
#define PER_ZOMBIE_NS (100 * 1000LL)

static const char *const oracle_names[RB_NORACLES] = {
	[RB_ORACLE_REAPING] = "reaping",       [RB_ORACLE_EXIT] = "exit-status",
	[RB_ORACLE_FORWARDING] = "forwarding", [RB_ORACLE_LIVENESS] = "liveness",
	[RB_ORACLE_CONTAINMENT] = "containment", [RB_ORACLE_INHERIT] = "inherit",
};

const char *rb_scn_oracle_name(enum rb_scn_oracle o)
{
	return (unsigned)o < RB_NORACLES ? oracle_names[o] : "?";
}

static void find(struct rb_scn_verdict *v, enum rb_scn_oracle o, int op, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void find(struct rb_scn_verdict *v, enum rb_scn_oracle o, int op, const char *fmt, ...)
{
	struct rb_scn_finding *f;
	va_list ap;

	if (v->nfindings >= RB_SCN_MAX_FINDINGS)
		return;
	f = &v->f[v->nfindings++];
	f->oracle = o;
	f->op = op;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static double ms(int64_t ns)
{
	return ns / 1e6;
}

/* When the app ended: its own stamp just before it exited when it ended
 * the program itself (the harness sees the exit a wakeup later, after
 * PID 1 may have acted on it), else when the harness saw it; 0: it lives. */
static int64_t app_end(const struct rb_scn_result *res)
{
	int64_t own = res->slots[RB_SCN_APP].t_exit_ns;

	if (!res->app_ended)
		return 0;
	return own && own < res->t_app_exit_ns ? own : res->t_app_exit_ns;
}

/* ---- reaping ------------------------------------------------------------------ */

/* When process I became PID 1's to reap: the later of its exit and its
 * creator's (0: never, its creator outlived it or reaped it; -1: the app's
 * end orphaned it, which begins PID 1's own end). */
static int64_t pid1s_from(const struct rb_scn_result *res, int i)
{
	int c = res->slots[i].creator;
	int64_t orphaned, t_exit = res->seen[i].t_exit_ns;

	if (c == RB_SCN_APP)
		return res->app_ended ? -1 : 0;
	if (c < 0 || c >= RB_SCN_MAX_PROCS || !res->seen[c].t_exit_ns)
		return 0;
	orphaned = res->seen[c].t_exit_ns;
	/* its creator reaped it before it went (a waited child, the daemon's middle) */
	if (res->seen[i].t_reap_ns && res->seen[i].t_reap_ns <= orphaned)
		return 0;
	orphaned = t_exit > orphaned ? t_exit : orphaned;
	/* once the app has ended, the container is ending: PID 1's exit reaps */
	return res->app_ended && orphaned >= app_end(res) ? -1 : orphaned;
}

/* The CPU wait of PID 1 and the observer from FROM (process I's exit or
 * its creator's, whichever made it PID 1's) to its reap or STOP. */
static int64_t cpu_wait_between(const struct rb_scn_result *res, int i, int64_t from, int64_t stop)
{
	const struct rb_scn_seen *se = &res->seen[i];
	int c = res->slots[i].creator;
	int64_t at_from = from == se->t_exit_ns || c < 1 ? se->exit_cpu_wait_ns
						       : res->seen[c].exit_cpu_wait_ns;
	int64_t at_end = se->t_reap_ns && se->t_reap_ns < stop ? se->reap_cpu_wait_ns
							       : res->end_cpu_wait_ns;

	return at_end > at_from ? at_end - at_from : 0;
}

static void judge_reaping(const struct rb_reaper *r, const struct rb_scn_opts *o,
			  const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	int64_t bound = o->linger_ns + res->prog.nprocs * PER_ZOMBIE_NS;
	/* how long PID 1 had: until the app's end (the container's end) or
	 * until the harness stopped looking */
	int64_t stop = res->app_ended ? app_end(res) : res->t_end_ns;

	if (!r->claims.reaps)
		return;
	v->applies[RB_ORACLE_REAPING] = true;
	for (int i = 1; i < res->prog.nprocs; i++) {
		const struct rb_scn_seen *se = &res->seen[i];
		int64_t from, waited;

		if (!se->adopted || !se->t_exit_ns)
			continue;
		from = pid1s_from(res, i);
		/* what /proc showed of it as a zombie outranks the model */
		if (from <= 0 || (se->zombie_parent && se->zombie_parent != res->pid1_host))
			continue;
		waited = (se->t_reap_ns && se->t_reap_ns < stop ? se->t_reap_ns : stop) - from;
		/* what of it PID 1 or the observer spent waiting for a CPU is the machine's */
		waited -= cpu_wait_between(res, i, from, stop);
		if (waited <= bound)
			continue;
		if (se->t_reap_ns && se->t_reap_ns < stop)
			find(v, RB_ORACLE_REAPING, -1, "process %d (pid %d) waited %.1f ms as PID 1's "
			     "zombie before its reap (bound %.1f ms)", i, res->slots[i].pid, ms(waited),
			     ms(bound));
		else
			find(v, RB_ORACLE_REAPING, -1, "process %d (pid %d) was left a zombie of PID 1: "
			     "not reaped %.1f ms after it became PID 1's (bound %.1f ms)", i,
			     res->slots[i].pid, ms(waited), ms(bound));
	}
}

/* ---- exit status --------------------------------------------------------------------- */

/* Did the program itself kill the app with SIGKILL? (Else an app that
 * died of SIGKILL died in PID 1's teardown of the namespace.) */
static bool program_killed_app(const struct rb_scn_result *res)
{
	for (int k = 0; k < res->prog.nops; k++) {
		const struct rb_scn_op *op = &res->prog.ops[k];

		if (op->code == RB_SCN_KILL_SELF && op->proc == RB_SCN_APP && op->arg == SIGKILL)
			return true;
	}
	return false;
}

static void judge_exit(const struct rb_reaper *r, const struct rb_scn_result *res,
		       struct rb_scn_verdict *v)
{
	const struct rb_claims *c = &r->claims;
	char got[48], app[48];
	enum rb_app_end how;
	int want, arg;

	if (!res->pid1_ended || res->pid1_killed)
		return;
	rb_status_string(res->pid1_status, got, sizeof(got));
	if (res->prog.start != RB_SCN_START_APP) {
		how = res->prog.start == RB_SCN_START_MISSING ? RB_APP_NOT_FOUND : RB_APP_NOT_EXECUTABLE;
		want = rb_expect_exit_code(c, how, 0);
		if (want < 0)
			return;
		v->applies[RB_ORACLE_EXIT] = true;
		if (rb_status_code(res->pid1_status) != want)
			find(v, RB_ORACLE_EXIT, -1, "the app %s: PID 1 %s, claimed %d",
			     how == RB_APP_NOT_FOUND ? "does not exist" : "is not executable", got, want);
		return;
	}
	if (r->mode != RB_MODE_WRAP || !res->app_status_known)
		return;
	if (WIFSIGNALED(res->app_status) && WTERMSIG(res->app_status) == SIGKILL &&
	    !program_killed_app(res)) {
		if (c->exit_status != RB_EXIT_PASSTHROUGH)
			return;
		v->applies[RB_ORACLE_EXIT] = true;
		find(v, RB_ORACLE_EXIT, -1, "PID 1 %s while the app was running (the app died of "
		     "SIGKILL in the namespace's teardown)", got);
		return;
	}
	how = WIFSIGNALED(res->app_status) ? RB_APP_KILLED : RB_APP_EXITED;
	arg = how == RB_APP_KILLED ? WTERMSIG(res->app_status) : WEXITSTATUS(res->app_status);
	want = rb_expect_exit_code(c, how, arg);
	if (want < 0)
		return;
	v->applies[RB_ORACLE_EXIT] = true;
	rb_status_string(res->app_status, app, sizeof(app));
	if (rb_status_code(res->pid1_status) != want)
		find(v, RB_ORACLE_EXIT, -1, "the app %s: PID 1 %s, claimed %d (exit_status = %s)", app,
		     got, want, rb_exit_rule_name(c->exit_status));
}

/* ---- forwarding ------------------------------------------------------------------- */

static bool from_user(const struct rb_signal_entry *e)
{
	/* kill(2), sigqueue(3), tgkill(2): not the kernel's own (job control,
	 * SIGCHLD, the orphaned-group SIGHUP) */
	return e->code == SI_USER || e->code == SI_QUEUE || e->code == SI_TKILL;
}

/* Receipts of SIG by process I after T; FROM_PID1: only those PID 1 sent. */
static int receipts(const struct rb_scn_result *res, int i, int sig, int64_t t, bool from_pid1)
{
	pid_t pid = res->slots[i].pid;
	int n = 0;

	for (uint32_t k = 0; k < res->nsigs; k++) {
		const struct rb_signal_entry *e = &res->sigs[k];

		if (e->signo == sig && e->receiver == pid && e->t_ns > t &&
		    (!from_pid1 || (e->pid == 1 && from_user(e))))
			n++;
	}
	return n;
}

/* When process I ended: its own stamp before its exit when it ended by
 * the program's word (the observer sees the exit a wakeup later), else when
 * the observer saw it; 0: it lived on. */
static int64_t proc_end(const struct rb_scn_result *res, int i)
{
	int64_t own = res->slots[i].t_exit_ns, seen = res->seen[i].t_exit_ns;

	if (i == RB_SCN_APP)
		return app_end(res);
	return own && (!seen || own < seen) ? own : seen;
}

/* Was process I there to take a held signal when the program unblocked
 * and continued everything (the quiet phase, which a program that ends the
 * app never reaches)? A thread group whose leader has exited takes no more
 * commands: what its threads block stays blocked until they exit. */
static bool lived_to_quiet(const struct rb_scn_result *res, int i)
{
	int64_t t = proc_end(res, i);

	if (i != RB_SCN_APP && res->slots[i].state == RB_SCN_P_ENDING && res->slots[i].nthreads)
		return false;
	return res->done && res->t_ops_done_ns && (t == 0 || t > res->t_ops_done_ns);
}

/* Did process I, after T, set SIG to be ignored (or to its default action)?
 * That discards a pending SIG, or acts on it unlogged: nothing to tell. A
 * pending stop signal (TSTP, TTIN, TTOU) is discarded by any SIGCONT, and a
 * pending SIGCONT by any stop signal (kernel/signal.c prepare_signal):
 * held, those are owed nothing either. */
static bool stopped_catching(const struct rb_scn_result *res, int i, int sig, int64_t t)
{
	if (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU || sig == SIGCONT)
		return true;
	for (uint32_t k = 0; k < res->nevents; k++) {
		const struct rb_scn_event *e = &res->events[k];
		const struct rb_scn_op *op;

		if (e->op < 0 || e->t_ns <= t || e->result != 0)
			continue;
		op = &res->prog.ops[e->op];
		if (op->code == RB_SCN_DISPOSITION && op->proc == i && op->arg == sig &&
		    op->arg2 != RB_SCN_HANDLE)
			return true;
	}
	return false;
}

/* Did process I end within the forward bound after T, before the quiet
 * phase? Then a signal sent at T may have reached it and died with it
 * (another signal's default action, or its program ended it first):
 * nothing to tell. (By the quiet phase everything was unblocked, so a
 * forward made was delivered.) */
static bool ended_soon_after(const struct rb_scn_opts *o, const struct rb_scn_result *res, int i,
			     int64_t t)
{
	int64_t end = proc_end(res, i);

	return end && end < t + o->forward_ns && !lived_to_quiet(res, i);
}

static const char *who(int i, char *buf, size_t len)
{
	if (i == RB_SCN_APP)
		snprintf(buf, len, "the app");
	else
		snprintf(buf, len, "process %d", i);
	return buf;
}

static void judge_send(const struct rb_scn_opts *o, const struct rb_scn_result *res,
		       const struct rb_scn_send *sd, struct rb_scn_verdict *v)
{
	char name[32], w[24];

	rb_signal_name(sd->sig, name, sizeof(name));
	if (strcmp(sd->expect, "stopped") == 0) {
		if (!sd->stop_seen && (!app_end(res) || app_end(res) > sd->t_ns))
			find(v, RB_ORACLE_FORWARDING, sd->op, "%s sent to PID 1: the app was not "
			     "stopped (claimed: the init stops it)", name);
		return;
	}
	for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
		if (!(sd->required & (1u << i)))
			continue;
		if ((sd->held & (1u << i)) && (!lived_to_quiet(res, i) ||
					       stopped_catching(res, i, sd->sig, sd->t_ns)))
			continue; /* ended, or stopped catching it, with it pending */
		if (receipts(res, i, sd->sig, sd->t_ns, false) == 0 && !(sd->pending_seen & (1u << i)) &&
		    !ended_soon_after(o, res, i, sd->t_ns))
			find(v, RB_ORACLE_FORWARDING, sd->op, "%s sent to PID 1 never reached %s "
			     "(claimed: forward_to %s)", name, who(i, w, sizeof(w)), sd->expect);
	}
}

/* Realtime signals queue: each send the claims forward to process I must
 * reach it once. */
static void judge_rt_counts(const struct rb_reaper *r, const struct rb_scn_opts *o,
			    const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	for (int sig = SIGRTMIN; sig <= 64; sig++)
		for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
			int64_t first = 0;
			int want = 0, got;
			char name[32], w[24];

			for (int k = 0; k < res->nsends; k++) {
				const struct rb_scn_send *sd = &res->sends[k];

				if (sd->sig != sig || sd->rc || !sd->to_pid1 || !(sd->required & (1u << i)) ||
				    ((sd->held & (1u << i)) && (!lived_to_quiet(res, i) ||
								stopped_catching(res, i, sig, sd->t_ns))))
					continue;
				if (ended_soon_after(o, res, i, sd->t_ns) || (sd->pending_seen & (1u << i))) {
					want = 0; /* died with some pending, or had some pending
					             (delivery late): the count cannot tell */
					break;
				}
				first = first ? first : sd->t_ns;
				want++;
			}
			if (!want)
				continue;
			got = receipts(res, i, sig, first - 1, r->mode != RB_MODE_NONE);
			if (got < want)
				find(v, RB_ORACLE_FORWARDING, -1, "%s sent to PID 1 %d time(s) reached %s "
				     "%d time(s): realtime signals queue, each must arrive",
				     rb_signal_name(sig, name, sizeof(name)), want, who(i, w, sizeof(w)), got);
		}
}

/* A receipt of SIG by process I that PID 1 sent. */
static bool from_pid1(const struct rb_scn_result *res, const struct rb_signal_entry *e, int i, int sig)
{
	return e->signo == sig && e->receiver == res->slots[i].pid && e->pid == 1 && from_user(e);
}

/* Sends of SIG that reached PID 1 before T, and whether all of them were
 * of a signal the claims say it drops. */
static int sent_before(const struct rb_scn_result *res, int sig, int64_t t, bool *dropped)
{
	int n = 0;

	*dropped = true;
	for (int k = 0; k < res->nsends; k++) {
		const struct rb_scn_send *sd = &res->sends[k];

		if (sd->sig != sig || !sd->to_pid1 || sd->rc || sd->t_ns >= t)
			continue;
		n++;
		*dropped = *dropped && strcmp(sd->expect, "dropped") == 0;
	}
	return n;
}

/* Nothing comes from PID 1 before it was sent, or more often than it was
 * sent (by any time, the k-th receipt needs k sends before it), or at all
 * when the claims say PID 1 drops it. One SIGTERM more is PID 1's own once
 * the app has ended, when it claims main_exit = term (dumb-init signals the
 * group then; the app's end is not always seen before that SIGTERM is). */
static void judge_from_pid1(const struct rb_reaper *r, const struct rb_scn_result *res,
			    struct rb_scn_verdict *v)
{
	for (int sig = 1; sig <= 64; sig++) {
		int own = sig == SIGTERM && res->app_ended && r->claims.main_exit == RB_MAIN_EXIT_TERM;

		if (sig == SIGCHLD || sig == SIGCONT)
			continue;
		for (int i = 0; i < res->prog.nprocs; i++) {
			int got = 0;
			char name[32], w[24];

			for (uint32_t k = 0; k < res->nsigs; k++) {
				const struct rb_signal_entry *e = &res->sigs[k];
				bool dropped;
				int sent;

				if (!from_pid1(res, e, i, sig))
					continue;
				got++;
				sent = sent_before(res, sig, e->t_ns, &dropped);
				rb_signal_name(sig, name, sizeof(name));
				if (got > sent + own) {
					find(v, RB_ORACLE_FORWARDING, -1, "%s got %s from PID 1 %d time(s); "
					     "PID 1 had been sent it %d time(s)", who(i, w, sizeof(w)), name,
					     got, sent);
					break;
				}
				if (dropped && got > own) {
					find(v, RB_ORACLE_FORWARDING, -1, "%s got %s from PID 1, which the "
					     "claims say it does not forward", who(i, w, sizeof(w)), name);
					break;
				}
			}
		}
	}
}

static void judge_forwarding(const struct rb_reaper *r, const struct rb_scn_opts *o,
			     const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	int before = v->nfindings;

	for (int k = 0; k < res->nsends; k++) {
		const struct rb_scn_send *sd = &res->sends[k];

		if (sd->rc || !sd->to_pid1 || !sd->expect)
			continue;
		v->applies[RB_ORACLE_FORWARDING] = true;
		if (sd->sig < SIGRTMIN || strcmp(sd->expect, "stopped") == 0)
			judge_send(o, res, sd, v);
	}
	judge_rt_counts(r, o, res, v);
	/* with no init, "PID 1" is the app itself */
	if (r->mode != RB_MODE_NONE)
		judge_from_pid1(r, res, v);
	if (v->nfindings > before)
		v->applies[RB_ORACLE_FORWARDING] = true;
}

/* ---- liveness, containment, inherit --------------------------------------------------- */

static void judge_liveness(const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	char name[32];

	v->applies[RB_ORACLE_LIVENESS] = true;
	if (res->hung)
		find(v, RB_ORACLE_LIVENESS, -1, "the program did not finish before its deadline "
		     "(PID 1 or the app stuck)");
	if (res->pid1_late)
		find(v, RB_ORACLE_LIVENESS, -1, "PID 1 was %s: SIGKILLed by the harness",
		     res->pid1_kill_reason);
	if (res->pid1_ended && WIFSIGNALED(res->pid1_status) && !res->pid1_killed) {
		int sig = WTERMSIG(res->pid1_status);

		if (!(res->pid1_sent & BIT(sig)))
			find(v, RB_ORACLE_LIVENESS, -1, "PID 1 died of %s, which nobody sent it",
			     rb_signal_name(sig, name, sizeof(name)));
	}
}

static void judge_containment(const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	if (!res->sandbox_ended)
		return;
	v->applies[RB_ORACLE_CONTAINMENT] = true;
	if (!res->containment_ok)
		find(v, RB_ORACLE_CONTAINMENT, -1, "%s", res->containment);
}

static void judge_inherit(const struct rb_reaper *r, const struct rb_scn_result *res,
			  struct rb_scn_verdict *v)
{
	char want[160], got[160];

	if (!res->app_start_seen)
		return;
	for (int blocked = 1; blocked >= 0; blocked--) {
		rb_expect_inherit(r, blocked, want, sizeof(want));
		if (!want[0])
			continue;
		v->applies[RB_ORACLE_INHERIT] = true;
		rb_signal_set_names(blocked ? res->app_start_blocked : res->app_start_ignored, got,
				    sizeof(got));
		if (strcmp(want, got) != 0)
			find(v, RB_ORACLE_INHERIT, -1, "the app started with %s %s (claimed: %s)",
			     blocked ? "blocked:" : "ignored:", got, want);
	}
}

void rb_scn_judge(const struct rb_reaper *r, const struct rb_scn_opts *o,
		  const struct rb_scn_result *res, struct rb_scn_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!res->ran)
		return;
	judge_inherit(r, res, v);
	judge_reaping(r, o, res, v);
	judge_forwarding(r, o, res, v);
	judge_exit(r, res, v);
	judge_liveness(res, v);
	judge_containment(res, v);
}
