/* Running scenario programs: see scenario_run.h. */
#include "scenario_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "procfs.h"
#include "runner.h"
#include "shmfile.h"
#include "signames.h"

#define MS 1000000LL
/* epoll tags besides process indices */
#define TAG_APP 100
#define TAG_PID1 101
#define TAG_STOP 102
#define BIT(sig) (1ull << ((sig) - 1))

static const char *const env_names[] = { RB_CHANNEL_ENV, RB_SCN_ENV };

struct rb_scn_session {
	const struct rb_sysinfo *si;
	struct rb_reaper r;
	struct rb_scn_opts o;
	char payload[PATH_MAX];
	int sandboxes;
	uint32_t input_seq;
	/* the sandbox, when up */
	bool up;
	int null_fd;
	struct rb_sandbox_opts sbo;
	struct rb_sandbox sb;
	struct rb_shm_file chan_file, area_file;
	struct rb_channel *ch;
	struct rb_scn_shared *sh;
	char **env;
	char **argv;
	int app_pidfd;
	pid_t app_host, app_nspid;
	bool app_start_pending;  /* the next result reports the app's start state */
	bool app_stopped_by_us;  /* a STOP_APP request holds it */
	int64_t t_app_continued_ns; /* the harness last found the app stopped (not by its
	                               own STOP_APP) and continued it */
	/* the observer thread: stamps exits and reaps from pidfds */
	pthread_t observer;
	bool observer_on;
	pthread_mutex_t mu;      /* the fields below, the watch set */
	int epfd, stop_fd;
	int fd[RB_SCN_MAX_PROCS];
	struct rb_scn_seen seen[RB_SCN_MAX_PROCS];
	int64_t t_app_exit_ns, t_pid1_exit_ns;
	uint32_t *wake;          /* sh->wake while the area is mapped */
	int pid1_sched_fd;       /* PID 1's schedstat while the sandbox is up */
	int observer_sched_fd;   /* the observer thread's own */
	/* Generations in each watch's tag: an event the observer took just
	 * before a watch went must not stamp its successor. */
	uint32_t sandbox_gen, input_gen;
};

void rb_scn_opts_default(struct rb_scn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->linger_ns = 50 * MS;
	o->forward_ns = 100 * MS;
	o->exit_ns = 1000 * MS;
	o->ack_timeout_ns = 1000 * MS;
	o->input_ns = 10000 * MS;
	o->persistent = true;
	rb_sandbox_opts_default(&o->sb);
}

int rb_scn_session_sandboxes(const struct rb_scn_session *s)
{
	return s->sandboxes;
}

/* ---- waiting on the shared words ------------------------------------------ */

static void futex_wake(uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void futex_wait_ns(uint32_t *w, uint32_t val, int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	if (ns > 0)
		syscall(SYS_futex, w, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };

	while (ns > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the observer ------------------------------------------------------------ */

static void stamp(int64_t *t, int64_t now)
{
	if (*t == 0)
		*t = now;
}

/* A watch's tag: what it is (a process index, TAG_APP, TAG_PID1) and the
 * generation it belongs to. */
static uint64_t tag_of(uint32_t what, uint32_t gen)
{
	return (uint64_t)gen << 32 | what;
}

/* CPU waits of PID 1 and the observer so far (under the lock). */
static int64_t cpu_wait(struct rb_scn_session *s)
{
	int64_t a = rb_schedstat_wait(s->pid1_sched_fd), b = rb_schedstat_wait(s->observer_sched_fd);

	return (a > 0 ? a : 0) + (b > 0 ? b : 0);
}

static void on_event(struct rb_scn_session *s, const struct epoll_event *ev, int64_t now,
		     int64_t waited)
{
	uint32_t tag = (uint32_t)ev->data.u64, gen = (uint32_t)(ev->data.u64 >> 32);

	if (gen != (tag < RB_SCN_MAX_PROCS ? s->input_gen : s->sandbox_gen))
		return; /* a watch of an earlier program or sandbox */
	if (tag == TAG_APP) {
		stamp(&s->t_app_exit_ns, now);
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->app_pidfd, NULL);
	} else if (tag == TAG_PID1) {
		stamp(&s->t_pid1_exit_ns, now);
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->sb.pidfd, NULL);
	} else if (tag < RB_SCN_MAX_PROCS && s->fd[tag] >= 0) {
		struct rb_scn_seen *se = &s->seen[tag];

		if (!se->t_exit_ns)
			se->exit_cpu_wait_ns = waited;
		stamp(&se->t_exit_ns, now);
		if (ev->events & EPOLLHUP) {
			se->reap_cpu_wait_ns = waited;
			stamp(&se->t_reap_ns, now);
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->fd[tag], NULL);
		}
	}
}

static void *observe(void *arg)
{
	struct rb_scn_session *s = arg;
	struct epoll_event ev[32];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&s->mu);
	s->observer_sched_fd = rb_schedstat_open("/proc/thread-self/schedstat");
	pthread_mutex_unlock(&s->mu);
	for (;;) {
		int n = epoll_wait(s->epfd, ev, 32, -1);
		int64_t now = rb_now_ns(), waited;
		bool stop = false;

		if (n < 0 && errno != EINTR)
			return NULL;
		pthread_mutex_lock(&s->mu);
		waited = cpu_wait(s);
		for (int i = 0; i < n; i++) {
			if ((uint32_t)ev[i].data.u64 == TAG_STOP)
				stop = true;
			else
				on_event(s, &ev[i], now, waited);
		}
		if (s->wake) {
			__atomic_add_fetch(s->wake, 1, __ATOMIC_RELEASE);
			futex_wake(s->wake);
		}
		pthread_mutex_unlock(&s->mu);
		if (stop)
			return NULL;
	}
}

/* Watch FD as WHAT (under the lock, or before the observer runs). */
static int watch(struct rb_scn_session *s, int fd, uint32_t what)
{
	uint32_t gen = what < RB_SCN_MAX_PROCS ? s->input_gen : s->sandbox_gen;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = tag_of(what, gen) };

	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* Forget the processes of the last program (under the lock). */
static void unwatch_procs(struct rb_scn_session *s)
{
	pthread_mutex_lock(&s->mu);
	s->input_gen++;
	for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
		if (s->fd[i] >= 0) {
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->fd[i], NULL);
			close(s->fd[i]);
		}
		s->fd[i] = -1;
		memset(&s->seen[i], 0, sizeof(s->seen[i]));
	}
	pthread_mutex_unlock(&s->mu);
}

static int64_t load_t(struct rb_scn_session *s, const int64_t *t)
{
	int64_t v;

	pthread_mutex_lock(&s->mu);
	v = *t;
	pthread_mutex_unlock(&s->mu);
	return v;
}

/* ---- the session --------------------------------------------------------------- */

int rb_scn_session_new(const struct rb_sysinfo *si, const struct rb_reaper *r,
		       const struct rb_scn_opts *o, struct rb_scn_session **out,
		       struct rb_error *err)
{
	struct rb_scn_session *s = calloc(1, sizeof(*s));

	if (!s)
		return rb_sys_error(err, ENOMEM, "scenario session");
	if (rb_require_available(r, err) < 0) {
		free(s);
		return -1;
	}
	s->si = si;
	s->r = *r;
	s->o = *o;
	s->app_pidfd = s->null_fd = s->pid1_sched_fd = s->observer_sched_fd = -1;
	for (int i = 0; i < RB_SCN_MAX_PROCS; i++)
		s->fd[i] = -1;
	snprintf(s->payload, sizeof(s->payload), "%s", si->payload);
	if (access(s->payload, X_OK) != 0) {
		free(s);
		return rb_fail(err, RB_ERR_INPUT, errno, "payload %s (run make)", s->payload);
	}
	pthread_mutex_init(&s->mu, NULL);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->epfd < 0 || s->stop_fd < 0 || watch(s, s->stop_fd, TAG_STOP) < 0 ||
	    pthread_create(&s->observer, NULL, observe, s) != 0) {
		int e = errno;

		if (s->epfd >= 0)
			close(s->epfd);
		if (s->stop_fd >= 0)
			close(s->stop_fd);
		free(s);
		return rb_sys_error(err, e, "starting the scenario observer");
	}
	s->observer_on = true;
	*out = s;
	return 0;
}

static void note(struct rb_scn_result *res, int op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct rb_scn_result *res, int op, const char *fmt, ...)
{
	struct rb_scn_note *n;
	va_list ap;

	if (res->nnotes >= RB_SCN_MAX_NOTES)
		return;
	n = &res->notes[res->nnotes++];
	n->t_ns = rb_now_ns();
	n->op = op;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}

/* Take the sandbox down: PID 1 is SIGKILLed if still there (the namespace
 * goes with it); RES (if any) learns how it ended. */
static void sandbox_down(struct rb_scn_session *s, struct rb_scn_result *res)
{
	struct rb_error err = { 0 };
	int rc;

	if (!s->up)
		return;
	unwatch_procs(s);
	rc = rb_sandbox_wait(&s->sb, 0, &err);
	if (rc == 0 && res && !res->pid1_ended && s->sb.end == RB_END_EXITED) {
		res->pid1_ended = true;
		res->pid1_status = s->sb.status;
		res->t_pid1_exit_ns = s->sb.t_end_ns;
	}
	/* PID 1 is gone, and with it the namespace: the app is reaped */
	if (res && res->app_ended && s->app_pidfd >= 0)
		res->app_status_known = rb_pidfd_exit_status(s->app_pidfd, &res->app_status);
	rc = rb_sandbox_destroy(&s->sb, &err);
	if (res) {
		res->sandbox_ended = true;
		res->containment_ok = rc == 0;
		snprintf(res->containment, sizeof(res->containment), "%s",
			 rc == 0 ? "the sandbox's cgroup ended empty and was removed" : err.msg);
	}
	pthread_mutex_lock(&s->mu);
	s->wake = NULL;
	s->sandbox_gen++;
	if (s->pid1_sched_fd >= 0)
		close(s->pid1_sched_fd);
	s->pid1_sched_fd = -1;
	if (s->app_pidfd >= 0) {
		epoll_ctl(s->epfd, EPOLL_CTL_DEL, s->app_pidfd, NULL);
		close(s->app_pidfd);
	}
	s->app_pidfd = -1;
	pthread_mutex_unlock(&s->mu);
	rb_shm_remove(&s->chan_file);
	rb_shm_remove(&s->area_file);
	rb_environment_free(s->env, env_names, 2);
	rb_argv_free(s->argv);
	s->env = s->argv = NULL;
	if (s->null_fd >= 0)
		close(s->null_fd);
	s->null_fd = -1;
	s->up = false;
}

void rb_scn_session_free(struct rb_scn_session *s)
{
	if (!s)
		return;
	if (s->up)
		rb_sandbox_signal(&s->sb, SIGKILL);
	sandbox_down(s, NULL);
	if (s->observer_on) {
		uint64_t one = 1;

		if (write(s->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(s->observer, NULL);
	}
	close(s->epfd);
	close(s->stop_fd);
	if (s->observer_sched_fd >= 0)
		close(s->observer_sched_fd);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* The two shared files, the environment naming them, PID 1's argv. */
static int prepare_files(struct rb_scn_session *s, char *const workload[], struct rb_error *err)
{
	if (rb_shm_create(&s->chan_file, "chan", (size_t)rb_channel_size(0, 0), err) < 0)
		return -1;
	if (rb_shm_create(&s->area_file, "scn", sizeof(struct rb_scn_shared), err) < 0) {
		rb_shm_remove(&s->chan_file);
		return -1;
	}
	s->ch = s->chan_file.map;
	s->ch->magic = RB_CHANNEL_MAGIC;
	s->ch->version = RB_CHANNEL_VERSION;
	s->sh = s->area_file.map;
	s->sh->magic = RB_SCN_MAGIC;
	s->sh->size = sizeof(*s->sh);
	s->sh->serving = 1;
	s->sh->ack_timeout_ns = s->o.ack_timeout_ns;
	snprintf(s->sh->payload_path, sizeof(s->sh->payload_path), "%s", s->payload);
	s->env = rb_environment(env_names,
				(const char *const[]){ s->chan_file.path, s->area_file.path }, 2);
	if (!s->env)
		return rb_sys_error(err, ENOMEM, "environment");
	return rb_pid1_argv(&s->r, workload, &s->argv, err);
}

static bool pid1_gone(struct rb_scn_session *s)
{
	return load_t(s, &s->t_pid1_exit_ns) != 0;
}

/* Until the app reported ready; then its pid outside, and a pidfd. */
static int find_app(struct rb_scn_session *s, struct rb_error *err)
{
	int64_t end = rb_now_ns() + 5000 * MS;
	int rc;

	while (!__atomic_load_n(&s->ch->ready, __ATOMIC_ACQUIRE)) {
		if (pid1_gone(s) || rb_now_ns() > end)
			return rb_sys_error(err, 0, "the scenario app under %s never got ready (%s)",
					    s->r.name, pid1_gone(s) ? "PID 1 exited" : "5 s");
		futex_wait_ns(&s->ch->ready, 0, 1 * MS);
	}
	s->app_nspid = s->ch->payload_pid;
	switch (s->r.mode) {
	case RB_MODE_NONE:
		s->app_host = s->sb.pid1;
		break;
	case RB_MODE_STANDALONE:
		s->app_host = s->sb.joined[0].pid;
		break;
	default:
		s->app_host = rb_proc_find_descendant(s->sb.pid1, s->app_nspid);
	}
	s->app_pidfd = s->app_host > 0 ? (int)syscall(SYS_pidfd_open, s->app_host, 0) : -1;
	if (s->app_pidfd < 0 || rb_proc_innermost_pid(s->app_host) != s->app_nspid)
		return rb_sys_error(err, errno, "finding the scenario app (pid %d in the sandbox)",
				    (int)s->app_nspid);
	pthread_mutex_lock(&s->mu);
	rc = watch(s, s->app_pidfd, TAG_APP);
	pthread_mutex_unlock(&s->mu);
	return rc < 0 ? rb_sys_error(err, errno, "epoll") : 0;
}

/* A new sandbox for WORKLOAD. 1: it could not start the workload (bad
 * input for this reaper: RES->skip says why); 0: up; -1: error. */
static int sandbox_up(struct rb_scn_session *s, char *const workload[], bool app,
		      struct rb_scn_result *res, struct rb_error *err)
{
	struct rb_error start_err = { 0 };
	int rc;

	s->sbo = s->o.sb;
	if (s->sbo.pids_max == 0)
		s->sbo.pids_max = s->sbo.pid_max;
	if (!s->o.show_output) {
		s->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		s->sbo.output_fd = s->null_fd;
	}
	pthread_mutex_lock(&s->mu);
	s->sandbox_gen++;
	s->t_app_exit_ns = s->t_pid1_exit_ns = 0;
	pthread_mutex_unlock(&s->mu);
	if (prepare_files(s, workload, err) < 0)
		goto fail;
	s->sbo.env = s->env;
	s->up = true;
	s->sandboxes++;
	pthread_mutex_lock(&s->mu);
	s->wake = &s->sh->wake;
	pthread_mutex_unlock(&s->mu);
	if (rb_sandbox_start(&s->sb, s->si, &s->sbo, s->argv, &start_err) < 0 ||
	    (s->r.mode == RB_MODE_STANDALONE &&
	     rb_sandbox_join(&s->sb, &s->sbo, workload, &start_err) < 0)) {
		bool not_ours = start_err.kind == RB_ERR_INPUT && s->sb.pid1 >= 0;

		if (s->sb.pid1 > 0)
			rb_sandbox_signal(&s->sb, SIGKILL);
		sandbox_down(s, NULL);
		if (not_ours && !app) {
			snprintf(res->skip, sizeof(res->skip), "%s execs nothing itself: %s",
				 s->r.name, start_err.msg);
			return 1;
		}
		*err = start_err;
		return -1;
	}
	pthread_mutex_lock(&s->mu);
	rc = watch(s, s->sb.pidfd, TAG_PID1);
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)s->sb.pid1);
		s->pid1_sched_fd = rb_schedstat_open(path);
	}
	pthread_mutex_unlock(&s->mu);
	if (rc < 0) {
		rb_sys_error(err, errno, "epoll");
		goto kill;
	}
	res->fresh = true;
	if (!app)
		return 0;
	if (find_app(s, err) < 0)
		goto kill;
	s->app_start_pending = true;
	return 0;
kill:
	rb_sandbox_signal(&s->sb, SIGKILL);
	sandbox_down(s, NULL);
	return -1;
fail:
	rb_shm_remove(&s->chan_file);
	rb_shm_remove(&s->area_file);
	if (s->null_fd >= 0)
		close(s->null_fd);
	s->null_fd = -1;
	return -1;
}

/* ---- serving the app's requests ------------------------------------------------ */

static struct rb_scn_send *new_send(struct rb_scn_result *res, int op, int sig, int route, int from)
{
	struct rb_scn_send *sd;

	if (res->nsends >= RB_SCN_MAX_SENDS)
		return NULL;
	sd = &res->sends[res->nsends++];
	*sd = (struct rb_scn_send){ .op = op, .sig = sig, .route = route, .from = from };
	return sd;
}

/* Made and not exited (a process made just now may not run its mailbox
 * yet: state NONE, but there to stop, signal and continue). */
static bool alive(struct rb_scn_session *s, int i)
{
	const struct rb_scn_slot *sl = &s->sh->procs[i];

	if (i == RB_SCN_APP)
		return load_t(s, &s->t_app_exit_ns) == 0;
	return sl->state != RB_SCN_P_FAILED && s->fd[i] >= 0 && load_t(s, &s->seen[i].t_exit_ns) == 0;
}

/* Receipts of SIG by process I logged after T (FROM_PID1: that PID 1 sent). */
static int receipts_after(struct rb_scn_session *s, int i, int sig, int64_t t, bool from_pid1)
{
	const struct rb_channel *ch = s->ch;
	uint32_t n = __atomic_load_n(&ch->nsignals, __ATOMIC_ACQUIRE);
	pid_t pid = s->sh->procs[i].pid;
	int got = 0;

	n = n < RB_CHANNEL_MAX_SIGNALS ? n : RB_CHANNEL_MAX_SIGNALS;
	for (uint32_t k = 0; k < n; k++) {
		const struct rb_signal_entry *e = &ch->signals[k];

		if (__atomic_load_n(&e->signo, __ATOMIC_ACQUIRE) == sig && e->receiver == pid &&
		    e->t_ns > t && (!from_pid1 || e->pid == 1))
			got++;
	}
	return got;
}

/* Which processes the claims say must log SD, and whether each can. */
static void claimed_receivers(struct rb_scn_session *s, struct rb_scn_send *sd)
{
	const struct rb_scn_shared *sh = s->sh;
	int app_pgid = sh->procs[RB_SCN_APP].pgid;

	sd->expect = rb_expect_receivers(&s->r, sd->sig);
	for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
		const struct rb_scn_slot *sl = &sh->procs[i];
		bool in_target = strcmp(sd->expect, "app") == 0 ? i == RB_SCN_APP
				 : strcmp(sd->expect, "group") == 0 ? sl->pgid == app_pgid
								     : false;

		if (!in_target || (i > 0 && sl->state == RB_SCN_P_NONE) || !alive(s, i))
			continue;
		/* KILL and STOP cannot be caught: never logged, whoever gets them */
		if (sd->sig == SIGKILL || sd->sig == SIGSTOP ||
		    ((sl->ignored | sl->defaulted) & BIT(sd->sig))) {
			sd->unverifiable |= 1u << i;
			continue;
		}
		sd->required |= 1u << i;
		if ((sl->blocked & BIT(sd->sig)) || (i > 0 && sl->stopped))
			sd->held |= 1u << i;
	}
}

static pid_t host_of(struct rb_scn_session *s, int i)
{
	return i == RB_SCN_APP ? s->app_host : s->seen[i].host_pid;
}

/* Those of MISSING that have SD's signal pending: forwarded, not yet delivered. */
static uint32_t pending_at(struct rb_scn_session *s, const struct rb_scn_send *sd, uint32_t missing)
{
	uint32_t pending = 0;

	for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
		long long p;

		if (!(missing & (1u << i)))
			continue;
		p = rb_proc_pending(host_of(s, i));
		if (p > 0 && (p & (long long)BIT(sd->sig)))
			pending |= 1u << i;
	}
	return pending;
}

/* PID 1 has not dequeued SIG yet and waits for a CPU: the machine is late. */
static bool pid1_behind(struct rb_scn_session *s, int sig)
{
	long long p = rb_proc_pending(s->sb.pid1);

	return p > 0 && (p & (long long)BIT(sig)) && rb_proc_state(s->sb.pid1) == 'R';
}

/* Let a send land: wait (up to forward_ns, longer while PID 1 has it and
 * waits for a CPU: up to 1 s) until each process that must log it did, or,
 * one that cannot now (blocking it, stopped), has it pending; those still
 * without it then but with it pending were forwarded to, only late. */
static void continue_stopped(struct rb_scn_session *s, struct rb_scn_result *res, int op);

static void await_receipts_since(struct rb_scn_session *s, struct rb_scn_result *res,
				 struct rb_scn_send *sd, int64_t since)
{
	int64_t end = sd->t_ns + s->o.forward_ns, last = sd->t_ns + 1000 * MS;
	/* realtime signals do not merge: a copy sent to the app's group reaches
	 * it directly too, and it is PID 1's own that must be waited for */
	bool from_pid1 = sd->sig >= SIGRTMIN && s->r.mode != RB_MODE_NONE, continued = false;

	for (;;) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE), missing = 0;

		for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
			if (!(sd->required & (1u << i)) || !alive(s, i) ||
			    receipts_after(s, i, sd->sig, since, from_pid1) > 0)
				continue;
			/* one that blocks it (or is stopped) cannot log it yet, but
			 * must have it pending before the program goes on: else it
			 * may leave the group (setsid) before PID 1 forwards */
			if ((sd->held & (1u << i)) && (pending_at(s, sd, 1u << i) & (1u << i)))
				continue;
			missing |= 1u << i;
		}
		if (!missing)
			return;
		/* a receiver a stop signal stopped meanwhile (dumb-init stops the
		 * group on TSTP, and a group stop reaches each thread group as its
		 * threads run, after the harness looked): continued, and noted, as
		 * the program goes on (10 ms in) */
		if (rb_now_ns() > sd->t_ns + 10 * MS && !continued) {
			continue_stopped(s, res, sd->op);
			continued = true;
		}
		if (rb_now_ns() >= end) {
			if (pid1_behind(s, sd->sig) && end < last) {
				end += 10 * MS;
				continue;
			}
			sd->pending_seen = pending_at(s, sd, missing);
			return;
		}
		futex_wait_ns(&s->sh->wake, w, 200000);
	}
}

static void await_receipts(struct rb_scn_session *s, struct rb_scn_result *res,
			   struct rb_scn_send *sd)
{
	await_receipts_since(s, res, sd, sd->t_ns);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The quiet phase: the app has unblocked and continued everything, so
 * the forwards that were held reach their receivers now, or do late if
 * PID 1 has not made them yet: wait for those too. */
static void await_held(struct rb_scn_session *s, struct rb_scn_result *res)
{
	for (int k = 0; k < res->nsends; k++) {
		struct rb_scn_send *sd = &res->sends[k], now;

		if (!sd->held || sd->rc || !sd->to_pid1)
			continue;
		now = *sd;
		now.required = 0;
		now.held = 0;
		for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
			const struct rb_scn_slot *sl = &s->sh->procs[i];

			/* one that ignores it now, or left it at its default, had it
			 * discarded or acted on: nothing to wait for */
			if ((sd->held & (1u << i)) && !((sl->ignored | sl->defaulted) & BIT(sd->sig)) &&
			    !is_stop_signal(sd->sig) && sd->sig != SIGCONT && sl->state != RB_SCN_P_ENDING)
				now.required |= 1u << i;
		}
		now.t_ns = rb_now_ns(); /* the bound runs from here; receipts count from the send */
		await_receipts_since(s, res, &now, sd->t_ns);
		sd->pending_seen |= now.pending_seen;
	}
}


/* Processes the program did not stop but a stop signal did (an init that
 * turns TSTP into SIGSTOP of the group, or a process that left TSTP at its
 * default action): continued, so that the program goes on; RES (if any)
 * notes it. */
static void continue_stopped(struct rb_scn_session *s, struct rb_scn_result *res, int op)
{
	for (int i = 0; i < RB_SCN_MAX_PROCS; i++) {
		pid_t host = i == RB_SCN_APP ? s->app_host : s->seen[i].host_pid;
		int fd = i == RB_SCN_APP ? s->app_pidfd : s->fd[i];
		if (fd < 0 || (i > 0 && s->sh->procs[i].stopped) || !alive(s, i))
			continue;
		/* every thread: a group whose leader exited first (THREADS)
		 * shows the leader as a zombie while its threads are stopped */
		if (!rb_proc_stopped(host))
			continue;
		syscall(SYS_pidfd_send_signal, fd, SIGCONT, NULL, 0);
		if (i == RB_SCN_APP)
			s->t_app_continued_ns = rb_now_ns();
		if (!res)
			continue;
		if (i == RB_SCN_APP)
			note(res, op, "the app was stopped: the harness sent it SIGCONT");
		else
			note(res, op, "process %d was stopped: the harness sent it SIGCONT", i);
	}
}

static void watch_send(struct rb_scn_session *s, struct rb_scn_result *res, struct rb_scn_send *sd)
{
	if (sd->rc == 0 && sd->to_pid1) {
		res->pid1_sent |= BIT(sd->sig);
		claimed_receivers(s, sd);
		if (strcmp(sd->expect, "stopped") == 0) {
			int64_t end = sd->t_ns + s->o.forward_ns;

			/* a send from inside stops the app that asked for it: by the
			 * time its request is served the harness may have found it
			 * stopped and continued it already */
			while (!(sd->stop_seen = rb_proc_stopped(s->app_host) ||
						 s->t_app_continued_ns > sd->t_ns) &&
			       rb_now_ns() < end)
				sleep_ns(100000);
		} else if (sd->required) {
			await_receipts(s, res, sd);
		}
	}
	if (is_stop_signal(sd->sig))
		continue_stopped(s, res, sd->op);
}

static void serve_send(struct rb_scn_session *s, struct rb_scn_result *res,
		       const struct rb_scn_request *rq)
{
	struct rb_scn_send *sd = new_send(res, rq->op, rq->sig, RB_SCN_ROUTE_PARENT, -1);

	if (!sd)
		return;
	sd->to_pid1 = true;
	sd->t_ns = rb_now_ns();
	sd->rc = rb_sandbox_signal(&s->sb, rq->sig);
	watch_send(s, res, sd);
}

/* To the app's process group from outside: kill(-pgid) with the host pid
 * of the group's leader, the app itself or (when the init left the app in
 * its own group) PID 1. */
static void serve_send_group(struct rb_scn_session *s, struct rb_scn_result *res,
			     const struct rb_scn_request *rq)
{
	struct rb_scn_send *sd = new_send(res, rq->op, rq->sig, RB_SCN_ROUTE_GROUP_HARNESS, -1);
	int pgid = s->sh->procs[RB_SCN_APP].pgid;
	pid_t leader = pgid == s->app_nspid ? s->app_host : pgid == 1 ? s->sb.pid1 : -1;

	if (!sd)
		return;
	sd->to_pid1 = pgid == 1;
	sd->t_ns = rb_now_ns();
	sd->rc = leader > 0 && kill(-leader, rq->sig) == 0 ? 0 : -ESRCH;
	watch_send(s, res, sd);
}

static void serve_sent(struct rb_scn_session *s, struct rb_scn_result *res,
		       const struct rb_scn_request *rq)
{
	struct rb_scn_send *sd = new_send(res, rq->op, rq->sig, rq->route, rq->proc);

	if (!sd)
		return;
	sd->t_ns = rq->t_ns;
	sd->to_pid1 = rq->route == RB_SCN_ROUTE_INSIDE ||
		      (rq->route == RB_SCN_ROUTE_GROUP_INSIDE && s->sh->procs[RB_SCN_APP].pgid == 1);
	watch_send(s, res, sd);
}

/* Take the pidfd of a new process from the fd table that holds it. */
static int serve_adopt(struct rb_scn_session *s, struct rb_scn_result *res, int op, int i)
{
	const struct rb_scn_slot *sl = &s->sh->procs[i];
	int holder = sl->fd_holder, src, fd;
	pid_t host;

	if (i <= 0 || i >= RB_SCN_MAX_PROCS || holder < 0 || holder >= RB_SCN_MAX_PROCS)
		return -EINVAL;
	src = holder == RB_SCN_APP ? s->app_pidfd : s->fd[holder];
	fd = src >= 0 ? (int)syscall(SYS_pidfd_getfd, src, sl->pidfd_in_creator, 0) : -1;
	if (fd < 0) {
		note(res, op, "process %d: no pidfd from its holder (%s): its exits go unseen", i,
		     strerror(errno));
		return -errno;
	}
	host = rb_pidfd_pid(fd);
	pthread_mutex_lock(&s->mu);
	s->fd[i] = fd;
	s->seen[i].adopted = true;
	s->seen[i].host_pid = host;
	watch(s, fd, (uint32_t)i);
	pthread_mutex_unlock(&s->mu);
	/* reaped already (the daemon's intermediate): pid -1, the watch saw it */
	if (host > 0 && rb_proc_innermost_pid(host) != sl->pid)
		note(res, op, "process %d: its pidfd names host pid %d, not pid %d of the sandbox", i,
		     (int)host, sl->pid);
	return 0;
}

static void serve_stop_app(struct rb_scn_session *s, struct rb_scn_result *res,
			   const struct rb_scn_request *rq)
{
	int64_t end = rb_now_ns() + s->o.forward_ns;
	char st = '?';

	syscall(SYS_pidfd_send_signal, s->app_pidfd, SIGSTOP, NULL, 0);
	while (rb_now_ns() < end && (st = rb_proc_state(s->app_host)) != 'T' && st != 't')
		sleep_ns(100000);
	note(res, rq->op, "the harness stopped the app (SIGSTOP%s), continues it in %.3f ms",
	     st == 'T' || st == 't' ? "" : ": not seen stopped", rq->dur_ns / 1e6);
	sleep_ns(rq->dur_ns);
	syscall(SYS_pidfd_send_signal, s->app_pidfd, SIGCONT, NULL, 0);
}

/* A zombie that is PID 1's to reap (its parent is PID 1), not reaped yet:
 * as /proc shows it now (the observer's stamps may be a wakeup behind the
 * app, which saw the exit on a pidfd of its own). */
static bool pid1_zombie(struct rb_scn_session *s, int i)
{
	struct rb_pstat st;

	if (!s->seen[i].adopted || load_t(s, &s->seen[i].t_reap_ns) != 0 ||
	    !rb_proc_stat(s->seen[i].host_pid, &st) || st.state != 'Z')
		return false;
	s->seen[i].zombie_parent = st.ppid;
	return st.ppid == s->sb.pid1;
}

/* Until PID 1 has reaped its zombies (up to the linger bound and a little
 * more, to see by how much it is late). With nothing claimed nobody waits. */
static void wait_quiet(struct rb_scn_session *s)
{
	int64_t end = rb_now_ns() + s->o.linger_ns + 20 * MS;

	if (!s->r.claims.reaps)
		return;
	for (;;) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE);
		bool pending = false;

		for (int i = 1; i < RB_SCN_MAX_PROCS && !pending; i++)
			pending = pid1_zombie(s, i);
		if (!pending || rb_now_ns() >= end || pid1_gone(s))
			return;
		futex_wait_ns(&s->sh->wake, w, 500000);
	}
}

static void serve_settle(struct rb_scn_session *s, int i)
{
	int64_t end = rb_now_ns() + s->o.exit_ns;

	while (i > 0 && i < RB_SCN_MAX_PROCS && s->fd[i] >= 0 &&
	       load_t(s, &s->seen[i].t_exit_ns) == 0 && rb_now_ns() < end && !pid1_gone(s)) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE);

		futex_wait_ns(&s->sh->wake, w, 500000);
	}
	wait_quiet(s);
}

static void serve(struct rb_scn_session *s, struct rb_scn_result *res)
{
	struct rb_scn_request rq = s->sh->req;
	uint32_t seq = __atomic_load_n(&s->sh->req_seq, __ATOMIC_ACQUIRE);
	int r = 0;

	switch (rq.kind) {
	case RB_SCN_REQ_ADOPT:
		r = serve_adopt(s, res, rq.op, rq.proc);
		break;
	case RB_SCN_REQ_SEND:
		serve_send(s, res, &rq);
		break;
	case RB_SCN_REQ_SEND_GROUP:
		serve_send_group(s, res, &rq);
		break;
	case RB_SCN_REQ_SENT:
		serve_sent(s, res, &rq);
		break;
	case RB_SCN_REQ_STOP_APP:
		s->app_stopped_by_us = true;
		serve_stop_app(s, res, &rq);
		s->app_stopped_by_us = false;
		break;
	case RB_SCN_REQ_QUIET:
		await_held(s, res);
		wait_quiet(s);
		break;
	case RB_SCN_REQ_SETTLE:
		serve_settle(s, rq.proc);
		break;
	default:
		r = -EINVAL;
	}
	s->sh->req_result = r;
	__atomic_store_n(&s->sh->req_ack, seq, __ATOMIC_RELEASE);
	futex_wake(&s->sh->req_ack);
}

/* ---- one program ------------------------------------------------------------------ */

/* The harness was asked to stop (SIGINT, SIGTERM, SIGHUP to it). */
static bool interrupted(struct rb_scn_session *s)
{
	struct pollfd p = { .fd = s->sb.sigfd, .events = POLLIN };

	return s->sb.sigfd >= 0 && poll(&p, 1, 0) > 0;
}

/* The app ended: PID 1 must follow (a standalone PID 1 is stopped the way
 * the kubelet stops a pod, with SIGTERM). */
static void await_pid1(struct rb_scn_session *s, struct rb_scn_result *res)
{
	int64_t end;

	res->app_ended = true;
	res->t_app_exit_ns = load_t(s, &s->t_app_exit_ns);
	if (s->r.mode == RB_MODE_STANDALONE && !pid1_gone(s)) {
		note(res, -1, "the app ended: the harness sends PID 1 SIGTERM (the pod's stop)");
		rb_sandbox_signal(&s->sb, SIGTERM);
		res->pid1_sent |= BIT(SIGTERM);
	}
	end = rb_now_ns() + s->o.exit_ns;
	while (!pid1_gone(s) && rb_now_ns() < end) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE);

		futex_wait_ns(&s->sh->wake, w, 1 * MS);
	}
	if (!pid1_gone(s)) {
		res->pid1_killed = res->pid1_late = true;
		snprintf(res->pid1_kill_reason, sizeof(res->pid1_kill_reason),
			 "still running %.0f ms after the app ended", s->o.exit_ns / 1e6);
		rb_sandbox_signal(&s->sb, SIGKILL);
	}
}

/* The app, or a process it waits for, that a stop signal stopped while no
 * request was being served (a process sent PID 1 SIGTSTP, and dumb-init
 * stops the group): continued, so that the program goes on. */
static void rescue_stopped(struct rb_scn_session *s, struct rb_scn_result *res)
{
	if (!s->app_stopped_by_us)
		continue_stopped(s, res, -1);
}

/* Until the app finished the program, or it or PID 1 ended, or the deadline. */
static int drive(struct rb_scn_session *s, struct rb_scn_result *res, uint32_t seq,
		 struct rb_error *err)
{
	int64_t deadline = res->t_input_ns + s->o.input_ns, progress = rb_now_ns();

	for (;;) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE);

		if (__atomic_load_n(&s->sh->req_seq, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&s->sh->req_ack, __ATOMIC_ACQUIRE)) {
			serve(s, res);
			progress = rb_now_ns();
			continue;
		}
		if (__atomic_load_n(&s->sh->done_seq, __ATOMIC_ACQUIRE) == seq) {
			res->done = true;
			return 0;
		}
		if (load_t(s, &s->t_app_exit_ns) || pid1_gone(s))
			return 0;
		if (interrupted(s))
			return rb_sys_error(err, EINTR, "interrupted");
		if (rb_now_ns() - progress > 20 * MS) { /* quiet that long: something stopped? */
			rescue_stopped(s, res);
			progress = rb_now_ns();
		}
		if (rb_now_ns() >= deadline) {
			res->hung = true;
			note(res, -1, "the program did not finish within %.0f ms", s->o.input_ns / 1e6);
			return 0;
		}
		futex_wait_ns(&s->sh->wake, w, 20 * MS);
	}
}

/* A new program's log: the entries the last one used are cleared, so that
 * an entry a handler has claimed but not yet written is not read as the
 * old one's. */
static void clear_log(struct rb_channel *ch)
{
	uint32_t n = __atomic_load_n(&ch->nsignals, __ATOMIC_ACQUIRE);

	n = n < RB_CHANNEL_MAX_SIGNALS ? n : RB_CHANNEL_MAX_SIGNALS;
	for (uint32_t i = 0; i < n; i++)
		__atomic_store_n(&ch->signals[i].signo, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ch->nsignals, 0, __ATOMIC_RELEASE);
}

/* The program's log: the entries written (signo is stored last) since it began. */
static void copy_log(const struct rb_channel *ch, struct rb_scn_result *res)
{
	uint32_t n = __atomic_load_n(&ch->nsignals, __ATOMIC_ACQUIRE);

	res->sigs_overflowed = n > RB_CHANNEL_MAX_SIGNALS;
	n = n < RB_CHANNEL_MAX_SIGNALS ? n : RB_CHANNEL_MAX_SIGNALS;
	res->sigs = n ? malloc(n * sizeof(*res->sigs)) : NULL;
	if (!res->sigs)
		return;
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_signal_entry *e = &ch->signals[i];

		if (__atomic_load_n(&e->signo, __ATOMIC_ACQUIRE) == 0 || e->t_ns < res->t_input_ns)
			continue;
		res->sigs[res->nsigs++] = *e;
	}
}

static void copy_out(struct rb_scn_session *s, struct rb_scn_result *res)
{

	res->t_end_ns = rb_now_ns();
	memcpy(res->slots, s->sh->procs, sizeof(res->slots));
	res->nevents = s->sh->nevents < RB_SCN_MAX_EVENTS ? s->sh->nevents : RB_SCN_MAX_EVENTS;
	memcpy(res->events, s->sh->events, res->nevents * sizeof(res->events[0]));
	res->t_start_ns = s->sh->t_started_ns;
	res->t_ops_done_ns = s->sh->t_ops_done_ns;
	res->app_pgid = s->sh->procs[RB_SCN_APP].pgid;
	copy_log(s->ch, res);
	pthread_mutex_lock(&s->mu);
	memcpy(res->seen, s->seen, sizeof(res->seen));
	res->end_cpu_wait_ns = cpu_wait(s);
	pthread_mutex_unlock(&s->mu);
	for (int i = 1; i < RB_SCN_MAX_PROCS; i++)
		if (res->seen[i].adopted && res->seen[i].t_exit_ns && !res->seen[i].t_reap_ns &&
		    !res->seen[i].zombie_parent) {
			struct rb_pstat st;

			if (rb_proc_stat(res->seen[i].host_pid, &st))
				res->seen[i].zombie_parent = st.ppid;
		}
}

/* Between two programs in one sandbox: until PID 1 and the app are seen
 * asleep twice 100 us apart with the same signals pending (up to 50 ms), so
 * that a forward of the last program's is not in flight when the next
 * program's log begins (a forward runs PID 1). */
static void await_idle(struct rb_scn_session *s)
{
	const pid_t who[2] = { s->sb.pid1, s->app_host };
	int64_t end = rb_now_ns() + 50 * MS;
	long long last[2] = { -2, -2 };

	while (rb_now_ns() < end && !pid1_gone(s)) {
		bool still = true;

		for (int k = 0; k < 2; k++) {
			long long pnd = rb_proc_pending(who[k]);
			char st = rb_proc_state(who[k]);

			still = still && (st == 'S' || st == 'D') && pnd == last[k];
			last[k] = pnd;
		}
		if (still)
			return;
		sleep_ns(100000);
	}
}

/* A program whose app could not be executed (the init's exec fails). */
static int run_exec_failure(struct rb_scn_session *s, struct rb_scn_result *res,
			    struct rb_error *err)
{
	char *workload[] = { res->prog.start == RB_SCN_START_MISSING ? "/nonexistent/reapbench-app"
								      : "/etc/passwd", NULL };
	int rc;

	if (s->up) {
		rb_sandbox_signal(&s->sb, SIGKILL);
		sandbox_down(s, NULL);
	}
	rc = sandbox_up(s, workload, false, res, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	res->ran = true;
	res->t_input_ns = rb_now_ns();
	res->pid1_host = s->sb.pid1;
	res->app_ended = true; /* it never began */
	res->t_app_exit_ns = res->t_input_ns;
	for (int64_t end = rb_now_ns() + s->o.exit_ns; !pid1_gone(s) && rb_now_ns() < end;)
		sleep_ns(200000);
	if (!pid1_gone(s)) {
		res->pid1_killed = res->pid1_late = true;
		snprintf(res->pid1_kill_reason, sizeof(res->pid1_kill_reason),
			 "still running %.0f ms after its exec of the app failed", s->o.exit_ns / 1e6);
		rb_sandbox_signal(&s->sb, SIGKILL);
	}
	sandbox_down(s, res);
	return 0;
}

/* Everything the program made is reaped (up to 100 ms for the last reaps,
 * the app's own among them, to reach the observer): the sandbox can take
 * the next program. RES learns the final stamps. */
static bool settled(struct rb_scn_session *s, struct rb_scn_result *res)
{
	int64_t end = rb_now_ns() + 100 * MS;
	bool all;

	for (;;) {
		uint32_t w = __atomic_load_n(&s->sh->wake, __ATOMIC_ACQUIRE);

		all = true;
		for (int i = 1; i < RB_SCN_MAX_PROCS && all; i++)
			all = s->fd[i] < 0 || load_t(s, &s->seen[i].t_reap_ns) != 0;
		if (all || rb_now_ns() >= end)
			break;
		futex_wait_ns(&s->sh->wake, w, 1 * MS);
	}
	pthread_mutex_lock(&s->mu);
	for (int i = 1; i < RB_SCN_MAX_PROCS; i++) {
		res->seen[i].t_exit_ns = s->seen[i].t_exit_ns;
		res->seen[i].t_reap_ns = s->seen[i].t_reap_ns;
		res->seen[i].exit_cpu_wait_ns = s->seen[i].exit_cpu_wait_ns;
		res->seen[i].reap_cpu_wait_ns = s->seen[i].reap_cpu_wait_ns;
	}
	pthread_mutex_unlock(&s->mu);
	for (int i = 1; i < res->prog.nprocs && all; i++)
		all = !(res->slots[i].state == RB_SCN_P_LIVE && !res->seen[i].adopted);
	return all;
}

static void end_sandbox(struct rb_scn_session *s, struct rb_scn_result *res, uint32_t seq)
{
	bool reuse;

	if (!s->o.persistent && res->done && !pid1_gone(s) && !load_t(s, &s->t_app_exit_ns)) {
		/* fresh mode: the app quits, exit 0, and PID 1 must follow */
		__atomic_store_n(&s->sh->quit, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&s->sh->input_seq, seq + 1, __ATOMIC_RELEASE);
		futex_wake(&s->sh->input_seq);
		res->app_quit = true;
		for (int64_t end = rb_now_ns() + s->o.exit_ns;
		     !load_t(s, &s->t_app_exit_ns) && rb_now_ns() < end;)
			sleep_ns(100000);
	}
	if (load_t(s, &s->t_app_exit_ns))
		await_pid1(s, res);
	reuse = s->o.persistent && !pid1_gone(s) && !res->hung && settled(s, res);
	if (reuse)
		return;
	if (!pid1_gone(s)) {
		res->pid1_killed = true;
		snprintf(res->pid1_kill_reason, sizeof(res->pid1_kill_reason), "%s",
			 s->o.persistent ? "ended by the harness: the program left the sandbox unclean"
					 : "ended by the harness");
		rb_sandbox_signal(&s->sb, SIGKILL);
	}
	sandbox_down(s, res);
}

int rb_scn_run(struct rb_scn_session *s, const uint8_t *data, size_t len,
	       struct rb_scn_result *res, struct rb_error *err)
{
	char *workload[] = { s->payload, "scenario", NULL };
	uint32_t seq;
	int rc;

	memset(res, 0, sizeof(*res));
	rb_scn_decode(data, len, &res->prog);
	res->persistent = s->o.persistent;
	if (res->prog.start != RB_SCN_START_APP)
		return run_exec_failure(s, res, err);
	if (!s->up) {
		rc = sandbox_up(s, workload, true, res, err);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	} else {
		await_idle(s);
	}
	if (s->app_start_pending) {
		res->app_start_seen = true;
		res->app_start_blocked = s->ch->sigmask;
		res->app_start_ignored = s->ch->sigignored;
		s->app_start_pending = false;
	}
	res->app_nspid = s->app_nspid;
	res->app_host = s->app_host;
	res->pid1_host = s->sb.pid1;
	unwatch_procs(s);
	memset(s->sh->procs, 0, sizeof(s->sh->procs));
	s->sh->nevents = 0;
	s->sh->t_started_ns = s->sh->t_ops_done_ns = 0;
	clear_log(s->ch);
	s->sh->program_len = (uint32_t)(len < RB_SCN_MAX_BYTES ? len : RB_SCN_MAX_BYTES);
	memcpy(s->sh->program, data, s->sh->program_len);
	res->ran = true;
	res->t_input_ns = rb_now_ns();
	seq = ++s->input_seq;
	__atomic_store_n(&s->sh->input_seq, seq, __ATOMIC_RELEASE);
	futex_wake(&s->sh->input_seq);
	rc = drive(s, res, seq, err);
	copy_out(s, res);
	if (rc < 0) {
		rb_sandbox_signal(&s->sb, SIGKILL);
		sandbox_down(s, NULL);
		return -1;
	}
	end_sandbox(s, res, seq);
	return 0;
}

void rb_scn_result_free(struct rb_scn_result *res)
{
	free(res->sigs);
	res->sigs = NULL;
	res->nsigs = 0;
}

int rb_scn_proc_of(const struct rb_scn_result *res, pid_t pid)
{
	if (pid <= 0)
		return -1;
	for (int i = 0; i < res->prog.nprocs && i < RB_SCN_MAX_PROCS; i++)
		if (res->slots[i].pid == pid)
			return i;
	return -1;
}
