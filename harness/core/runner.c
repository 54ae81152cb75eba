#include "runner.h"

#include "procfs.h"
#include "shmfile.h"
#include "signames.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Verbs of rb-payload (harness/payload/payload.c). */
static const char *const payload_verbs[] = {
	"exit", "kill-self", "sleep", "signal-recorder", "orphans", "zombies", "storm", "leave",
	"scenario",
};

static bool is_payload_verb(const char *s)
{
	for (size_t i = 0; i < sizeof(payload_verbs) / sizeof(payload_verbs[0]); i++)
		if (strcmp(s, payload_verbs[i]) == 0)
			return true;
	return false;
}

static int check_executable(const char *cmd, struct rb_error *err)
{
	char file[4096];

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0
			       ? 0
			       : rb_fail(err, RB_ERR_INPUT, errno, "cannot execute '%s'", cmd);
	if (rb_find_in_path(cmd, file, sizeof(file)))
		return 0;
	return rb_input_error(err, "cannot execute '%s': not a payload verb and not found in PATH",
			      cmd);
}

int rb_resolve_workload(const struct rb_sysinfo *si, char *const workload[], char ***resolved,
			struct rb_error *err)
{
	size_t n = 0, extra;
	char **out;

	if (!workload || !workload[0])
		return rb_input_error(err, "no payload given (e.g. -- exit 3, -- orphans 100)");
	while (workload[n])
		n++;
	extra = is_payload_verb(workload[0]) ? 1 : 0;
	if (!extra && check_executable(workload[0], err) < 0)
		return -1;
	out = calloc(n + extra + 1, sizeof(char *));
	if (!out)
		return rb_sys_error(err, ENOMEM, "resolving the payload");
	if (extra && asprintf(&out[0], "%s", si->payload) < 0)
		out[0] = NULL;
	for (size_t i = 0; i < n; i++)
		out[i + extra] = strdup(workload[i]);
	for (size_t i = 0; i < n + extra; i++)
		if (!out[i]) {
			rb_argv_free(out);
			return rb_sys_error(err, ENOMEM, "resolving the payload");
		}
	if (extra && access(out[0], X_OK) != 0) {
		rb_fail(err, RB_ERR_INPUT, errno, "payload binary %s (run make)", out[0]);
		rb_argv_free(out);
		return -1;
	}
	*resolved = out;
	return 0;
}


/* ---- the report channel ------------------------------------------------- */

struct channel_file {
	struct rb_shm_file f;
	struct rb_channel *map;
	uint32_t sample_cap, pop_cap; /* the harness's own copy: the payload can write the map */
};

/* The file: the struct, then room for SAMPLES and POPS storm samples. */
static int channel_open_sized(struct channel_file *ch, uint32_t samples, uint32_t pops,
			      struct rb_error *err)
{
	if (rb_shm_create(&ch->f, "chan", (size_t)rb_channel_size(samples, pops), err) < 0)
		return -1;
	ch->map = ch->f.map;
	ch->map->magic = RB_CHANNEL_MAGIC;
	ch->map->version = RB_CHANNEL_VERSION;
	ch->map->storm.sample_cap = ch->sample_cap = samples;
	ch->map->storm.pop_cap = ch->pop_cap = pops;
	return 0;
}

static int channel_open(struct channel_file *ch, struct rb_error *err)
{
	return channel_open_sized(ch, 0, 0, err);
}

static void channel_close(struct channel_file *ch)
{
	rb_shm_remove(&ch->f);
}

/* The storm's samples, as far as the payload says it wrote them, never
 * past the room the harness made (its own record of it, not the map's). */
static void copy_storm_samples(const struct channel_file *ch, struct rb_run_result *res)
{
	const struct rb_channel *c = ch->map;
	const struct rb_storm_sample *samples = (const struct rb_storm_sample *)(c + 1);
	const struct rb_storm_pop *pops = (const struct rb_storm_pop *)(samples + ch->sample_cap);
	uint32_t n = c->storm.nsamples, np = c->storm.npop;

	if (ch->sample_cap == 0 || !c->storm.samples_kept)
		return;
	n = n < ch->sample_cap ? n : ch->sample_cap;
	np = np < ch->pop_cap ? np : ch->pop_cap;
	res->samples = n ? malloc(n * sizeof(*res->samples)) : NULL;
	if (res->samples) {
		memcpy(res->samples, samples, n * sizeof(*res->samples));
		res->nsamples = n;
	}
	res->pops = np ? malloc(np * sizeof(*res->pops)) : NULL;
	if (res->pops) {
		memcpy(res->pops, pops, np * sizeof(*res->pops));
		res->npops = np;
	}
}

static const char *const channel_env[] = { RB_CHANNEL_ENV };

/* The harness's environment plus REAPBENCH_CHANNEL=PATH. */
static char **environment_with(const char *path)
{
	return rb_environment(channel_env, (const char *const[]){ path }, 1);
}

/* ---- running ------------------------------------------------------------- */

int rb_pid1_argv(const struct rb_reaper *r, char *const workload[], char ***argv,
		 struct rb_error *err)
{
	char *const nothing[] = { NULL };

	if (r->mode == RB_MODE_NONE) {
		size_t n = 0;

		while (workload[n])
			n++;
		*argv = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; *argv && i < n; i++)
			(*argv)[i] = strdup(workload[i]);
		return *argv ? 0 : rb_sys_error(err, ENOMEM, "argv");
	}
	return rb_reaper_argv(r, r->mode == RB_MODE_STANDALONE ? nothing : workload, argv, err);
}

/* Wait for the payload's ready flag (PID 1 may exit first, or the deadline
 * pass), then send the plan's signals to PID 1. */
static int64_t first_receipt(const struct rb_channel *ch, int sig)
{
	uint32_t n = __atomic_load_n(&ch->nsignals, __ATOMIC_ACQUIRE);

	n = n < RB_CHANNEL_MAX_SIGNALS ? n : RB_CHANNEL_MAX_SIGNALS;
	for (uint32_t i = 0; i < n; i++)
		if (__atomic_load_n(&ch->signals[i].signo, __ATOMIC_ACQUIRE) == sig)
			return ch->signals[i].t_ns;
	return 0;
}

/* Let the sent signals land (see struct rb_run_plan), then end the run. */
static void settle(struct rb_sandbox *sb, const struct rb_channel *ch,
		   const struct rb_run_plan *plan, struct rb_run_result *res)
{
	const int64_t quiet_ns = 20 * 1000000LL; /* for group members after the app */
	int64_t end = rb_now_ns() + plan->sends.settle_ns, got;

	while (rb_now_ns() < end) {
		if (rb_sandbox_pid1_exited(sb, 1))
			return;
		got = plan->sends.settle_sig ? first_receipt(ch, plan->sends.settle_sig) : 0;
		if (got && rb_now_ns() > got + quiet_ns)
			break;
	}
	res->children_stopped = rb_proc_stopped_children(sb->pid1);
	if (plan->sends.via_runtime)
		rb_sandbox_stop_signal(sb, SIGKILL);
	else
		rb_sandbox_signal(sb, SIGKILL);
	res->ended_by_harness = true;
}

/* ---- the app's own end (plan->watch_app) -------------------------------- */

/* Under a wrap reaper: a pidfd for the app, now that it reported ready. */
static int watch_app(struct rb_sandbox *sb, const struct rb_channel *ch, struct rb_run_result *res)
{
	pid_t nspid = ch->payload_pid, pid;
	int fd;

	pid = nspid > 0 ? rb_proc_find_descendant(sb->pid1, nspid) : -1;
	if (pid < 0) {
		snprintf(res->app_skip, sizeof(res->app_skip),
			 "the app (pid %d in the sandbox) is not among PID 1's descendants", nspid);
		return -1;
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* still the same process (the pid could have been reused in between) */
	if (fd >= 0 && rb_proc_innermost_pid(pid) != nspid) {
		close(fd);
		fd = -1;
		errno = ESRCH;
	}
	if (fd < 0)
		snprintf(res->app_skip, sizeof(res->app_skip), "pidfd_open(%d): %s", pid,
			 strerror(errno));
	return fd;
}

/* After the run (every process of the sandbox reaped). */
static void learn_app_status(const struct rb_reaper *r, const struct rb_sandbox *sb, int app_pidfd,
			     struct rb_run_result *res)
{
	switch (r->mode) {
	case RB_MODE_NONE:
		res->app_status = sb->status;
		res->app_status_known = true;
		return;
	case RB_MODE_STANDALONE:
		res->app_status = sb->joiner_status;
		res->app_status_known = sb->joiner_done && sb->joiner_status != -1;
		if (!res->app_status_known)
			snprintf(res->app_skip, sizeof(res->app_skip), "the joined workload's helper "
				 "reported no status");
		return;
	case RB_MODE_WRAP:
		break;
	}
	if (app_pidfd < 0) {
		if (!res->app_skip[0])
			snprintf(res->app_skip, sizeof(res->app_skip), "the app never reported ready");
		return;
	}
	if (!rb_pidfd_exit_status(app_pidfd, &res->app_status)) {
		snprintf(res->app_skip, sizeof(res->app_skip), "the kernel keeps no exit status for "
			 "pidfds (PIDFD_INFO_EXIT: Linux 6.15+)");
		return;
	}
	res->app_status_known = true;
}

/* ---- PID 1's cost (plan->storm.probe_pid1) ------------------------------------- */

static void probe_pid1(pid_t pid, struct rb_pid1_probe *pr)
{
	int64_t cpu = rb_proc_cpu_ns(pid);
	char status[4096];

	*pr = (struct rb_pid1_probe){ .t_ns = rb_now_ns(), .rss_peak_kb = -1, .vcsw = -1,
				      .ivcsw = -1 };
	if (cpu >= 0) {
		pr->cpu_ns = (uint64_t)cpu;
		pr->has_cpu = true;
	}
	if (rb_proc_status(pid, status, sizeof(status))) {
		pr->rss_peak_kb = rb_status_field(status, "\nVmHWM:");
		pr->vcsw = rb_status_field(status, "\nvoluntary_ctxt_switches:");
		pr->ivcsw = rb_status_field(status, "\nnonvoluntary_ctxt_switches:");
	}
	pr->taken = pr->has_cpu || pr->rss_peak_kb >= 0;
}

/* Something the wait must see: PID 1 gone, the harness interrupted, a
 * joined workload ended (left unread for rb_sandbox_wait). */
static bool run_ending(struct rb_sandbox *sb)
{
	struct pollfd fds[2 + RB_SANDBOX_MAX_JOINED] = {
		{ .fd = sb->pidfd, .events = POLLIN },
		{ .fd = sb->sigfd, .events = POLLIN },
	};
	nfds_t n = 2;

	for (int i = 0; i < sb->njoined; i++)
		if (sb->joined[i].status_fd >= 0)
			fds[n++] = (struct pollfd){ .fd = sb->joined[i].status_fd, .events = POLLIN };
	return poll(fds, n, 0) > 0;
}

/* One read of pids.current while the storm drains; once it is back at the
 * baseline after the root's exit was seen (read first: the storm can make
 * no more then), tell the payload. Between reads a short sleep leaves the
 * CPU to PID 1 (the timer slack is made small around the watch). */
static void drain_poll(int pids_fd, struct rb_channel *ch, struct rb_run_result *res,
		       int64_t *t_last)
{
	int64_t root_seen = __atomic_load_n(&ch->storm.t_root_exit_seen_ns, __ATOMIC_ACQUIRE), t;
	long n = rb_cgroup_pread_long(pids_fd);

	t = rb_now_ns();
	/* the resolution that counts: while it drains */
	if (root_seen && *t_last > root_seen && t - *t_last > res->drain_gap_max_ns)
		res->drain_gap_max_ns = t - *t_last;
	*t_last = t;
	res->drain_polls += root_seen != 0;
	if (root_seen && n >= 0 && n <= res->pids_baseline) {
		res->t_drained_ns = t;
		__atomic_store_n(&ch->storm.t_drained_ns, t, __ATOMIC_RELEASE);
		__atomic_store_n(&ch->storm.drained, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &ch->storm.drained, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
		return;
	}
	nanosleep(&(struct timespec){ .tv_nsec = 50000 }, NULL);
}

/* Probe PID 1 at each phase the payload announces, and ack it (the payload
 * holds still until then, so PID 1 is alive and idle when probed); with
 * plan->storm.drain, read the baseline at the start and poll the drain. */
static void storm_probes(struct rb_sandbox *sb, struct rb_channel *ch, int64_t deadline,
			 const struct rb_run_plan *plan, struct rb_run_result *res)
{
	bool watch = plan->storm.drain && sb->has_cgroup;
	int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	int pids_fd = watch ? rb_cgroup_open(&sb->cg, "pids.current") : -1;
	int64_t t_last = 0;
	uint32_t acked = 0, ph;

	res->pids_baseline = -1;
	if (plan->storm.drain && !sb->has_cgroup)
		snprintf(res->drain_skip, sizeof(res->drain_skip), "no pids cgroup: %s", sb->cgroup_skip);
	if (watch)
		prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
	while (acked < 2) {
		ph = __atomic_load_n(&ch->storm.phase, __ATOMIC_ACQUIRE);
		if (ph > acked && ph <= 2) {
			/* the payload may know the end first (monitoring on): one
			 * last read, in the same loop's time as any other */
			if (watch && ph == 2 && res->pids_baseline >= 0 && !res->t_drained_ns)
				drain_poll(pids_fd, ch, res, &t_last);
			if (plan->storm.probe_pid1)
				probe_pid1(sb->pid1, &res->probe[ph - 1]);
			if (plan->bpf && ph == 2)
				rb_bpf_observer_collect(plan->bpf, &res->bpf);
			if (watch && ph == 1)
				res->pids_baseline = rb_cgroup_pread_long(pids_fd);
			acked = ph;
			__atomic_store_n(&ch->storm.probe_ack, ph, __ATOMIC_RELEASE);
			syscall(SYS_futex, &ch->storm.probe_ack, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
			continue;
		}
		if (run_ending(sb) || rb_now_ns() >= deadline)
			break;
		if (watch && acked == 1 && res->pids_baseline >= 0 && !res->t_drained_ns) {
			drain_poll(pids_fd, ch, res, &t_last);
			continue;
		}
		syscall(SYS_futex, &ch->storm.phase, FUTEX_WAIT, ph,
			&(struct timespec){ .tv_nsec = 20 * 1000000L }, NULL, 0);
	}
	if (pids_fd >= 0)
		close(pids_fd);
	if (watch) {
		prctl(PR_SET_TIMERSLACK, slack > 0 ? slack : 50000, 0, 0, 0);
		if (res->pids_baseline < 0)
			snprintf(res->drain_skip, sizeof(res->drain_skip), "%s", acked == 0
				 ? "the payload never announced a storm" : "pids.current unreadable");
		else if (!res->t_drained_ns)
			snprintf(res->drain_skip, sizeof(res->drain_skip), "pids.current never came back "
				 "to %ld (its value before the storm) after the root's exit", res->pids_baseline);
	}
	if (!plan->storm.probe_pid1)
		return;
	if (!res->probe[0].taken || !res->probe[1].taken)
		snprintf(res->probe_skip, sizeof(res->probe_skip), "%s",
			 acked == 0 ? "the payload never announced a storm (rb-payload storm does)"
				    : "PID 1 or the payload ended before the storm's end was announced");
	else if (!res->probe[0].has_cpu || !res->probe[1].has_cpu)
		snprintf(res->probe_skip, sizeof(res->probe_skip),
			 "/proc/PID/schedstat unreadable (CONFIG_SCHED_INFO off?)");
}

/* The train's schedule is absolute: each send waits for its due time only,
 * so a late send (the harness descheduled) is late by itself and the
 * lateness shows as t_sent - t_sched rather than moving the rest. */
static void send_train(struct rb_sandbox *sb, struct rb_signal_train *tr, struct rb_run_result *res)
{
	struct sched_param old_param, rt = { .sched_priority = 10 };
	int old_policy = sched_getscheduler(0);
	struct rb_sig_send *s;
	struct timespec ts;
	int64_t t0;

	sched_getparam(0, &old_param);
	tr->sender_rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt) == 0;
	tr->sender_errno = tr->sender_rt ? 0 : errno;
	prctl(PR_SET_TIMERSLACK, 1UL);
	tr->nsent = 0;
	t0 = rb_now_ns();
	for (int i = 0; i < tr->n; i++) {
		s = &tr->sends[i];
		s->sig = tr->kinds[i % tr->nkinds];
		s->t_sched_ns = t0 + (int64_t)i * tr->period_ns;
		s->t_recv_ns = 0;
		ts.tv_sec = s->t_sched_ns / 1000000000;
		ts.tv_nsec = s->t_sched_ns % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		if (run_ending(sb)) {
			snprintf(res->send_skip, sizeof(res->send_skip),
				 "the run ended after %d of %d signals", i, tr->n);
			break;
		}
		s->t_sent_ns = rb_now_ns();
		if (rb_sandbox_signal(sb, s->sig) < 0) {
			snprintf(res->send_skip, sizeof(res->send_skip), "pidfd_send_signal: %s",
				 strerror(errno));
			break;
		}
		tr->nsent++;
	}
	prctl(PR_SET_TIMERSLACK, 0UL); /* back to the thread's default */
	if (tr->sender_rt)
		sched_setscheduler(0, old_policy, &old_param);
}

static void send_plan(struct rb_sandbox *sb, const struct rb_channel *ch,
		      const struct rb_run_plan *plan, int64_t deadline, bool find_app,
		      int *app_pidfd, struct rb_run_result *res)
{
	int64_t due;
	int e;

	while (!plan->sends.no_wait_ready && !__atomic_load_n(&ch->ready, __ATOMIC_ACQUIRE)) {
		if (rb_sandbox_pid1_exited(sb, 1) || rb_now_ns() >= deadline) {
			snprintf(res->send_skip, sizeof(res->send_skip),
				 "the payload never reported ready (signal-recorder does)");
			return;
		}
	}
	if (find_app && __atomic_load_n(&ch->ready, __ATOMIC_ACQUIRE))
		*app_pidfd = watch_app(sb, ch, res);
	due = rb_now_ns() + plan->sends.delay_ns;
	while (rb_now_ns() < due)
		if (rb_sandbox_pid1_exited(sb, 1)) {
			snprintf(res->send_skip, sizeof(res->send_skip), "PID 1 exited before the send");
			return;
		}
	for (int i = 0; i < plan->sends.n; i++) {
		res->plan_sig[i] = plan->sends.sig[i];
		res->t_sent_ns[i] = rb_now_ns();
		e = plan->sends.via_runtime ? rb_sandbox_stop_signal(sb, plan->sends.sig[i])
				      : rb_sandbox_signal(sb, plan->sends.sig[i]);
		if (e < 0) {
			snprintf(res->send_skip, sizeof(res->send_skip), "%s: %s",
				 plan->sends.via_runtime && sb->runtime == RB_RUNTIME_RUNC ? "runc kill"
										     : "pidfd_send_signal",
				 strerror(-e));
			return;
		}
		res->nsent++;
	}
	if (plan->train)
		send_train(sb, plan->train, res);
	if (plan->sends.settle_ns > 0)
		settle(sb, ch, plan, res);
}

/* The kernel observer, unless the storm's end read it already: disarmed
 * (also after a failed start), and read after PID 1's end (the namespace's
 * teardown included) for plans that are not storms. A storm is read at its
 * end, before the teardown: one that never announced it keeps nothing. */
static void finish_observer(const struct rb_run_plan *plan, struct rb_run_result *res)
{
	if (res->bpf.collected)
		return;
	rb_bpf_observer_collect(plan->bpf, &res->bpf);
	if (plan->storm.probe_pid1 || plan->storm.drain) {
		rb_bpf_run_free(&res->bpf);
		res->bpf.taken = false;
		snprintf(res->bpf.skip, sizeof(res->bpf.skip), "the storm never announced its end");
	}
}

/* rb_sandbox_opts.on_created: the kernel observer watches from PID 1's
 * first instruction. */
static int arm_observer(pid_t pid1, void *observer, struct rb_error *err)
{
	return rb_bpf_observer_arm(observer, pid1, err);
}

int rb_run_payload(const struct rb_sysinfo *si, const struct rb_reaper *r,
		   const struct rb_sandbox_opts *opts_in, const struct rb_run_plan *plan,
		   char *const workload[], struct rb_run_result *res, struct rb_error *err)
{
	struct rb_sandbox_opts opts = *opts_in;
	struct channel_file ch;
	char **env = NULL;
	int rc = -1, app_pidfd = -1;

	memset(res, 0, sizeof(*res));
	if (opts.pids_max == 0)
		opts.pids_max = opts.pid_max;
	if (rb_require_available(r, err) < 0 || rb_pid1_argv(r, workload, &res->argv, err) < 0)
		return -1;
	if (plan && (plan->storm.samples > RB_STORM_MAX_SAMPLES ||
		     plan->storm.pops > RB_STORM_MAX_SAMPLES))
		return rb_input_error(err, "at most %u storm samples", RB_STORM_MAX_SAMPLES);
	if (channel_open_sized(&ch, plan ? plan->storm.samples : 0, plan ? plan->storm.pops : 0,
			       err) < 0)
		return -1;
	if (plan && (plan->storm.probe_pid1 || plan->storm.drain))
		ch.map->storm.probe_ms = 2000;
	if (plan && plan->storm.drain)
		ch.map->storm.drain_watch = 1;
	env = environment_with(ch.f.path);
	if (!env) {
		rb_sys_error(err, ENOMEM, "environment");
		goto out;
	}
	opts.env = env;
	if (plan && plan->bpf) {
		opts.on_created = arm_observer;
		opts.on_created_arg = plan->bpf;
	}
	if (rb_sandbox_start(&res->sb, si, &opts, res->argv, err) < 0)
		goto destroy;
	if (r->mode == RB_MODE_STANDALONE && rb_sandbox_join(&res->sb, &opts, workload, err) < 0)
		goto destroy;
	if (plan && (plan->sends.n > 0 || plan->sends.settle_ns > 0 || plan->watch_app || plan->train))
		send_plan(&res->sb, ch.map, plan, res->sb.deadline_at_ns,
			  plan->watch_app && r->mode == RB_MODE_WRAP, &app_pidfd, res);
	if (plan && !res->sb.has_cgroup)
		ch.map->storm.drain_watch = 0; /* nobody will say drained: the payload counts */
	if (plan && (plan->storm.probe_pid1 || plan->storm.drain))
		storm_probes(&res->sb, ch.map, res->sb.deadline_at_ns, plan, res);
	if (rb_sandbox_wait(&res->sb, SIGTERM, err) < 0)
		goto destroy;
	if (plan && plan->watch_app)
		learn_app_status(r, &res->sb, app_pidfd, res);
	rc = 0;
destroy:
	if (rb_sandbox_destroy(&res->sb, rc == 0 ? err : &(struct rb_error){ 0 }) < 0)
		rc = -1;
	if (plan && plan->bpf)
		finish_observer(plan, res);
out:
	if (app_pidfd >= 0)
		close(app_pidfd);
	memcpy(&res->chan, ch.map, sizeof(res->chan));
	res->chan_valid = res->chan.payload_pid != 0;
	copy_storm_samples(&ch, res);
	channel_close(&ch);
	rb_environment_free(env, channel_env, 1);
	return rc;
}

void rb_run_result_free(struct rb_run_result *res)
{
	rb_argv_free(res->argv);
	res->argv = NULL;
	free(res->samples);
	free(res->pops);
	rb_bpf_run_free(&res->bpf);
	res->samples = NULL;
	res->pops = NULL;
	res->nsamples = res->npops = 0;
}

/* ---- a pod ----------------------------------------------------------------- */

static int ms_until(int64_t t)
{
	int64_t left = (t - rb_now_ns() + 999999) / 1000000;

	return left <= 0 ? 0 : left > 1000000000 ? 1000000000 : (int)left;
}

/* Until every container reported ready or ended; false if PID 1 exited
 * first or the deadline passed. */
static bool pod_wait_running(struct rb_sandbox *sb, struct channel_file ch[], int n,
			     int64_t deadline, struct rb_pod_result *res)
{
	for (;;) {
		bool all = true;

		rb_sandbox_poll_joined(sb, 0);
		for (int i = 0; i < n; i++)
			if (!sb->joined[i].done && !__atomic_load_n(&ch[i].map->ready, __ATOMIC_ACQUIRE))
				all = false;
		if (all)
			return true;
		if (rb_sandbox_pid1_exited(sb, 1)) {
			res->pid1_early = true;
			return false;
		}
		if (rb_now_ns() >= deadline)
			return false;
	}
}

/* The kubelet's part: each container's main process gets SIGTERM, those
 * still running after the grace period SIGKILL; then the sandbox (PID 1)
 * gets its stop signal, and SIGKILL after the grace period; all through
 * the runtime (runc kill under runc). */
static void pod_stop(struct rb_sandbox *sb, const struct rb_pod_plan *plan, int n, int64_t deadline,
		     struct rb_pod_result *res)
{
	int64_t grace_end;

	res->t_running_ns = rb_now_ns();
	for (int i = 0; i < n; i++)
		if (!sb->joined[i].done) {
			res->c[i].t_term_ns = rb_now_ns();
			rb_sandbox_signal_joined(sb, i, SIGTERM);
		}
	grace_end = rb_now_ns() + plan->grace_ns;
	while (rb_sandbox_poll_joined(sb, ms_until(grace_end)) > 0 && rb_now_ns() < grace_end)
		;
	for (int i = 0; i < n; i++)
		if (!sb->joined[i].done) {
			res->c[i].killed = true;
			rb_sandbox_signal_joined(sb, i, SIGKILL);
		}
	while (rb_sandbox_poll_joined(sb, ms_until(deadline)) > 0 && rb_now_ns() < deadline)
		;
	if (rb_sandbox_pid1_exited(sb, 0)) {
		res->pid1_early = true;
		return;
	}
	res->t_stop_ns = rb_now_ns();
	rb_sandbox_stop_signal(sb, plan->stop_signal ? plan->stop_signal : SIGTERM);
	if (!rb_sandbox_pid1_exited(sb, ms_until(res->t_stop_ns + plan->grace_ns))) {
		res->pid1_killed = true;
		rb_sandbox_stop_signal(sb, SIGKILL);
	}
}

int rb_run_pod(const struct rb_sysinfo *si, const struct rb_reaper *r,
	       const struct rb_sandbox_opts *opts_in, const struct rb_pod_plan *plan,
	       char *const *const containers[], int n, struct rb_pod_result *res,
	       struct rb_error *err)
{
	extern char **environ;
	struct rb_sandbox_opts opts = *opts_in;
	struct channel_file ch[RB_POD_MAX];
	char **env[RB_POD_MAX] = { NULL };
	int rc = -1, opened = 0;

	memset(res, 0, sizeof(*res));
	res->sb.pidfd = res->sb.sigfd = -1; /* destroyable before it started */
	for (int i = 0; i < RB_POD_MAX; i++)
		res->c[i].status = -1;
	if (n < 1 || n > RB_POD_MAX)
		return rb_input_error(err, "a pod holds 1 to %d containers, not %d", RB_POD_MAX, n);
	if (r->mode != RB_MODE_STANDALONE)
		return rb_input_error(err, "reaper %s runs in %s mode: a pod needs a standalone one",
				      r->name, rb_mode_name(r->mode));
	res->n = n;
	if (opts.pids_max == 0)
		opts.pids_max = opts.pid_max;
	if (rb_require_available(r, err) < 0 || rb_pid1_argv(r, containers[0], &res->argv, err) < 0)
		return -1;
	for (; opened < n; opened++) {
		if (channel_open(&ch[opened], err) < 0)
			goto out;
		env[opened] = environment_with(ch[opened].f.path);
		if (!env[opened]) {
			opened++;
			rb_sys_error(err, ENOMEM, "environment");
			goto out;
		}
	}
	opts.env = environ; /* PID 1 reports nothing */
	if (rb_sandbox_start(&res->sb, si, &opts, res->argv, err) < 0)
		goto destroy;
	for (int i = 0; i < n; i++) {
		opts.env = env[i];
		if (rb_sandbox_join(&res->sb, &opts, containers[i], err) < 0)
			goto destroy;
	}
	if (pod_wait_running(&res->sb, ch, n, res->sb.deadline_at_ns, res))
		pod_stop(&res->sb, plan, n, res->sb.deadline_at_ns, res);
	if (rb_sandbox_wait(&res->sb, 0, err) < 0)
		goto destroy;
	rc = 0;
destroy:
	if (rb_sandbox_destroy(&res->sb, rc == 0 ? err : &(struct rb_error){ 0 }) < 0)
		rc = -1;
	for (int i = 0; i < res->sb.njoined && i < n; i++) {
		res->c[i].status = res->sb.joined[i].status;
		res->c[i].done = res->sb.joined[i].done;
		res->c[i].t_exit_ns = res->sb.joined[i].t_done_ns;
	}
out:
	for (int i = 0; i < opened; i++) {
		res->c[i].chan = malloc(sizeof(*res->c[i].chan));
		if (res->c[i].chan) {
			memcpy(res->c[i].chan, ch[i].map, sizeof(*res->c[i].chan));
			res->c[i].chan_valid = res->c[i].chan->payload_pid != 0;
		}
		channel_close(&ch[i]);
		rb_environment_free(env[i], channel_env, 1);
	}
	return rc;
}

void rb_pod_result_free(struct rb_pod_result *res)
{
	rb_argv_free(res->argv);
	res->argv = NULL;
	for (int i = 0; i < RB_POD_MAX; i++) {
		free(res->c[i].chan);
		res->c[i].chan = NULL;
	}
}

static const char *const end_names[] = {
	[RB_END_EXITED] = "exited", [RB_END_DEADLINE] = "deadline",
	[RB_END_INTERRUPTED] = "interrupted",
};

static void record_signals(json_t *run, const struct rb_run_result *res)
{
	const struct rb_channel *c = &res->chan;
	json_t *sent = json_array(), *got = json_array();
	uint32_t n = c->nsignals < RB_CHANNEL_MAX_SIGNALS ? c->nsignals : RB_CHANNEL_MAX_SIGNALS;
	int64_t t0 = res->nsent ? res->t_sent_ns[0] : res->sb.t_start_ns;
	char name[32];

	for (int i = 0; i < res->nsent; i++)
		json_array_append_new(sent, json_pack("{s:s, s:f}", "signal",
			rb_signal_name(res->plan_sig[i], name, sizeof(name)),
			"t_ms", (res->t_sent_ns[i] - t0) / 1e6));
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_signal_entry *e = &c->signals[i];

		json_array_append_new(got, json_pack("{s:s, s:i, s:i, s:i, s:f}", "signal",
			rb_signal_name(e->signo, name, sizeof(name)), "si_pid", e->pid, "si_code",
			e->code, "receiver", e->receiver, "t_ms", (e->t_ns - t0) / 1e6));
	}
	json_object_set_new(run, "signals_sent", sent);
	json_object_set_new(run, "signals_received", got);
	if (res->send_skip[0])
		rb_record_skip(run, "signals_sent", res->send_skip);
	if (c->nsignals > RB_CHANNEL_MAX_SIGNALS)
		rb_record_skip(run, "signals_received", "log full: later signals counted, not kept");
	rb_record_measure(run, "signals_received", c->nsignals, "signals");
}

/* The drain as the cgroup saw it (plan->storm.drain): from the root's
 * exit (the payload's observer saw it) to pids.current back at its value
 * before the storm. */
static void record_drain_pids(json_t *run, const struct rb_run_result *res)
{
	int64_t t0 = res->chan.storm.t_root_exit_seen_ns, dt = res->t_drained_ns - t0;

	if (!res->t_drained_ns && !res->drain_skip[0])
		return; /* not watched */
	if (!res->t_drained_ns || !t0 || dt <= 0) {
		rb_record_skip(run, "drain_time_pids", res->drain_skip[0] ? res->drain_skip
			       : "the root's exit was not seen before the pids came back");
		return;
	}
	rb_record_measure(run, "drain_time_pids", dt / 1e9, "s");
	rb_record_measure(run, "drain_rate_pids", (double)res->chan.spawned / (dt / 1e9), "reaps/s");
	rb_record_measure(run, "drain_pids_polls", (double)res->drain_polls, "reads");
	rb_record_measure(run, "drain_pids_gap_max", res->drain_gap_max_ns / 1e9, "s");
}

void rb_run_record(json_t *run, const struct rb_run_result *res)
{
	const struct rb_sandbox *sb = &res->sb;
	const struct rb_channel *c = &res->chan;

	json_object_set_new(run, "end", json_string(end_names[sb->end]));
	json_object_set_new(run, "userns", json_boolean(sb->userns));
	rb_record_measure(run, "pid1_exit_code", rb_status_code(sb->status), "status");
	rb_record_measure(run, "duration", (sb->t_end_ns - sb->t_start_ns) / 1e9, "s");
	if (sb->joiner_done)
		rb_record_measure(run, "workload_exit_code", rb_status_code(sb->joiner_status),
				  "status");
	if (sb->has_cgroup && sb->pids_peak >= 0)
		rb_record_measure(run, "pids_peak", (double)sb->pids_peak, "pids");
	else
		rb_record_skip(run, "pids_peak", sb->has_cgroup ? "pids.peak unreadable"
								: sb->cgroup_skip);
	if (!sb->pid_max_set)
		rb_record_skip(run, "pid_max", sb->pid_max_skip);
	if (!res->chan_valid) {
		rb_record_skip(run, "payload", "the workload wrote no report (not rb-payload?)");
		return;
	}
	record_signals(run, res);
	if (c->spawned || c->spawn_failed) {
		rb_record_measure(run, "payload_spawned", (double)c->spawned, "processes");
		rb_record_measure(run, "payload_spawn_failed", (double)c->spawn_failed, "processes");
		rb_record_measure(run, "payload_reaped", (double)c->reaped, "processes");
		if (c->t_all_reaped_ns)
			rb_record_measure(run, "reap_all_time",
					  (c->t_all_reaped_ns - c->t_released_ns) / 1e9, "s");
		else
			rb_record_skip(run, "reap_all_time", c->storm.monitor_off
				       ? "monitoring off (--no-monitor): no reap is stamped"
				       : c->t_released_ns ? "not every process was reaped in time"
				       : "the payload left them alive (leave): PID 1's end kills them");
	}
	if (c->storm.payload_rss_peak_kb > 0)
		rb_record_measure(run, "payload_rss_peak", (double)c->storm.payload_rss_peak_kb, "KiB");
	record_drain_pids(run, res);
}

void rb_record_runtime(json_t *options, const struct rb_sandbox_opts *o)
{
	json_object_set_new(options, "runtime", json_string(rb_runtime_names[o->runtime]));
	json_object_set_new(options, "seccomp", json_string(rb_seccomp_names[o->seccomp]));
}

void rb_sandbox_opts_record(json_t *options, const struct rb_sandbox_opts *o)
{
	json_object_set_new(options, "pid_max", json_integer(o->pid_max));
	json_object_set_new(options, "pids_max", json_integer(o->pids_max ? o->pids_max : o->pid_max));
	json_object_set_new(options, "deadline_s", json_real(o->deadline_ns / 1e9));
	rb_record_runtime(options, o);
}

void rb_sandbox_opts_default(struct rb_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid_max = RB_DEFAULT_PID_MAX;
	o->pids_max = 0; /* follows pid_max */
	o->deadline_ns = 60LL * 1000000000;
	o->userns = RB_USERNS_AUTO;
	o->output_fd = -1;
}

