/* The storm engine: shared state, spawning, the observer. See storm.h. */
#include "storm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
/* Room for stdio, the channel, the pipe, epoll and what the init left open. */
#define FD_SLACK 32
/* The observer's tag for the root's pidfd (sample indices are below 2^32). */
#define ROOT_TAG UINT64_MAX
/* Population samples when the harness gave no room for them. */
#define PRIVATE_POP_CAP 1024u
#define POP_INTERVAL_NS NS_PER_MS
/* Monitoring off: pids counted per poll (a descriptor each, briefly;
 * fewer where RLIMIT_NOFILE is tighter). */
#define COUNT_BATCH 256u

/* One spawner's counters, a cache line of their own: spawners on other
 * CPUs never write the same line. Slot 0 is the root's, and every
 * spawning storm process's (chain, tree), which claim with atomics. */
struct storm_counts {
	uint32_t claimed;      /* sample indices handed out (may pass the budget) */
	uint32_t spawned;
	uint32_t failed;
	int32_t first_errno;
	int64_t t_last_spawn;  /* the end of the latest clone, success or not */
} __attribute__((aligned(64)));

/* Shared by every storm process, whatever the spawn method: a fork child
 * has its own copy of everything else. */
struct storm_shared {
	struct storm_counts cnt[RB_SPAWNERS_MAX];
	uint32_t thread_failed;
	int32_t watch_errno;   /* epoll_ctl failed somewhere */
	int64_t t_root_exit;
	int pidfds[];          /* per sample */
};

struct storm {
	const struct storm_pattern *pat;
	struct storm_opts o;
	struct rb_channel *ch;
	struct rb_storm_sample *samples;
	struct rb_storm_pop *pops;
	uint32_t cap;          /* samples: the budget */
	uint32_t pop_cap;
	unsigned long extra;   /* extra stacks per process */
	struct storm_shared *sh;
	size_t sh_len;
	void *private_area;    /* samples and population when the channel has no room */
	size_t private_len;
	struct rb_stack_pool pool;
	struct storm_proc *procs;
	struct storm_proc root;
	struct rb_spawner spawner; /* the root's stack */
	/* The spawners (storm_opts.spawners; 1 for a pattern that spawns from
	 * its own processes): the root is spawner 0, the others threads of it. */
	unsigned nspawners;
	struct storm_spawner *spawners;
	int *cpus;             /* the CPUs we may run on, ascending */
	unsigned ncpus;
	bool pinned;           /* the spawners are pinned (not for a burst: see setup_spawners) */
	cpu_set_t ours;        /* the CPUs we may run on */
	uint32_t go;           /* the spawners' barrier: 1 releases them (futex) */
	uint32_t done;         /* 1: every share made; the threads may exit (futex) */
	uint32_t finished;     /* spawners whose share is made */
	unsigned started;      /* spawners running (the root and the threads started) */
	uint32_t ready;        /* spawner threads started (and pinned) and waiting */
	unsigned spawners_ran; /* spawners that ran in parallel (the root's count) */
	void (*work)(struct storm_spawner *sp); /* what each spawner runs */
	int epoll_fd;
	/* A pidfd per storm process, for the observer's epoll: only when it
	 * watches. Made in the one descriptor table every spawner shares,
	 * they cost more than the clone itself (a storm without them spawns
	 * ~1.8x as fast here, one spawner or two). */
	bool pidfds;
	bool recycle;          /* pidfds closed at each reap: more processes than descriptors */
	int release[2];        /* released processes wait on [0]; closing [1] frees them */
	int main_pidfd;        /* ... or the observer's death */
};

/* ---- for the pattern bodies (raw calls only) ----------------------------- */

static long futex(uint32_t *addr, int op, uint32_t val, const struct timespec *timeout)
{
	return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

int64_t storm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call, no errno */
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

void storm_sleep_until(int64_t t_ns)
{
	struct timespec ts = { .tv_sec = t_ns / NS_PER_S, .tv_nsec = t_ns % NS_PER_S };

	while (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

void storm_sleep_ns(int64_t ns)
{
	if (ns > 0)
		storm_sleep_until(storm_now_ns() + ns);
}

const struct storm_opts *storm_options(const struct storm *s)
{
	return &s->o;
}

unsigned long storm_budget(const struct storm *s)
{
	return s->cap;
}

static void stamp_max(int64_t *slot, int64_t t)
{
	int64_t old = __atomic_load_n(slot, __ATOMIC_RELAXED);

	while (old < t && !__atomic_compare_exchange_n(slot, &old, t, true, __ATOMIC_RELEASE,
						       __ATOMIC_RELAXED))
		;
}

void storm_stamp_exit(struct storm *s, int32_t idx)
{
	/* The latest wins: a thread group exits with its last thread. */
	stamp_max(idx < 0 ? &s->sh->t_root_exit : &s->samples[idx].t_exit_ns, storm_now_ns());
}

void storm_set_sched(struct storm *s, long idx, int64_t t_ns)
{
	s->samples[idx].t_sched_ns = t_ns;
}

/* A spawn that failed with ERR, in counters C. */
static void count_failed(struct storm_counts *c, int err)
{
	int32_t none = 0;

	__atomic_compare_exchange_n(&c->first_errno, &none, err, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->failed, 1, __ATOMIC_RELEASE);
}

void storm_count_failure(struct storm *s, int err)
{
	uint32_t idx = __atomic_fetch_add(&s->sh->cnt[0].claimed, 1, __ATOMIC_RELAXED);

	if (idx < s->cap)
		count_failed(&s->sh->cnt[0], err);
}

void storm_count_failure_idx(struct storm_spawner *sp, unsigned long idx, int err)
{
	struct storm_counts *c = &sp->s->sh->cnt[sp->id];

	(void)idx; /* its sample keeps pid 0 */
	__atomic_fetch_add(&c->claimed, 1, __ATOMIC_RELAXED);
	count_failed(c, err);
}

void storm_count_thread_failure(struct storm *s)
{
	__atomic_fetch_add(&s->sh->thread_failed, 1, __ATOMIC_RELAXED);
}

void *storm_thread_stack(const struct storm *s, long idx, unsigned long k)
{
	return rb_stack_pool_top(&s->pool, s->cap + (size_t)idx * s->extra + k);
}

void storm_wait_release(const struct storm *s)
{
	struct pollfd fds[2] = {
		{ .fd = s->release[0], .events = POLLIN },
		{ .fd = s->main_pidfd, .events = POLLIN },
	};

	/* bounded: a bad fd would fail forever (errno may be a sibling's) */
	for (int i = 0; i < 1000 && syscall(SYS_ppoll, fds, 2, NULL, NULL, 0) < 0; i++)
		;
}

void storm_wait_exited(const struct storm *s, long idx)
{
	siginfo_t si;

	if (idx < 0 || idx >= (long)s->cap || s->samples[idx].pid <= 0)
		return;
	while (syscall(SYS_waitid, P_PID, s->samples[idx].pid, &si, WEXITED | WNOWAIT, NULL) < 0 &&
	       errno == EINTR)
		;
}

/* Every storm process starts here and stamps its exit last. */
static int proc_main(void *arg)
{
	struct storm_proc *p = arg;
	int rc;

	rc = p->body(p);

	storm_stamp_exit(p->s, p->idx);
	return rc;
}

/* Makes the process of sample IDX, claimed already, counted in C. */
static long spawn_claimed(struct storm *s, struct storm_counts *c, uint32_t idx, int32_t parent,
			  uint32_t depth, int (*body)(struct storm_proc *p))
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	struct storm_proc *p;
	int32_t none = 0;
	pid_t pid;

	p = &s->procs[idx];
	*p = (struct storm_proc){ .s = s, .body = body, .idx = (int32_t)idx, .depth = depth };
	s->samples[idx].parent = parent;
	s->sh->pidfds[idx] = -1;
	pid = rb_spawn_on(rb_stack_pool_top(&s->pool, idx), s->o.method, CLONE_FILES, proc_main, p,
			  s->pidfds ? &s->sh->pidfds[idx] : NULL);
	if (s->o.spawn_spin_ns > 0)
		for (int64_t until = storm_now_ns() + s->o.spawn_spin_ns; storm_now_ns() < until;)
			;
	stamp_max(&c->t_last_spawn, storm_now_ns());
	if (pid < 0) {
		count_failed(c, -pid);
		return -2;
	}
	s->samples[idx].pid = pid;
	/* Counted before it is watched: an event implies the count. */
	__atomic_fetch_add(&c->spawned, 1, __ATOMIC_RELEASE);
	if (s->o.no_monitor)
		return idx;
	ev.data.u64 = idx;
	/* Its creator is alive, so it cannot have been reaped yet; if it has
	 * exited already (vfork), the edge is reported at once. */
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->sh->pidfds[idx], &ev) < 0) {
		none = 0;
		__atomic_compare_exchange_n(&s->sh->watch_errno, &none, errno ? errno : EIO, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	return idx;
}

long storm_spawn(struct storm *s, int32_t parent, uint32_t depth, int (*body)(struct storm_proc *p))
{
	uint32_t idx = __atomic_fetch_add(&s->sh->cnt[0].claimed, 1, __ATOMIC_RELAXED);

	if (idx >= s->cap)
		return -1;
	return spawn_claimed(s, &s->sh->cnt[0], idx, parent, depth, body);
}

long storm_spawn_idx(struct storm_spawner *sp, unsigned long idx, int (*body)(struct storm_proc *p))
{
	struct storm_counts *c = &sp->s->sh->cnt[sp->id];

	if (idx >= sp->s->cap)
		return -1;
	__atomic_fetch_add(&c->claimed, 1, __ATOMIC_RELAXED);
	return spawn_claimed(sp->s, c, (uint32_t)idx, -1, 1, body);
}

/* ---- the spawners ------------------------------------------------------------ */

#define SPAWNER_THREAD_FLAGS                                                     \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |       \
	 CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

static void pin(const struct storm_spawner *sp)
{
	cpu_set_t one;

	if (sp->cpu < 0)
		return;
	CPU_ZERO(&one);
	CPU_SET(sp->cpu, &one);
	syscall(SYS_sched_setaffinity, 0, sizeof(one), &one);
}

/* Blocks until *WORD is nonzero (a private futex: threads of one mm). */
static void await_flag(uint32_t *word)
{
	while (!__atomic_load_n(word, __ATOMIC_ACQUIRE))
		futex(word, FUTEX_WAIT_PRIVATE, 0, NULL);
}

static void raise_flag(uint32_t *word)
{
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
}

/* A spawner's share is made: it goes back to every CPU of ours (it only
 * waits from here on, and a sleeper pinned to one CPU can be left there:
 * setup_spawners), and the last one to finish lets all go. */
static void finish(struct storm *s)
{
	if (s->pinned)
		syscall(SYS_sched_setaffinity, 0, sizeof(s->ours), &s->ours);
	if (__atomic_add_fetch(&s->finished, 1, __ATOMIC_ACQ_REL) == s->started)
		raise_flag(&s->done);
	else
		await_flag(&s->done);
}

/* A spawner thread: pins itself (unless a burst's), says it is ready, waits for the go, makes
 * its share, and stays until every share is made: the pids the storm
 * holds at its peak are then the same in every run (N + the spawners). */
static int spawner_thread(void *arg)
{
	struct storm_spawner *sp = arg;
	struct storm *s = sp->s;

	pin(sp);
	__atomic_fetch_add(&s->ready, 1, __ATOMIC_RELEASE);
	futex(&s->ready, FUTEX_WAKE_PRIVATE, 1, NULL);
	await_flag(&s->go);
	s->work(sp);
	finish(s);
	return 0; /* glibc's clone ends a thread with exit, not exit_group */
}

/* Starts spawners 1..N-1 as threads of the root; returns how many spawners
 * there are now, the root included (fewer if a clone failed). */
static unsigned start_spawner_threads(struct storm *s)
{
	unsigned j;

	for (j = 1; j < s->nspawners; j++) {
		struct storm_spawner *sp = &s->spawners[j];
		void *stack = rb_stack_pool_top(&s->pool, (size_t)s->cap * (1 + s->extra) + j);

		if (clone(spawner_thread, stack, SPAWNER_THREAD_FLAGS, sp, &sp->tid, NULL,
			  &sp->tid) < 0)
			break;
	}
	return j;
}

/* Waits until every started thread has exited (the kernel zeroes its tid
 * word and wakes it: CLONE_CHILD_CLEARTID, not a private futex). */
static void join_spawner_threads(struct storm *s, unsigned started)
{
	for (unsigned j = 1; j < started; j++) {
		uint32_t tid;

		while ((tid = __atomic_load_n(&s->spawners[j].tid, __ATOMIC_ACQUIRE)) != 0)
			futex(&s->spawners[j].tid, FUTEX_WAIT, tid, NULL);
	}
}

void storm_run_spawners(struct storm *s, void (*work)(struct storm_spawner *sp))
{
	unsigned started, ready;
	int64_t t_go;

	s->work = work;
	started = start_spawner_threads(s);
	pin(&s->spawners[0]);
	while ((ready = __atomic_load_n(&s->ready, __ATOMIC_ACQUIRE)) < started - 1)
		futex(&s->ready, FUTEX_WAIT_PRIVATE, ready, NULL);
	t_go = storm_now_ns();
	for (unsigned j = 0; j < s->nspawners; j++)
		s->spawners[j].t_go = t_go;
	s->started = started; /* read by the threads after the go */
	raise_flag(&s->go);
	work(&s->spawners[0]);
	/* the shares of threads that could not be started: the root's */
	for (unsigned j = started; j < s->nspawners; j++)
		work(&s->spawners[j]);
	finish(s);
	join_spawner_threads(s, started);
	s->spawners_ran = started;
}

/* Every spawner's counters added up (slot 0 included). */
static struct storm_counts totals(const struct storm *s)
{
	struct storm_counts t = { 0 };

	for (unsigned j = 0; j < (s->nspawners ? s->nspawners : 1); j++) {
		const struct storm_counts *c = &s->sh->cnt[j];
		int64_t last = __atomic_load_n(&c->t_last_spawn, __ATOMIC_RELAXED);

		t.claimed += __atomic_load_n(&c->claimed, __ATOMIC_ACQUIRE);
		t.failed += __atomic_load_n(&c->failed, __ATOMIC_ACQUIRE);
		t.spawned += __atomic_load_n(&c->spawned, __ATOMIC_ACQUIRE);
		if (!t.first_errno)
			t.first_errno = __atomic_load_n(&c->first_errno, __ATOMIC_RELAXED);
		if (last > t.t_last_spawn)
			t.t_last_spawn = last;
	}
	return t;
}

/* ---- set-up ---------------------------------------------------------------- */

static int fail_with(char *msg, size_t len, int status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_with(char *msg, size_t len, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return status;
}

/* Raises the soft RLIMIT_NOFILE to the hard one: one pidfd per process.
 * A pattern whose processes come and go (recycles_fds) may make more than
 * that: each pidfd is closed at its reap (s->recycle), and a spawn that
 * finds no free descriptor fails (EMFILE) and is counted. */
static int ensure_fds(struct storm *s, unsigned long n, char *msg, size_t len)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail_with(msg, len, 4, "getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fail_with(msg, len, 4, "getrlimit: %s", strerror(errno));
	if (!s->pidfds)
		return 0;
	if (n + FD_SLACK > rl.rlim_cur && s->pat->recycles_fds) {
		s->recycle = true;
		return 0;
	}
	if (n + FD_SLACK > rl.rlim_cur)
		return fail_with(msg, len, 2, "%lu processes need %lu file descriptors (a pidfd each); "
				 "RLIMIT_NOFILE allows %llu", n, n + FD_SLACK,
				 (unsigned long long)rl.rlim_cur);
	return 0;
}

static void *map_shared(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

/* Samples and population in the channel when the harness made room for
 * them, in a private shared mapping otherwise (nobody reads them then). */
static int place_samples(struct storm *s, size_t ch_len)
{
	struct rb_storm_block *b = &s->ch->storm;
	bool room = b->sample_cap >= s->cap &&
		    ch_len >= rb_channel_size(b->sample_cap, b->pop_cap);

	if (room) {
		s->samples = rb_channel_samples(s->ch);
		memset(s->samples, 0, (size_t)s->cap * sizeof(*s->samples));
		b->samples_kept = 1;
	}
	if (room && b->pop_cap > 0) {
		s->pops = rb_channel_pops(s->ch);
		s->pop_cap = b->pop_cap;
	}
	s->private_len = (room ? 0 : (size_t)s->cap * sizeof(*s->samples)) +
			 (s->pops ? 0 : PRIVATE_POP_CAP * sizeof(*s->pops));
	if (s->private_len == 0)
		return 0;
	s->private_area = map_shared(s->private_len);
	if (!s->private_area)
		return -errno;
	if (!room)
		s->samples = s->private_area;
	if (!s->pops) {
		s->pops = (struct rb_storm_pop *)((char *)s->private_area + s->private_len -
						  PRIVATE_POP_CAP * sizeof(*s->pops));
		s->pop_cap = PRIVATE_POP_CAP;
	}
	return 0;
}

/* The spawners: how many (a pattern that is not parallel has one), the CPUs
 * they are pinned to (ours, in order; none with one spawner), their shares.
 * A burst's spawners are not pinned: their processes, which inherit the
 * spawner's CPU, sleep until the release, and a sleeper pinned to one CPU
 * cannot be moved off it if that CPU stops running its task group. Seen
 * on 6.18 under stress-ng --switch: 100 released, then SIGKILLed, burst
 * processes runnable and not run for minutes, the sandbox's PID 1 stuck
 * in its namespace's teardown (docs/storms.md, which also measures the
 * cost: unpinned spawners about as fast, unpinning each process slower). */
static int setup_spawners(struct storm *s)
{
	unsigned n = s->pat->parallel && s->o.spawners > 1 ? s->o.spawners : 1;

	if (n > RB_SPAWNERS_MAX)
		n = RB_SPAWNERS_MAX;
	if (sched_getaffinity(0, sizeof(s->ours), &s->ours) < 0)
		return -errno;
	s->cpus = calloc(CPU_SETSIZE, sizeof(*s->cpus));
	s->spawners = calloc(n, sizeof(*s->spawners));
	if (!s->cpus || !s->spawners)
		return -ENOMEM;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &s->ours))
			s->cpus[s->ncpus++] = c;
	s->nspawners = n;
	s->spawners_ran = 1;
	s->pinned = n > 1 && s->ncpus > 0 && !s->pat->released;
	for (unsigned j = 0; j < n; j++) {
		struct storm_spawner *sp = &s->spawners[j];

		*sp = (struct storm_spawner){ .s = s, .id = j, .n = n, .cpu = -1 };
		if (s->pinned)
			sp->cpu = rb_share_cpu(s->cpus, s->ncpus, j);
		rb_share_range(s->cap, n, j, &sp->first, &sp->len);
	}
	return 0;
}

static int setup(struct storm *s, size_t ch_len, char *msg, size_t len)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	size_t stacks;
	int rc, err;

	/* SIG_IGN or SA_NOCLDWAIT from the init would have the kernel reap our
	 * children instead of the init (the storm processes copy it). */
	sigaction(SIGCHLD, &dfl, NULL);
	s->release[0] = s->release[1] = s->main_pidfd = s->epoll_fd = -1;
	s->pidfds = !s->o.no_monitor;
	rc = ensure_fds(s, s->cap, msg, len);
	if (rc)
		return rc;
	if ((err = place_samples(s, ch_len)) < 0)
		return fail_with(msg, len, 4, "mapping the samples: %s", strerror(-err));
	s->sh_len = sizeof(*s->sh) + (size_t)s->cap * sizeof(int);
	s->sh = map_shared(s->sh_len);
	s->procs = calloc(s->cap ? s->cap : 1, sizeof(*s->procs));
	if (!s->sh || !s->procs)
		return fail_with(msg, len, 4, "out of memory for %u processes", s->cap);
	if ((err = setup_spawners(s)) < 0)
		return fail_with(msg, len, 4, "setting up the spawners: %s", strerror(-err));
	/* a thread stack per spawner besides the root, after the processes' */
	stacks = (size_t)s->cap * (1 + s->extra) + s->nspawners;
	if ((err = rb_stack_pool_init(&s->pool, stacks, 0)) < 0)
		return fail_with(msg, len, 4, "mapping %zu stacks: %s", stacks, strerror(-err));
	rb_spawner_init(&s->spawner, 0);
	s->main_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (s->main_pidfd < 0)
		return fail_with(msg, len, 4, "pidfd_open: %s", strerror(errno));
	if (pipe2(s->release, O_CLOEXEC) < 0)
		return fail_with(msg, len, 4, "pipe: %s", strerror(errno));
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epoll_fd < 0)
		return fail_with(msg, len, 4, "epoll_create1: %s", strerror(errno));
	return 0;
}

/* ---- the harness's probes of PID 1 ------------------------------------------ */

/* Announce PHASE; with a harness that probes (probe_ms > 0), wait until it
 * has (its ack), at most probe_ms. Not FUTEX_PRIVATE: the harness maps
 * the same file. */
static void phase(struct rb_channel *ch, uint32_t ph)
{
	int64_t until = storm_now_ns() + (int64_t)ch->storm.probe_ms * NS_PER_MS, left;
	uint32_t ack;

	__atomic_store_n(&ch->storm.phase, ph, __ATOMIC_RELEASE);
	futex(&ch->storm.phase, FUTEX_WAKE, INT_MAX, NULL);
	while (ch->storm.probe_ms > 0) {
		ack = __atomic_load_n(&ch->storm.probe_ack, __ATOMIC_ACQUIRE);
		left = until - storm_now_ns();
		if (ack >= ph || left <= 0)
			return;
		futex(&ch->storm.probe_ack, FUTEX_WAIT, ack,
		      &(struct timespec){ .tv_sec = left / NS_PER_S, .tv_nsec = left % NS_PER_S });
	}
}

/* ---- the root --------------------------------------------------------------- */

static int root_body(struct storm_proc *p)
{
	return p->s->pat->root(p->s);
}

/* ---- the observer ----------------------------------------------------------- */

struct observer {
	pid_t root_pid;
	int root_pidfd;
	bool root_done, released;
	int64_t t_release_at, t_released, t_last_exit, t_last_reap, t_next_pop, t_all_reaped;
	int64_t t_progress;    /* the last event or change of a spawn counter */
	uint32_t last_claimed, last_settled;
	uint32_t exited, reaped, coalesced, zombies_peak, live_peak;
	uint64_t wakeups;
	struct pollfd *polls;  /* monitoring off: COUNT_BATCH of them */
};

static void pop_sample(struct storm *s, struct observer *ob, int64_t t)
{
	struct rb_storm_block *b = &s->ch->storm;
	struct storm_counts tot = totals(s);
	uint32_t n = b->npop, spawned = tot.spawned;

	if (n == s->pop_cap) { /* full: keep every other one, sample half as often */
		for (uint32_t i = 0; i < n / 2; i++)
			s->pops[i] = s->pops[2 * i];
		n /= 2;
		b->pop_interval_ns *= 2;
	}
	s->pops[n] = (struct rb_storm_pop){
		.t_ns = t, .zombies = ob->exited - ob->reaped, .live = spawned - ob->exited,
		.reaped = ob->reaped, .failed = tot.failed,
	};
	__atomic_store_n(&b->npop, n + 1, __ATOMIC_RELEASE);
	ob->t_next_pop = t + b->pop_interval_ns;
}

static void on_event(struct storm *s, struct observer *ob, const struct epoll_event *e, int64_t t)
{
	struct rb_storm_sample *smp;
	uint64_t idx = e->data.u64;
	bool fresh = false;

	if (idx == ROOT_TAG) {
		if (!ob->root_done && (e->events & EPOLLIN)) {
			/* its children were reparented under the same lock that
			 * made it a zombie: they are PID 1's from now */
			s->ch->storm.t_root_exit_seen_ns = t;
			while (waitpid(ob->root_pid, NULL, __WALL) < 0 && errno == EINTR)
				;
			close(ob->root_pidfd); /* also leaves the epoll set */
			ob->root_done = true;
			ob->t_release_at = t + s->o.hold_ns;
			/* self-timed processes (daemon) are due after the hold */
			if (!s->pat->released)
				ob->t_released = t + s->o.hold_ns;
		}
		return;
	}
	smp = &s->samples[idx];
	if (smp->t_exit_seen_ns == 0) {
		smp->t_exit_seen_ns = t;
		ob->exited++;
		ob->t_last_exit = t;
		fresh = true;
	}
	if ((e->events & EPOLLHUP) && smp->t_reap_seen_ns == 0) {
		smp->t_reap_seen_ns = t;
		ob->reaped++;
		ob->t_last_reap = t;
		ob->coalesced += fresh;
		/* closed after the storm: an edge-triggered pidfd reports no
		 * more after its reap, and a close now would be the observer's
		 * cost inside the drain it measures; unless the descriptors
		 * would run out (recorded: storm.fds_recycled) */
		if (s->recycle) {
			close(s->sh->pidfds[idx]);
			s->sh->pidfds[idx] = -1;
		}
	}
}

static int ms_until(int64_t t, int64_t now)
{
	int64_t ms = (t - now + NS_PER_MS - 1) / NS_PER_MS;

	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Counts the exits and reaps among K pidfds (POLLIN: exited, POLLHUP:
 * reaped meanwhile), closing them. */
static void count_polled(struct observer *ob, uint32_t k)
{
	if (poll(ob->polls, k, 0) > 0)
		for (uint32_t i = 0; i < k; i++) {
			ob->exited += (ob->polls[i].revents & (POLLIN | POLLHUP)) != 0;
			ob->reaped += (ob->polls[i].revents & POLLHUP) != 0;
		}
	for (uint32_t i = 0; i < k; i++)
		close(ob->polls[i].fd);
}

/* A pid pidfd_open refused with ERR: ESRCH, reaped. Otherwise (no
 * descriptor left, no memory) a pid that is gone was reaped, and one that
 * is there counts as neither, its state unknown. */
static void count_unopened(struct observer *ob, pid_t pid, int err)
{
	if (err == ESRCH || (kill(pid, 0) < 0 && errno == ESRCH)) {
		ob->exited++;
		ob->reaped++;
	}
}

/* Monitoring off (no pidfds were made): the exits and reaps as the pids
 * show them now. A pidfd opened by pid polls POLLIN once its process
 * exited, and the open fails with ESRCH once it was reaped. Nothing else
 * makes processes in the sandbox's fresh pid namespace meanwhile; where
 * the storm's own processes reused a pid (a stream longer than the pid
 * space), the pid is the latest sample's, and every earlier holder was
 * reaped before it could come back: walked from the last sample down, a
 * pid seen already counts as reaped. (A system call or two per process:
 * called once at the end when the harness watches the drain, every 20 ms
 * when nobody does, the payload run by hand.) */
static void count_pids(struct storm *s, struct observer *ob)
{
	uint8_t *seen;
	pid_t top = 0;
	uint32_t k = 0;

	ob->exited = ob->reaped = 0;
	for (uint32_t i = 0; i < s->cap; i++)
		if (s->samples[i].pid > top)
			top = s->samples[i].pid;
	seen = calloc((size_t)top / 8 + 1, 1);
	if (!seen)
		return;
	for (uint32_t i = s->cap; i-- > 0;) {
		pid_t pid = s->samples[i].pid;
		int fd;

		if (pid <= 0)
			continue;
		if (seen[pid / 8] & (1u << (pid % 8))) {
			ob->exited++;
			ob->reaped++;
			continue;
		}
		seen[pid / 8] |= (uint8_t)(1u << (pid % 8));
		fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (fd < 0 && errno == EMFILE && k > 0) { /* a tight RLIMIT_NOFILE */
			count_polled(ob, k);
			k = 0;
			fd = (int)syscall(SYS_pidfd_open, pid, 0);
		}
		if (fd >= 0)
			ob->polls[k++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		else
			count_unopened(ob, pid, errno);
		if (k == COUNT_BATCH) {
			count_polled(ob, k);
			k = 0;
		}
	}
	count_polled(ob, k);
	free(seen);
}

/* Monitoring off, every storm process made: wait for the harness to see
 * the pids back where they were (it polls the cgroup from outside), or,
 * with nobody watching, count every 20 ms. Give up --wait-reaped-ms after
 * the last progress. Nothing here wakes per reap. */
static void await_drain(struct storm *s, struct observer *ob, uint32_t spawned)
{
	struct rb_storm_block *b = &s->ch->storm;
	bool watched = __atomic_load_n(&b->drain_watch, __ATOMIC_ACQUIRE);
	int64_t step = watched ? s->o.wait_ns : 20 * NS_PER_MS, progress = storm_now_ns(), t, left;
	uint32_t last = 0;

	for (;;) {
		t = storm_now_ns();
		if (watched && !__atomic_load_n(&b->drained, __ATOMIC_ACQUIRE)) {
			left = progress + step - t;
			if (left > 0)
				futex(&b->drained, FUTEX_WAIT, 0, &(struct timespec){
					.tv_sec = left / NS_PER_S, .tv_nsec = left % NS_PER_S });
		} else if (!watched) {
			storm_sleep_ns(step);
		}
		count_pids(s, ob);
		__atomic_store_n(&s->ch->reaped, ob->reaped, __ATOMIC_RELAXED);
		t = storm_now_ns();
		if (ob->reaped == spawned)
			return;
		if (ob->reaped != last) {
			last = ob->reaped;
			progress = t;
		}
		if (t >= progress + s->o.wait_ns)
			return;
		if (watched && __atomic_load_n(&b->drained, __ATOMIC_ACQUIRE))
			storm_sleep_ns(NS_PER_MS); /* the pidfds lag the cgroup by a hair */
	}
}

/* Watches until every process made was reaped, or --wait-reaped-ms after
 * the last exit (and the release). When we are PID 1 ourselves, nobody else
 * can reap: we stop once all have exited. */
static int observe(struct storm *s, struct observer *ob, bool we_are_pid1)
{
	struct epoll_event ev[512];
	int64_t t, wake;
	int n;

	ob->released = !s->pat->released;
	ob->t_next_pop = ob->t_progress = storm_now_ns();
	for (;;) {
		struct storm_counts tot = totals(s);
		uint32_t claimed = tot.claimed, spawned = tot.spawned, failed = tot.failed;
		bool settled;

		t = storm_now_ns();
		if (ob->exited - ob->reaped > ob->zombies_peak)
			ob->zombies_peak = ob->exited - ob->reaped;
		if (spawned - ob->exited > ob->live_peak)
			ob->live_peak = spawned - ob->exited;
		if (t >= ob->t_next_pop && !s->o.no_monitor)
			pop_sample(s, ob, t);
		if (ob->root_done && !ob->released && t >= ob->t_release_at) {
			ob->t_released = storm_now_ns();
			close(s->release[1]);
			s->release[1] = -1;
			ob->released = true;
		}
		/* Nobody can make more: the root is gone and every claim settled. */
		settled = ob->root_done && ob->released &&
			  spawned + failed == (claimed < s->cap ? claimed : s->cap);
		if (settled && s->o.no_monitor) {
			await_drain(s, ob, spawned);
			break;
		}
		if (settled && ob->reaped == spawned) {
			ob->t_all_reaped = ob->reaped ? ob->t_last_reap : 0;
			break;
		}
		if (settled && we_are_pid1 && ob->exited == spawned)
			break;
		if (claimed != ob->last_claimed || spawned + failed != ob->last_settled) {
			ob->last_claimed = claimed;
			ob->last_settled = spawned + failed;
			ob->t_progress = t;
		}
		wake = s->o.no_monitor ? t + NS_PER_S : ob->t_next_pop;
		if (ob->root_done && !ob->released && ob->t_release_at < wake)
			wake = ob->t_release_at;
		/* Once released, wait --wait-reaped-ms after the last sign of life
		 * (an exit, a reap, a spawn): for the reaps, and for claims that
		 * never settle (a storm process that died while it spawned). */
		if (ob->root_done && ob->released) {
			int64_t from = ob->t_released > ob->t_progress ? ob->t_released : ob->t_progress;

			if (t >= from + s->o.wait_ns) {
				s->ch->storm.unsettled = (claimed < s->cap ? claimed : s->cap) -
							 (spawned + failed);
				break;
			}
			if (from + s->o.wait_ns < wake)
				wake = from + s->o.wait_ns;
		}
		n = epoll_wait(s->epoll_fd, ev, sizeof(ev) / sizeof(ev[0]), ms_until(wake, t));
		t = storm_now_ns();
		if (n < 0 && errno != EINTR)
			return -errno;
		ob->wakeups += n > 0;
		if (n > 0)
			ob->t_progress = t;
		for (int k = 0; k < n; k++)
			on_event(s, ob, &ev[k], t);
		__atomic_store_n(&s->ch->reaped, ob->reaped, __ATOMIC_RELAXED);
		/* Let the next events gather (see storm_opts.resolution_ns). A
		 * full batch means more are waiting: take them now. */
		if (n > 0 && n < (int)(sizeof(ev) / sizeof(ev[0])) && s->o.resolution_ns > 0)
			storm_sleep_until(t + s->o.resolution_ns);
	}
	return 0;
}

/* ---- the run ---------------------------------------------------------------- */

/* The observer must see each exit and reap when it happens, not when the
 * storm's crowd of runnable processes lets it run: it runs SCHED_FIFO when
 * allowed (root outside a user namespace). SCHED_RESET_ON_FORK keeps the
 * storm processes, which it does not make but shares an ancestry with,
 * SCHED_OTHER. Without it the coalesced count in the channel shows what
 * was missed. */
static void observer_priority(struct rb_channel *ch, bool on)
{
	struct sched_param rt = { .sched_priority = 1 }, other = { .sched_priority = 0 };

	if (on) {
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &rt) == 0)
			ch->storm.observer_rt = 1;
		else
			ch->storm.observer_errno = errno;
	} else if (ch->storm.observer_rt) {
		sched_setscheduler(0, SCHED_OTHER, &other);
	}
}

/* Bit c: a spawner ran pinned to CPU c (< 32); 0: none pinned. */
static uint32_t spawner_cpu_mask(const struct storm *s)
{
	uint32_t mask = 0;

	for (unsigned j = 0; s->pinned && j < s->spawners_ran; j++)
		if (s->spawners[j].cpu >= 0 && s->spawners[j].cpu < 32)
			mask |= 1u << s->spawners[j].cpu;
	return mask;
}

static void publish(struct storm *s, const struct observer *ob, struct storm_report *rep)
{
	struct rb_channel *ch = s->ch;
	struct rb_storm_block *b = &ch->storm;
	struct storm_counts tot = totals(s);
	struct rusage ru;

	rep->spawned = tot.spawned;
	rep->failed = tot.failed;
	rep->spawn_errno = tot.first_errno;
	rep->spawners = s->spawners_ran;
	rep->reaped = ob->reaped;
	rep->exited = ob->exited;
	rep->t_spawn_end = tot.t_last_spawn ? tot.t_last_spawn : s->sh->t_root_exit;
	rep->samples = s->samples;
	rep->t_released = s->pat->released ? ob->t_released : s->sh->t_root_exit;
	rep->t_all_reaped = ob->t_all_reaped;
	if (rep->spawned == 0 && ob->root_done)
		rep->t_all_reaped = rep->t_released;
	b->nsamples = tot.claimed < s->cap ? tot.claimed : s->cap;
	rep->nsamples = b->nsamples;
	b->t_last_spawn_ns = tot.t_last_spawn;
	ch->storm_spawners = s->spawners_ran;
	ch->storm_spawner_cpus = spawner_cpu_mask(s);
	b->thread_failed = s->sh->thread_failed;
	b->coalesced = ob->coalesced;
	b->zombies_peak = ob->zombies_peak;
	b->live_peak = ob->live_peak;
	b->t_root_exit_ns = s->sh->t_root_exit;
	b->t_end_ns = storm_now_ns();
	b->monitor_off = s->o.no_monitor;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		b->payload_rss_peak_kb = ru.ru_maxrss;
	ch->spawned = rep->spawned;
	ch->spawn_failed = rep->failed;
	ch->spawn_errno = rep->spawn_errno;
	ch->reaped = rep->reaped;
	ch->t_released_ns = rep->t_released;
	__atomic_store_n(&ch->t_all_reaped_ns, rep->t_all_reaped, __ATOMIC_RELEASE);
}

/* Frees what no storm process can still be using. */
static void teardown(struct storm *s, const struct observer *ob)
{
	bool quiet = ob->root_done && ob->exited == totals(s).spawned;

	if (s->release[1] >= 0)
		close(s->release[1]); /* whatever waits is let go */
	if (quiet) {
		for (uint32_t i = 0; i < s->cap; i++)
			if (s->samples[i].pid > 0 && s->sh->pidfds[i] >= 0)
				close(s->sh->pidfds[i]);
		rb_stack_pool_destroy(&s->pool);
		rb_spawner_destroy(&s->spawner);
		free(s->procs);
		free(s->spawners);
		free(s->cpus);
		close(s->release[0]);
		close(s->epoll_fd);
	}
	/* else: a storm process may still run on these; the exit frees them */
}

int storm_run(const struct storm_pattern *pat, const struct storm_opts *o, struct rb_channel *ch,
	      size_t ch_len, struct storm_report *rep, char *msg, size_t len)
{
	struct storm s = { .pat = pat, .o = *o, .ch = ch };
	struct observer ob = { .root_pidfd = -1 };
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ROOT_TAG };
	struct timespec cpu0, cpu1;
	int rc, err;

	memset(rep, 0, sizeof(*rep));
	rep->count = o->count;
	rep->we_are_pid1 = getpid() == 1;
	if (!(pat->methods & STORM_METHOD_BIT(o->method)))
		return fail_with(msg, len, 2, "%s cannot use --method %s", pat->name,
				 rb_spawn_method_name(o->method));
	s.cap = (uint32_t)(pat->planned ? pat->planned(o) : o->count);
	s.extra = pat->extra_stacks ? pat->extra_stacks(o) : 0;
	rc = setup(&s, ch_len, msg, len);
	if (rc)
		return rc;
	if (o->no_monitor && !(ob.polls = calloc(COUNT_BATCH, sizeof(*ob.polls))))
		return fail_with(msg, len, 4, "out of memory for %u pollfds", COUNT_BATCH);
	ch->storm.monitor_off = o->no_monitor;
	ch->storm.fds_recycled = s.recycle;
	snprintf(ch->storm.pattern, sizeof(ch->storm.pattern), "%s", pat->name);
	ch->storm.method = o->method;
	ch->storm.pop_interval_ns = POP_INTERVAL_NS;
	ch->storm.resolution_ns = o->resolution_ns;
	phase(ch, 1);
	s.root = (struct storm_proc){ .s = &s, .body = root_body, .idx = -1 };
	rep->t_spawn_start = ch->storm.t_start_ns = storm_now_ns();
	observer_priority(ch, true);
	ob.root_pid = rb_spawn_flags(&s.spawner, RB_SPAWN_CLONE_VM, CLONE_FILES, proc_main, &s.root,
				     &ob.root_pidfd);
	if (ob.root_pid < 0)
		return fail_with(msg, len, 4, "starting the generator: %s", strerror(-ob.root_pid));
	if (epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, ob.root_pidfd, &ev) < 0)
		return fail_with(msg, len, 4, "epoll_ctl: %s", strerror(errno));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	err = observe(&s, &ob, rep->we_are_pid1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	ch->storm.observer_cpu_ns = (cpu1.tv_sec - cpu0.tv_sec) * NS_PER_S + cpu1.tv_nsec - cpu0.tv_nsec;
	ch->storm.observer_wakeups = ob.wakeups;
	observer_priority(ch, false);
	publish(&s, &ob, rep);
	phase(ch, 2);
	teardown(&s, &ob);
	free(ob.polls);
	if (err < 0)
		return fail_with(msg, len, 4, "epoll_wait: %s", strerror(-err));
	if (s.sh->watch_errno)
		return fail_with(msg, len, 4, "epoll_ctl: %s", strerror(s.sh->watch_errno));
	return 0;
}
