/* Unit tests for harness/suites/scenario/scenario_oracle.c: each oracle on runs made up for
 * the purpose, the one that should fire and the one that should not (the
 * kernel rules it must respect: a zombie is PID 1's only once its parent is
 * gone, a held signal is owed only if it could be delivered, standard
 * signals merge, realtime ones queue). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "helpers.h"
#include "scenario_oracle.h"

#define MS 1000000LL
#define T0 (1000 * MS) /* the program's start, on a made-up clock */

static struct rb_reaper load(const char *name)
{
	char path[128];
	struct rb_reaper r;
	struct rb_error err;

	snprintf(path, sizeof(path), "reapers/%s.ini", name);
	if (rb_reaper_load(path, &r, &err) < 0)
		fail_msg("%s", err.msg);
	return r;
}

/* A run: the app and N processes, each made by the one before it. */
static void run_with(struct rb_scn_result *res, int n)
{
	memset(res, 0, sizeof(*res));
	res->ran = true;
	res->done = true;
	res->prog.nprocs = n + 1;
	res->pid1_host = 5000;
	res->t_input_ns = T0;
	res->t_ops_done_ns = T0 + 300 * MS;
	res->t_end_ns = T0 + 400 * MS;
	res->slots[0].pid = 2;
	res->slots[0].creator = -1;
	for (int i = 1; i <= n; i++) {
		res->slots[i].pid = 2 + i;
		res->slots[i].creator = i - 1;
		res->seen[i].adopted = true;
		res->seen[i].host_pid = 5000 + i;
	}
}

static int count(const struct rb_scn_verdict *v, enum rb_scn_oracle o)
{
	int n = 0;

	for (int k = 0; k < v->nfindings; k++)
		n += v->f[k].oracle == o;
	return n;
}

static struct rb_scn_verdict judge(const char *reaper, const struct rb_scn_result *res)
{
	struct rb_reaper r = load(reaper);
	struct rb_scn_opts o;
	struct rb_scn_verdict v;

	rb_scn_opts_default(&o); /* linger 50 ms */
	rb_scn_judge(&r, &o, res, &v);
	return v;
}

/* ---- reaping ------------------------------------------------------------------ */

/* Process 2 exits while its parent (1) lives: 1's zombie, not PID 1's; once
 * 1 exits it is PID 1's, and PID 1 has the linger bound to reap it. */
static void test_reaping_counts_from_the_orphaning(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 2);
	res.seen[2].t_exit_ns = T0 + 10 * MS;
	res.seen[1].t_exit_ns = T0 + 100 * MS; /* 90 ms as 1's zombie: fine */
	res.seen[2].t_reap_ns = T0 + 110 * MS; /* 10 ms as PID 1's: fine */
	res.seen[1].t_reap_ns = T0 + 101 * MS;
	v = judge("reference", &res);
	assert_true(v.applies[RB_ORACLE_REAPING]);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
	res.seen[2].t_reap_ns = T0 + 180 * MS; /* 80 ms as PID 1's */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 1);
	assert_contains(v.f[0].msg, "waited 80.0 ms as PID 1's zombie");
}

/* 80 ms late, but PID 1 (or the observer) waited 40 ms of it for a CPU:
 * the machine's, not the reaper's. */
static void test_reaping_excuses_a_busy_machine(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 2);
	res.seen[2].t_exit_ns = T0 + 10 * MS;
	res.seen[1].t_exit_ns = T0 + 100 * MS;
	res.seen[1].t_reap_ns = T0 + 101 * MS;
	res.seen[2].t_reap_ns = T0 + 180 * MS;
	res.seen[1].exit_cpu_wait_ns = 5 * MS;
	res.seen[2].reap_cpu_wait_ns = 45 * MS;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
	res.seen[2].reap_cpu_wait_ns = 15 * MS; /* 10 ms of it only */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 1);
}

static void test_reaping_leak_and_what_is_not_one(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 2);
	res.seen[1].t_exit_ns = T0 + 10 * MS;
	res.seen[2].t_exit_ns = T0 + 20 * MS; /* PID 1's, never reaped */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 1);
	assert_contains(v.f[0].msg, "was left a zombie of PID 1");
	/* /proc said its parent was not PID 1 (a subreaper, say): not PID 1's */
	res.seen[2].zombie_parent = 4242;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
	/* its creator reaped it before leaving */
	res.seen[2].zombie_parent = 0;
	res.seen[2].t_reap_ns = T0 + 5 * MS;
	res.seen[2].t_exit_ns = T0 + 4 * MS;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
	/* no claim, no oracle */
	res.seen[2].t_reap_ns = 0;
	v = judge("none", &res);
	assert_false(v.applies[RB_ORACLE_REAPING]);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
}

/* Orphaned by the app's own end, or too close to it: PID 1's exit reaps. */
static void test_reaping_stops_at_the_apps_end(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 2);
	res.done = false;
	res.app_ended = true;
	res.t_app_exit_ns = T0 + 30 * MS;
	res.seen[1].t_exit_ns = T0 + 10 * MS;
	res.seen[2].t_exit_ns = T0 + 20 * MS; /* PID 1's for 10 ms before the app's end */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 0);
	res.t_app_exit_ns = T0 + 90 * MS; /* 70 ms before it */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_REAPING), 1);
}

/* ---- exit status ------------------------------------------------------------------ */

static void test_exit_status_passthrough(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	res.app_ended = res.app_status_known = res.pid1_ended = true;
	res.app_status = 3 << 8;  /* exited 3 */
	res.pid1_status = 3 << 8;
	v = judge("reference", &res);
	assert_true(v.applies[RB_ORACLE_EXIT]);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 0);
	res.pid1_status = 0;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 1);
	assert_contains(v.f[0].msg, "claimed 3");
	res.app_status = SIGTERM; /* killed by SIGTERM: 143 */
	res.pid1_status = 143 << 8;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 0);
	/* the app died of SIGKILL in PID 1's teardown: PID 1 went first */
	res.app_status = SIGKILL;
	res.pid1_status = 0;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 1);
	assert_contains(v.f[0].msg, "while the app was running");
	/* a standalone reaper claims nothing about exit codes */
	v = judge("pause", &res);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 0);
}

static void test_exit_status_exec_failure(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	res.prog.start = RB_SCN_START_MISSING;
	res.app_ended = res.pid1_ended = true;
	res.pid1_status = 127 << 8;
	v = judge("tini", &res);
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 0);
	v = judge("catatonit", &res); /* claims 1 */
	assert_int_equal(count(&v, RB_ORACLE_EXIT), 1);
}

/* ---- forwarding ---------------------------------------------------------------------- */

static struct rb_scn_send *add_send(struct rb_scn_result *res, int sig, int64_t t,
				    const char *expect, uint32_t required)
{
	struct rb_scn_send *sd = &res->sends[res->nsends++];

	*sd = (struct rb_scn_send){ .sig = sig, .t_ns = t, .to_pid1 = true, .expect = expect,
				    .required = required };
	return sd;
}

static void add_receipt(struct rb_scn_result *res, int to, int sig, int64_t t, int from)
{
	static struct rb_signal_entry log[64];

	if (!res->sigs)
		res->sigs = log;
	res->sigs[res->nsigs++] = (struct rb_signal_entry){ .t_ns = t, .signo = sig, .code = SI_USER,
							    .pid = from, .receiver = res->slots[to].pid };
}

static void test_forwarding_reaches_the_app(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	add_send(&res, SIGTERM, T0 + 10 * MS, "app", 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	assert_contains(v.f[0].msg, "SIGTERM sent to PID 1 never reached the app");
	res.sends[0].pending_seen = 1; /* pending at the app: forwarded, delivered late */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	res.sends[0].pending_seen = 0;
	add_receipt(&res, 0, SIGTERM, T0 + 5 * MS, 1); /* before the send: not it */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 2); /* and from PID 1 unprompted */
	res.nsigs = 0;
	add_receipt(&res, 0, SIGTERM, T0 + 11 * MS, 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	/* two sends merged into one receipt: standard signals merge */
	add_send(&res, SIGTERM, T0 + 10 * MS + 1000, "app", 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
}

/* The app died of another signal right after the send (standard signals
 * are delivered lowest first: USR1's default action beat TERM): nothing to
 * tell; had it lived past the forward bound, TERM was owed. */
static void test_forwarding_receiver_dies(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	add_send(&res, SIGTERM, T0 + 10 * MS, "app", 1);
	res.app_ended = true;
	res.t_app_exit_ns = T0 + 10 * MS + 300000;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	res.t_app_exit_ns = T0 + 200 * MS;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	/* it ended soon, but after the quiet phase (a fresh sandbox's app
	 * quits at once): everything had been unblocked and delivered by then */
	res.t_ops_done_ns = T0 + 20 * MS;
	res.t_app_exit_ns = T0 + 30 * MS;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
}

/* Blocked when sent: owed only if the program reached its quiet phase (it
 * unblocks everything) with the receiver still there. */
static void test_forwarding_held_signals(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	add_send(&res, SIGUSR1, T0 + 10 * MS, "app", 1)->held = 1;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	res.done = false; /* the program ended the app first */
	res.app_ended = true;
	res.t_app_exit_ns = T0 + 20 * MS;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	/* a thread group whose leader exited takes no UNBLOCK_ALL: its threads
	 * end with the signal blocked */
	run_with(&res, 1);
	add_send(&res, SIGHUP, T0 + 10 * MS, "group", 2)->held = 2;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	res.slots[1].state = RB_SCN_P_ENDING;
	res.slots[1].nthreads = 2;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	/* a held stop signal: any SIGCONT discards it (the quiet phase sends one
	 * to a stopped receiver) */
	run_with(&res, 0);
	add_send(&res, SIGTSTP, T0 + 10 * MS, "app", 1)->held = 1;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
}

static void test_forwarding_realtime_counts(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	add_send(&res, SIGRTMIN, T0 + 10 * MS, "app", 1);
	add_send(&res, SIGRTMIN, T0 + 11 * MS, "app", 1);
	add_receipt(&res, 0, SIGRTMIN, T0 + 12 * MS, 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	assert_contains(v.f[0].msg, "2 time(s) reached the app 1 time(s)");
	add_receipt(&res, 0, SIGRTMIN, T0 + 13 * MS, 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	add_receipt(&res, 0, SIGRTMIN, T0 + 14 * MS, 1); /* three from PID 1 for two sends */
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	assert_contains(v.f[0].msg, "got SIGRTMIN from PID 1 3 time(s); PID 1 had been sent it 2");
}

static void test_forwarding_of_a_dropped_signal(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	add_send(&res, SIGSEGV, T0 + 10 * MS, "dropped", 0); /* tini does not forward SEGV */
	v = judge("tini", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	add_receipt(&res, 0, SIGSEGV, T0 + 11 * MS, 1);
	v = judge("tini", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	assert_contains(v.f[0].msg, "which the claims say it does not forward");
}

/* dumb-init (main_exit = term) SIGTERMs the group once the app exited: not a
 * forward, even when the harness saw the exit after that SIGTERM (the app's
 * own stamp before its exit says when it ended). */
static void test_forwarding_main_exit_term(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 1);
	res.app_ended = true;
	res.slots[0].t_exit_ns = T0 + 10 * MS;
	res.t_app_exit_ns = T0 + 11 * MS;
	add_receipt(&res, 1, SIGTERM, T0 + 10 * MS + 500000, 1);
	v = judge("dumb-init", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	v = judge("tini", &res); /* main_exit = kill: that SIGTERM came from nowhere */
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
	/* a forwarded SIGTERM killed the app (no stamp of its own), and PID 1's
	 * own SIGTERM followed: one more than sent is dumb-init's */
	res.nsigs = 0;
	res.slots[0].t_exit_ns = 0;
	add_send(&res, SIGTERM, T0 + 5 * MS, "group", 2);
	add_receipt(&res, 1, SIGTERM, T0 + 6 * MS, 1);
	add_receipt(&res, 1, SIGTERM, T0 + 7 * MS, 1);
	v = judge("dumb-init", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 0);
	add_receipt(&res, 1, SIGTERM, T0 + 8 * MS, 1);
	v = judge("dumb-init", &res);
	assert_int_equal(count(&v, RB_ORACLE_FORWARDING), 1);
}

/* ---- liveness, containment, inherit -------------------------------------------------------- */

static void test_liveness(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	res.pid1_ended = true;
	res.pid1_status = SIGSEGV;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_LIVENESS), 1);
	assert_contains(v.f[0].msg, "PID 1 died of SIGSEGV, which nobody sent it");
	res.pid1_sent = 1ull << (SIGSEGV - 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_LIVENESS), 0);
	/* our own SIGKILL of a sandbox we ended is not PID 1's doing */
	res.pid1_status = SIGKILL;
	res.pid1_killed = true;
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_LIVENESS), 0);
	res.pid1_late = true;
	snprintf(res.pid1_kill_reason, sizeof(res.pid1_kill_reason), "still running 1000 ms after "
		 "the app ended");
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_LIVENESS), 1);
}

static void test_containment_and_inherit(void **state)
{
	struct rb_scn_result res;
	struct rb_scn_verdict v;

	(void)state;
	run_with(&res, 0);
	res.sandbox_ended = true;
	res.containment_ok = false;
	snprintf(res.containment, sizeof(res.containment), "removing cgroup x: still in use");
	res.app_start_seen = true;
	res.app_start_blocked = 1ull << (SIGUSR2 - 1);
	v = judge("reference", &res);
	assert_int_equal(count(&v, RB_ORACLE_CONTAINMENT), 1);
	assert_int_equal(count(&v, RB_ORACLE_INHERIT), 1);
	assert_contains(v.f[0].msg, "blocked: USR2 (claimed: none)");
	/* catatonit claims TSTP TTIN TTOU blocked in the app */
	res.app_start_blocked = (1ull << (SIGTSTP - 1)) | (1ull << (SIGTTIN - 1)) | (1ull << (SIGTTOU - 1));
	res.containment_ok = true;
	v = judge("catatonit", &res);
	assert_int_equal(v.nfindings, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reaping_counts_from_the_orphaning),
		cmocka_unit_test(test_reaping_excuses_a_busy_machine),
		cmocka_unit_test(test_reaping_leak_and_what_is_not_one),
		cmocka_unit_test(test_reaping_stops_at_the_apps_end),
		cmocka_unit_test(test_exit_status_passthrough),
		cmocka_unit_test(test_exit_status_exec_failure),
		cmocka_unit_test(test_forwarding_reaches_the_app),
		cmocka_unit_test(test_forwarding_receiver_dies),
		cmocka_unit_test(test_forwarding_held_signals),
		cmocka_unit_test(test_forwarding_realtime_counts),
		cmocka_unit_test(test_forwarding_of_a_dropped_signal),
		cmocka_unit_test(test_forwarding_main_exit_term),
		cmocka_unit_test(test_liveness),
		cmocka_unit_test(test_containment_and_inherit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
