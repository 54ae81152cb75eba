/* rb-payload scenario: the app of the scenario fuzzer. It interprets a
 * program (scenario.h) on a tree of processes it makes: it acts itself, or
 * posts the operation to the mailbox of the process that must act and waits
 * for the answer; what needs the harness it asks for (scenario_wire.h).
 *
 * The processes of the program ("members") run a mailbox loop. A clone-vm
 * member shares this image's memory and thread-local storage (errno), and
 * a fork member runs on glibc's copy without its fork bookkeeping: code
 * that members run keeps to raw system calls, atomics and glibc's thin
 * wrappers (sigaction, clone); no malloc, no stdio, no locks. A vfork-exec
 * member runs `rb-payload scenario-member N`, an image of its own.
 *
 * Every process logs every signal it gets into the channel's log (as
 * signal-recorder does), unless the program changed that signal's
 * disposition. */
#include "payload_scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "procfs.h"
#include "scenario.h"
#include "scenario_wire.h"
#include "signames.h"
#include "spawn.h"

#define NS_PER_S 1000000000LL
#define NS_PER_MS 1000000LL
#define MAX_THREADS 3
#define STACK_SIZE (32 * 1024)
/* a stack per process, and per thread of a THREADS operation */
#define POOL_STACKS (RB_SCN_MAX_PROCS * (1 + MAX_THREADS))
#define EXIT_NO_EFFECT 125
#define BIT(sig) (1ull << ((sig) - 1))
#define MISSING_FILE "/nonexistent/reapbench-scenario"
#define NOEXEC_FILE "/etc/passwd"

extern char **environ;

/* What one process image of the program works with. A clone-vm member
 * shares its creator's; a fork member has a copy, whose pointers name the
 * same shared mappings; a vfork-exec member makes its own. */
struct member_arg {
	struct scn_image *img;
	int idx;
};

struct scn_image {
	struct rb_channel *ch;    /* the report channel: the signal log */
	struct rb_scn_shared *sh; /* the scenario area */
	struct rb_stack_pool pool;
	struct member_arg args[RB_SCN_MAX_PROCS];
	char path[256];           /* rb-payload, for vfork-exec */
};

/* The signal handler's way to the log: set once per image, before the
 * first handler is installed. */
static struct rb_channel *scn_chan;

/* ---- raw helpers (members run these) ---------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static long raw(long nr, long a, long b, long c, long d, long e)
{
	return syscall(nr, a, b, c, d, e);
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S };

	if (ns > 0)
		while (raw(SYS_nanosleep, (long)&ts, (long)&ts, 0, 0, 0) != 0)
			;
}

static void wake(uint32_t *w)
{
	raw(SYS_futex, (long)w, FUTEX_WAKE, INT_MAX, 0, 0);
}

/* Sleep while *W == VAL, at most TIMEOUT_NS (< 0: no bound). */
static void wait_word(uint32_t *w, uint32_t val, int64_t timeout_ns)
{
	struct timespec ts = { .tv_sec = timeout_ns / NS_PER_S, .tv_nsec = timeout_ns % NS_PER_S };

	raw(SYS_futex, (long)w, FUTEX_WAIT, val, timeout_ns >= 0 ? (long)&ts : 0, 0);
}

static void bump(uint32_t *w)
{
	__atomic_add_fetch(w, 1, __ATOMIC_RELEASE);
	wake(w);
}

static __attribute__((noreturn)) void exit_group_raw(int status)
{
	for (;;)
		raw(SYS_exit_group, status, 0, 0, 0, 0);
}

/* The log entry for one signal (as signal-recorder's handler writes it). */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	struct rb_channel *ch = scn_chan;
	/* the system call before the entry is claimed: a stop signal taken on
	 * its way back would leave a claimed entry unwritten */
	int32_t self = (int32_t)raw(SYS_getpid, 0, 0, 0, 0, 0);
	int64_t t = now_ns();
	struct rb_signal_entry *e;
	uint32_t i;

	(void)uc;
	i = __atomic_fetch_add(&ch->nsignals, 1, __ATOMIC_RELAXED);
	if (i >= RB_CHANNEL_MAX_SIGNALS)
		return;
	e = &ch->signals[i];
	e->t_ns = t;
	e->code = si->si_code;
	e->pid = si->si_pid;
	e->uid = (int32_t)si->si_uid;
	e->receiver = self;
	__atomic_store_n(&e->signo, sig, __ATOMIC_RELEASE);
}

/* Signals a disposition can be set for (glibc refuses its own 32 and 33). */
static bool settable(int sig)
{
	return sig != SIGKILL && sig != SIGSTOP && sig != 32 && sig != 33;
}

static int set_disposition(int sig, int disp)
{
	struct sigaction sa = { .sa_flags = SA_SIGINFO | SA_RESTART };

	if (disp == RB_SCN_HANDLE) {
		sa.sa_sigaction = on_signal;
		sigfillset(&sa.sa_mask); /* handlers do not nest: the log keeps delivery order */
	} else {
		sa.sa_flags = 0;
		sa.sa_handler = disp == RB_SCN_IGNORE ? SIG_IGN : SIG_DFL;
	}
	return sigaction(sig, &sa, NULL) == 0 ? 0 : -EINVAL;
}

static int set_mask(int how, uint64_t set)
{
	return raw(SYS_rt_sigprocmask, how, (long)&set, 0, sizeof(set), 0) == 0 ? 0 : -EINVAL;
}

/* The kernel's struct sigaction starts with the handler on the ABIs we build for. */
struct ksigaction {
	uintptr_t handler;
	unsigned long rest[7];
};

/* The process's own signal state into its slot, through raw calls. */
static void report_signal_state(struct rb_scn_slot *s)
{
	uint64_t blocked = 0, ign = 0, dfl = 0;
	struct ksigaction old;

	raw(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&blocked, sizeof(blocked), 0);
	for (int sig = 1; sig <= 64; sig++) {
		if (!settable(sig) || raw(SYS_rt_sigaction, sig, 0, (long)&old, 8, 0) != 0)
			continue;
		if (old.handler == (uintptr_t)SIG_IGN)
			ign |= BIT(sig);
		else if (old.handler == (uintptr_t)SIG_DFL)
			dfl |= BIT(sig);
	}
	s->blocked = blocked;
	s->ignored = ign;
	s->defaulted = dfl;
}

/* Who it is now, as its slot shows it. */
static void describe(struct rb_scn_slot *s)
{
	s->pid = (int32_t)raw(SYS_getpid, 0, 0, 0, 0, 0);
	s->ppid = (int32_t)raw(SYS_getppid, 0, 0, 0, 0, 0);
	s->pgid = (int32_t)raw(SYS_getpgid, 0, 0, 0, 0, 0);
	s->sid = (int32_t)raw(SYS_getsid, 0, 0, 0, 0, 0);
}

static void stamp_exit(struct rb_scn_slot *s)
{
	int64_t t = now_ns(), old = __atomic_load_n(&s->t_exit_ns, __ATOMIC_RELAXED);

	/* threads: the last one's stamp wins */
	while (t > old && !__atomic_compare_exchange_n(&s->t_exit_ns, &old, t, false,
						       __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

/* ---- a member's operations ---------------------------------------------- */

static int member_entry(void *arg);
static int exec_entry(void *arg);
static int daemon_mid(void *arg);

static void *stack_of(struct scn_image *img, int idx)
{
	return rb_stack_pool_top(&img->pool, (size_t)idx);
}

static void *thread_stack(struct scn_image *img, int idx, int k)
{
	return rb_stack_pool_top(&img->pool, (size_t)(RB_SCN_MAX_PROCS + idx * MAX_THREADS + k));
}

/* Prepare slot CHILD for a process that IDX makes: its starting signal
 * state is its creator's. */
static struct rb_scn_slot *prepare_child(struct scn_image *img, int idx, int child, int method)
{
	struct rb_scn_slot *me = &img->sh->procs[idx], *c = &img->sh->procs[child];

	c->creator = idx;
	c->fd_holder = idx;
	c->method = method;
	c->pidfd_in_creator = -1;
	c->end_code = -1;
	c->blocked = me->blocked;
	c->ignored = me->ignored;
	c->defaulted = me->defaulted;
	img->args[child] = (struct member_arg){ .img = img, .idx = child };
	return c;
}

/* Until the new process reported itself; false if it ended first (a
 * vfork-exec whose exec failed) or TIMEOUT passed. */
static bool await_live(struct rb_scn_slot *c, int pidfd, int64_t timeout_ns)
{
	int64_t end = now_ns() + timeout_ns;

	while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) == RB_SCN_P_NONE) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int64_t left = end - now_ns();

		if (left <= 0 || (pidfd >= 0 && poll(&p, 1, 0) > 0))
			return false;
		wait_word((uint32_t *)&c->state, RB_SCN_P_NONE, left < NS_PER_MS ? left : NS_PER_MS);
	}
	return true;
}

static int do_spawn(struct scn_image *img, int idx, int child, int method)
{
	struct rb_scn_slot *c = prepare_child(img, idx, child, method);
	static const enum rb_spawn_method how[RB_SCN_NMETHODS] = {
		[RB_SCN_CLONE_VM] = RB_SPAWN_CLONE_VM, [RB_SCN_VFORK_EXEC] = RB_SPAWN_VFORK,
		[RB_SCN_FORK] = RB_SPAWN_FORK,
	};
	int pidfd = -1;
	pid_t pid;

	pid = rb_spawn_on(stack_of(img, child), how[method], 0,
			  method == RB_SCN_VFORK_EXEC ? exec_entry : member_entry, &img->args[child],
			  &pidfd);
	if (pid < 0) {
		__atomic_store_n(&c->state, RB_SCN_P_FAILED, __ATOMIC_RELEASE);
		return pid;
	}
	c->t_spawned_ns = now_ns();
	c->pid = pid;
	c->pidfd_in_creator = pidfd;
	/* a vfork-exec child has exec'd (we were suspended until then): wait
	 * until it runs its mailbox, or ended on a failed exec; the others
	 * are waited for when the app first posts to them */
	if (method == RB_SCN_VFORK_EXEC && !await_live(c, pidfd, img->sh->ack_timeout_ns))
		return -ETIMEDOUT;
	return 0;
}

/* DAEMON: IDX makes MID (sharing IDX's fd table, so that the daemon's
 * pidfd stays reachable after MID is gone), MID makes the daemon and exits,
 * IDX reaps MID: the daemon, in a session of its own, is PID 1's. */
static int do_daemon(struct scn_image *img, int idx, int mid)
{
	struct rb_scn_slot *m = prepare_child(img, idx, mid, RB_SCN_CLONE_VM), *d;
	siginfo_t si;
	int pidfd = -1;
	pid_t pid;

	pid = rb_spawn_on(stack_of(img, mid), RB_SPAWN_CLONE_VM, CLONE_FILES, daemon_mid,
			  &img->args[mid], &pidfd);
	if (pid < 0) {
		__atomic_store_n(&m->state, RB_SCN_P_FAILED, __ATOMIC_RELEASE);
		return pid;
	}
	m->t_spawned_ns = now_ns();
	m->pidfd_in_creator = pidfd;
	d = &img->sh->procs[mid + 1];
	if (!await_live(m, pidfd, img->sh->ack_timeout_ns) ||
	    !await_live(d, -1, img->sh->ack_timeout_ns))
		return -ETIMEDOUT;
	d->fd_holder = idx;
	/* the double fork's parent reaps the intermediate, as daemon(3) users do */
	return raw(SYS_waitid, P_PIDFD, pidfd, (long)&si, WEXITED, 0) == 0 ? 0 : -ECHILD;
}

static int daemon_entry(void *arg)
{
	raw(SYS_setsid, 0, 0, 0, 0, 0);
	return member_entry(arg);
}

static int daemon_mid(void *arg)
{
	struct member_arg *a = arg;
	struct scn_image *img = a->img;
	struct rb_scn_slot *m = &img->sh->procs[a->idx], *d;
	int pidfd = -1;
	pid_t pid;

	describe(m);
	__atomic_store_n(&m->state, RB_SCN_P_LIVE, __ATOMIC_RELEASE);
	wake((uint32_t *)&m->state);
	d = prepare_child(img, a->idx, a->idx + 1, RB_SCN_CLONE_VM);
	pid = rb_spawn_on(stack_of(img, a->idx + 1), RB_SPAWN_CLONE_VM, 0, daemon_entry,
			  &img->args[a->idx + 1], &pidfd);
	if (pid < 0) {
		__atomic_store_n(&d->state, RB_SCN_P_FAILED, __ATOMIC_RELEASE);
		wake((uint32_t *)&d->state);
	} else {
		d->t_spawned_ns = now_ns();
		d->pidfd_in_creator = pidfd;
		await_live(d, pidfd, img->sh->ack_timeout_ns);
	}
	m->end_code = 0;
	stamp_exit(m);
	return 0;
}

static int thread_entry(void *arg)
{
	struct rb_scn_slot *s = arg;

	sleep_ns(rb_scn_durations_ns[s->cmd_arg2 & 7]);
	stamp_exit(s);
	raw(SYS_exit, 0, 0, 0, 0, 0); /* this thread only */
	return 0;
}

#define THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

static int do_threads(struct scn_image *img, int idx, int k)
{
	struct rb_scn_slot *s = &img->sh->procs[idx];
	int made = 0;

	for (int i = 0; i < k && i < MAX_THREADS; i++)
		if (clone(thread_entry, thread_stack(img, idx, i), THREAD_FLAGS, s) > 0)
			made++;
	s->nthreads = made;
	return made ? 0 : -EAGAIN;
}

/* Reap what of its own children has exited; returns how many. */
static int do_wait(void)
{
	siginfo_t si;
	int n = 0;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (raw(SYS_waitid, P_ALL, 0, (long)&si, WEXITED | WNOHANG, 0) != 0 || si.si_pid == 0)
			return n;
		n++;
	}
}

static __attribute__((noreturn)) void do_exit(struct rb_scn_slot *s, int code)
{
	s->end_code = code;
	__atomic_store_n(&s->state, RB_SCN_P_ENDING, __ATOMIC_RELEASE);
	stamp_exit(s);
	exit_group_raw(code);
}

/* Dies of SIG; returns only if it had no effect (PID 1 of its namespace). */
static int do_kill_self(struct rb_scn_slot *s, int sig)
{
	s->end_code = 128 + sig;
	__atomic_store_n(&s->state, RB_SCN_P_ENDING, __ATOMIC_RELEASE);
	stamp_exit(s);
	if (settable(sig))
		set_disposition(sig, RB_SCN_DEFAULT);
	set_mask(SIG_UNBLOCK, BIT(sig));
	raw(SYS_kill, raw(SYS_getpid, 0, 0, 0, 0, 0), sig, 0, 0, 0);
	s->end_code = -1;
	__atomic_store_n(&s->state, RB_SCN_P_LIVE, __ATOMIC_RELEASE);
	return -EPERM;
}

/* A shell's way: exec, and when that fails 127 (not found) or 126. */
static __attribute__((noreturn)) void do_exec_fail(struct rb_scn_slot *s, int noexec)
{
	char *argv[] = { (char *)(noexec ? NOEXEC_FILE : MISSING_FILE), NULL };

	s->end_code = noexec ? 126 : 127;
	__atomic_store_n(&s->state, RB_SCN_P_ENDING, __ATOMIC_RELEASE);
	stamp_exit(s);
	raw(SYS_execve, (long)argv[0], (long)argv, (long)environ, 0, 0);
	exit_group_raw(s->end_code);
}

/* Returned by an operation after which the process must answer and then
 * end its leader thread (THREADS). */
#define THEN_LEADER_EXITS 1

/* One command in process IDX (the app runs its own this way too). */
static int member_do(struct scn_image *img, int idx, int cmd, int arg, int arg2, int newproc)
{
	struct rb_scn_slot *s = &img->sh->procs[idx];
	int r = 0;

	switch (cmd) {
	case RB_SCN_SPAWN:
		return do_spawn(img, idx, newproc, arg);
	case RB_SCN_DAEMON:
		return do_daemon(img, idx, newproc);
	case RB_SCN_EXIT:
		do_exit(s, arg);
	case RB_SCN_KILL_SELF:
		return do_kill_self(s, arg);
	case RB_SCN_EXEC_FAIL:
		do_exec_fail(s, arg);
	case RB_SCN_SETSID:
		r = raw(SYS_setsid, 0, 0, 0, 0, 0) < 0 ? -EPERM : 0;
		describe(s);
		return r;
	case RB_SCN_SETPGID:
		r = raw(SYS_setpgid, 0, arg == idx ? 0 : img->sh->procs[arg].pgid, 0, 0, 0) < 0 ? -EPERM
											: 0;
		describe(s);
		return r;
	case RB_SCN_THREADS:
		r = do_threads(img, idx, arg);
		if (r == 0) {
			__atomic_store_n(&s->state, RB_SCN_P_ENDING, __ATOMIC_RELEASE);
			return THEN_LEADER_EXITS;
		}
		return r;
	case RB_SCN_MASK:
		r = set_mask(arg2 ? SIG_BLOCK : SIG_UNBLOCK, BIT(arg));
		report_signal_state(s);
		return r;
	case RB_SCN_DISPOSITION:
		r = set_disposition(arg, arg2);
		report_signal_state(s);
		return r;
	case RB_SCN_WAIT:
		return do_wait();
	case RB_SCN_SEND_INSIDE:
		s->t_action_ns = now_ns();
		return raw(SYS_kill, 1, arg, 0, 0, 0) == 0 ? 0 : -ESRCH;
	case RB_SCN_SEND_GROUP:
		/* a group outside the namespace shows as 0, and kill(0) would be our
		 * own; PID 1's is 1, and kill(-1) every process we may signal */
		if (img->sh->procs[RB_SCN_APP].pgid <= 1)
			return -ESRCH;
		s->t_action_ns = now_ns();
		return raw(SYS_kill, -img->sh->procs[RB_SCN_APP].pgid, arg, 0, 0, 0) == 0 ? 0 : -ESRCH;
	case RB_SCN_CMD_UNBLOCK_ALL:
		r = set_mask(SIG_SETMASK, 0);
		report_signal_state(s);
		return r;
	}
	return -ENOSYS;
}

/* Take the posted command, unless the app withdrew it (compare-and-swap
 * on cmd_taken, from either side). */
static bool take(struct rb_scn_slot *s, uint32_t seq)
{
	uint32_t prev = seq - 1;

	return __atomic_compare_exchange_n(&s->cmd_taken, &prev, seq, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static __attribute__((noreturn)) void member_loop(struct scn_image *img, int idx)
{
	struct rb_scn_slot *s = &img->sh->procs[idx];
	uint32_t seq;
	int r;

	for (;;) {
		/* a command is new until taken (by us, or withdrawn by the app):
		 * one posted before we got here counts too */
		seq = __atomic_load_n(&s->cmd_seq, __ATOMIC_ACQUIRE);
		if (seq == __atomic_load_n(&s->cmd_taken, __ATOMIC_ACQUIRE)) {
			wait_word(&s->cmd_seq, seq, -1);
			continue;
		}
		if (!take(s, seq))
			continue;
		r = member_do(img, idx, s->cmd, s->cmd_arg, s->cmd_arg2, s->cmd_newproc);
		s->cmd_result = r == THEN_LEADER_EXITS ? 0 : r;
		__atomic_store_n(&s->cmd_done, seq, __ATOMIC_RELEASE);
		wake(&s->cmd_done);
		if (r == THEN_LEADER_EXITS)
			raw(SYS_exit, 0, 0, 0, 0, 0); /* the leader alone: the threads live on */
	}
}

static int member_entry(void *arg)
{
	struct member_arg *a = arg;
	struct rb_scn_slot *s = &a->img->sh->procs[a->idx];

	describe(s);
	__atomic_store_n(&s->state, RB_SCN_P_LIVE, __ATOMIC_RELEASE);
	wake((uint32_t *)&s->state);
	member_loop(a->img, a->idx);
}

/* vfork-exec: the child of a vfork runs `rb-payload scenario-member N`. */
static int exec_entry(void *arg)
{
	static const char *const index_words[RB_SCN_MAX_PROCS] = {
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
	};
	struct member_arg *a = arg;
	char *argv[] = { a->img->path, "scenario-member", (char *)index_words[a->idx], NULL };

	raw(SYS_execve, (long)a->img->path, (long)argv, (long)environ, 0, 0);
	exit_group_raw(126);
}

/* ---- the image --------------------------------------------------------- */

static int map_area(const char *path, struct rb_scn_shared **out)
{
	struct stat st;
	void *m;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(struct rb_scn_shared)) {
		close(fd);
		return -EMSGSIZE;
	}
	m = mmap(NULL, sizeof(struct rb_scn_shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	*out = m;
	return (*out)->magic == RB_SCN_MAGIC && (*out)->size == sizeof(struct rb_scn_shared)
		       ? 0 : -EBADMSG;
}

static int image_init(struct scn_image *img, struct rb_channel *ch, struct rb_scn_shared *sh)
{
	ssize_t n;

	memset(img, 0, sizeof(*img));
	img->ch = ch;
	img->sh = sh;
	scn_chan = ch;
	n = readlink("/proc/self/exe", img->path, sizeof(img->path) - 1);
	if (n <= 0)
		snprintf(img->path, sizeof(img->path), "%s", sh->payload_path);
	return rb_stack_pool_init(&img->pool, POOL_STACKS, STACK_SIZE);
}

/* The dispositions a process of the program starts with: handlers for
 * every signal but those in SKIP. */
static void handle_all_but(uint64_t skip)
{
	for (int sig = 1; sig <= 64; sig++)
		if (settable(sig) && !(skip & BIT(sig)))
			set_disposition(sig, RB_SCN_HANDLE);
}

int rb_payload_scenario_member(int argc, char **argv, struct rb_channel *ch)
{
	static struct scn_image img;
	struct rb_scn_shared *sh;
	const char *path = getenv(RB_SCN_ENV);
	long idx;
	char *end;

	if (argc != 2 || !path)
		return 2;
	idx = strtol(argv[1], &end, 10);
	if (*end || idx < 1 || idx >= RB_SCN_MAX_PROCS || map_area(path, &sh) < 0 ||
	    image_init(&img, ch, sh) < 0)
		return 4;
	/* exec reset the handled signals to SIG_DFL and kept SIG_IGN and the
	 * mask: hand back the handlers the creator had */
	handle_all_but(sh->procs[idx].ignored | sh->procs[idx].defaulted);
	img.args[idx] = (struct member_arg){ .img = &img, .idx = (int)idx };
	return member_entry(&img.args[idx]);
}

/* ---- the conductor (the app) ---------------------------------------------- */

struct conductor {
	struct scn_image img;
	struct rb_scn_program prog;
	int pidfd[RB_SCN_MAX_PROCS]; /* its own pidfds for the program's processes, -1 */
	bool alone;                  /* no harness serves requests */
};

static struct rb_scn_event *event_begin(struct conductor *c, int op, int code, int proc)
{
	struct rb_scn_shared *sh = c->img.sh;
	uint32_t i = __atomic_fetch_add(&sh->nevents, 1, __ATOMIC_RELAXED);
	static struct rb_scn_event spare; /* past the log's room */
	struct rb_scn_event *e = i < RB_SCN_MAX_EVENTS ? &sh->events[i] : &spare;

	*e = (struct rb_scn_event){ .t_ns = now_ns(), .op = op, .code = code, .proc = proc };
	return e;
}

static void event_end(struct rb_scn_event *e, int result, int value)
{
	e->result = result;
	e->value = value;
	e->t_end_ns = now_ns();
}

/* A request to the harness; its answer. */
static int request(struct conductor *c, int kind, int op, int proc, int sig, int route,
		   int64_t t_ns, int64_t dur_ns)
{
	struct rb_scn_shared *sh = c->img.sh;
	uint32_t seq, ack;

	if (c->alone)
		return RB_SCN_SKIP_NO_HARNESS;
	sh->req = (struct rb_scn_request){ .kind = kind, .op = op, .proc = proc, .sig = sig,
					   .route = route, .t_ns = t_ns, .dur_ns = dur_ns };
	seq = __atomic_add_fetch(&sh->req_seq, 1, __ATOMIC_RELEASE);
	bump(&sh->wake);
	while ((ack = __atomic_load_n(&sh->req_ack, __ATOMIC_ACQUIRE)) != seq)
		wait_word(&sh->req_ack, ack, -1);
	return sh->req_result;
}

static bool gone(struct conductor *c, int proc)
{
	struct pollfd p = { .fd = c->pidfd[proc], .events = POLLIN };

	return c->pidfd[proc] < 0 || (poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP)));
}

static bool wait_gone(struct conductor *c, int proc, int64_t timeout_ns)
{
	struct pollfd p = { .fd = c->pidfd[proc], .events = POLLIN };

	return c->pidfd[proc] < 0 || poll(&p, 1, (int)(timeout_ns / NS_PER_MS)) > 0;
}

/* A process made just now may not run its mailbox yet: wait for it, but
 * not for one that ended or that a signal stopped first. */
static bool become_live(struct conductor *c, int proc, int64_t timeout_ns)
{
	struct rb_scn_slot *s = &c->img.sh->procs[proc];
	int64_t end = now_ns() + timeout_ns;

	while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == RB_SCN_P_NONE) {
		if (gone(c, proc) || now_ns() >= end || rb_proc_state(s->pid) == 'T')
			return false;
		wait_word((uint32_t *)&s->state, RB_SCN_P_NONE, NS_PER_MS);
	}
	return true;
}

static bool ends_process(int cmd)
{
	return cmd == RB_SCN_EXIT || cmd == RB_SCN_KILL_SELF || cmd == RB_SCN_EXEC_FAIL;
}

/* Post CMD to process PROC and wait for its answer (or, for a command
 * that ends it, for its end). A process that does not take the command in
 * time (stopped by a signal, say) has it withdrawn. */
static int post(struct conductor *c, int proc, int cmd, int arg, int arg2, int newproc)
{
	struct rb_scn_slot *s = &c->img.sh->procs[proc];
	int64_t timeout = c->img.sh->ack_timeout_ns;
	uint32_t seq, done;

	if (s->stopped)
		return RB_SCN_SKIP_STOPPED;
	if (!become_live(c, proc, timeout))
		return rb_proc_state(s->pid) == 'T' ? RB_SCN_SKIP_STOPPED
		       : gone(c, proc) ? RB_SCN_SKIP_GONE : RB_SCN_SKIP_NO_ACK;
	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != RB_SCN_P_LIVE || gone(c, proc))
		return RB_SCN_SKIP_GONE;
	s->cmd = cmd;
	s->cmd_arg = arg;
	s->cmd_arg2 = arg2;
	s->cmd_newproc = newproc;
	s->cmd_result = 0;
	seq = s->cmd_seq + 1;
	__atomic_store_n(&s->cmd_seq, seq, __ATOMIC_RELEASE);
	wake(&s->cmd_seq);
	if (ends_process(cmd)) {
		if (wait_gone(c, proc, timeout))
			return 0;
	} else {
		int64_t end = now_ns() + timeout;

		while ((done = __atomic_load_n(&s->cmd_done, __ATOMIC_ACQUIRE)) != seq &&
		       now_ns() < end)
			wait_word(&s->cmd_done, done, end - now_ns());
		if (done == seq)
			return s->cmd_result;
	}
	if (take(s, seq)) /* withdrawn: it never started on it */
		return rb_proc_state(s->pid) == 'T' ? RB_SCN_SKIP_STOPPED : RB_SCN_SKIP_NO_ACK;
	/* it took the command: give it another while */
	if (ends_process(cmd))
		return wait_gone(c, proc, timeout) ? 0 : RB_SCN_SKIP_NO_ACK;
	wait_word(&s->cmd_done, seq - 1, timeout);
	return __atomic_load_n(&s->cmd_done, __ATOMIC_ACQUIRE) == seq ? s->cmd_result
									: RB_SCN_SKIP_NO_ACK;
}

/* After a process was made: the conductor's pidfd, and the harness's. */
static void adopt(struct conductor *c, int op, int proc)
{
	struct rb_scn_slot *s = &c->img.sh->procs[proc];

	if (s->pid <= 0 || __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == RB_SCN_P_FAILED)
		return;
	c->pidfd[proc] = (int)syscall(SYS_pidfd_open, s->pid, 0);
	request(c, RB_SCN_REQ_ADOPT, op, proc, 0, 0, 0, 0);
}

static int signal_proc(struct conductor *c, int proc, int sig)
{
	if (c->pidfd[proc] < 0)
		return RB_SCN_SKIP_GONE;
	return syscall(SYS_pidfd_send_signal, c->pidfd[proc], sig, NULL, 0) == 0 ? 0 : -errno;
}

static int op_stop_cont(struct conductor *c, int i, const struct rb_scn_op *op)
{
	struct rb_scn_slot *s = &c->img.sh->procs[op->proc];
	int r;

	if (op->proc == RB_SCN_APP)
		return op->code == RB_SCN_STOP
			       ? request(c, RB_SCN_REQ_STOP_APP, i, 0, SIGSTOP, 0, 0,
					 rb_scn_durations_ns[op->arg2 & 7])
			       : (raw(SYS_kill, raw(SYS_getpid, 0, 0, 0, 0, 0), SIGCONT, 0, 0, 0), 0);
	if (gone(c, op->proc))
		return RB_SCN_SKIP_GONE;
	r = signal_proc(c, op->proc, op->code == RB_SCN_STOP ? SIGSTOP : SIGCONT);
	if (r == 0)
		s->stopped = op->code == RB_SCN_STOP;
	return r;
}

/* All live children of P exit at once: posted one after another, then
 * waited for together. */
static int op_exit_children(struct conductor *c, const struct rb_scn_op *op, int *count)
{
	struct rb_scn_shared *sh = c->img.sh;
	int posted[RB_SCN_MAX_PROCS], n = 0;

	for (int j = 1; j < c->prog.nprocs; j++) {
		struct rb_scn_slot *s = &sh->procs[j];

		if (s->creator != op->proc || s->stopped || gone(c, j) ||
		    !become_live(c, j, sh->ack_timeout_ns) ||
		    __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != RB_SCN_P_LIVE)
			continue;
		s->cmd = RB_SCN_EXIT;
		s->cmd_arg = op->arg;
		__atomic_store_n(&s->cmd_seq, s->cmd_seq + 1, __ATOMIC_RELEASE);
		posted[n++] = j;
	}
	for (int k = 0; k < n; k++)
		wake(&sh->procs[posted[k]].cmd_seq);
	for (int k = 0; k < n; k++) {
		struct rb_scn_slot *s = &sh->procs[posted[k]];

		/* one that did not take it (stopped meanwhile) must not exit later */
		if (!wait_gone(c, posted[k], sh->ack_timeout_ns))
			take(s, s->cmd_seq);
	}
	*count = n;
	return n ? 0 : RB_SCN_SKIP_NOT_CHILD;
}

/* A send from inside, by PROC (the app itself or a member); then the
 * harness watches where it goes. */
static int op_send_inside(struct conductor *c, int i, const struct rb_scn_op *op, int route)
{
	struct rb_scn_slot *s = &c->img.sh->procs[op->proc];
	int cmd = route == RB_SCN_ROUTE_INSIDE ? RB_SCN_SEND_INSIDE : RB_SCN_SEND_GROUP;
	int r = op->proc == RB_SCN_APP ? member_do(&c->img, RB_SCN_APP, cmd, op->arg, 0, 0)
				       : post(c, op->proc, cmd, op->arg, 0, 0);

	if (r != 0)
		return r;
	return request(c, RB_SCN_REQ_SENT, i, op->proc, op->arg, route, s->t_action_ns, 0);
}

/* What the app's own end looks like in the timeline, before it happens. */
static void print_timeline(struct conductor *c);

static void note_app_end(struct conductor *c, struct rb_scn_event *e)
{
	event_end(e, 0, 0);
	c->img.sh->t_ops_done_ns = now_ns();
	if (c->alone)
		print_timeline(c);
}

static void run_op(struct conductor *c, int i)
{
	const struct rb_scn_op *op = &c->prog.ops[i];
	struct rb_scn_event *e = event_begin(c, i, op->code, op->proc);
	int r = 0, value = 0;

	switch (op->code) {
	case RB_SCN_NOP:
		break;
	case RB_SCN_SLEEP:
		sleep_ns(rb_scn_durations_ns[op->arg2 & 7]);
		break;
	case RB_SCN_SEND_PARENT:
		r = request(c, RB_SCN_REQ_SEND, i, 0, op->arg, RB_SCN_ROUTE_PARENT, 0, 0);
		break;
	case RB_SCN_SEND_INSIDE:
		r = op_send_inside(c, i, op, RB_SCN_ROUTE_INSIDE);
		break;
	case RB_SCN_SEND_GROUP:
		r = op->proc == RB_SCN_HARNESS
			    ? request(c, RB_SCN_REQ_SEND_GROUP, i, 0, op->arg, RB_SCN_ROUTE_GROUP_HARNESS, 0, 0)
			    : op_send_inside(c, i, op, RB_SCN_ROUTE_GROUP_INSIDE);
		break;
	case RB_SCN_STOP:
	case RB_SCN_CONT:
		r = op_stop_cont(c, i, op);
		break;
	case RB_SCN_EXIT_CHILDREN:
		r = op_exit_children(c, op, &value);
		break;
	case RB_SCN_EXIT:
	case RB_SCN_KILL_SELF:
	case RB_SCN_EXEC_FAIL:
		if (op->proc == RB_SCN_APP) {
			note_app_end(c, e);
			(void)member_do(&c->img, RB_SCN_APP, op->code, op->arg, op->arg2, 0);
			/* kill-self had no effect: the app is PID 1 (no init) */
			exit_group_raw(EXIT_NO_EFFECT);
		}
		r = post(c, op->proc, op->code, op->arg, op->arg2, 0);
		break;
	default:
		r = op->proc == RB_SCN_APP
			    ? member_do(&c->img, RB_SCN_APP, op->code, op->arg, op->arg2, op->newproc)
			    : post(c, op->proc, op->code, op->arg, op->arg2, op->newproc);
		if (op->code == RB_SCN_WAIT && r >= 0) {
			value = r;
			r = 0;
		}
		if (op->code == RB_SCN_SPAWN || op->code == RB_SCN_DAEMON) {
			value = c->img.sh->procs[op->newproc].pid;
			adopt(c, i, op->newproc);
			if (op->code == RB_SCN_DAEMON)
				adopt(c, i, op->newproc + 1);
		}
	}
	event_end(e, r, value);
}

/* The app at the start of each program: every signal handled, none blocked. */
static void reset_app(struct conductor *c)
{
	struct rb_scn_slot *s = &c->img.sh->procs[RB_SCN_APP];

	handle_all_but(0);
	set_mask(SIG_SETMASK, 0);
	describe(s);
	s->creator = -1;
	s->fd_holder = -1;
	s->pidfd_in_creator = -1;
	s->end_code = -1;
	report_signal_state(s);
	__atomic_store_n(&s->state, RB_SCN_P_LIVE, __ATOMIC_RELEASE);
	for (int j = 0; j < RB_SCN_MAX_PROCS; j++)
		c->pidfd[j] = -1;
}

/* The operations are done: continue what the program stopped, unblock
 * everything (pending signals are delivered and logged now), and let the
 * harness wait for PID 1's reaping. */
static void quiet(struct conductor *c)
{
	struct rb_scn_shared *sh = c->img.sh;

	for (int j = 1; j < c->prog.nprocs; j++) {
		if (sh->procs[j].stopped && signal_proc(c, j, SIGCONT) == 0)
			sh->procs[j].stopped = 0;
		if (sh->procs[j].blocked && !gone(c, j))
			post(c, j, RB_SCN_CMD_UNBLOCK_ALL, 0, 0, 0);
	}
	set_mask(SIG_SETMASK, 0);
	sh->t_ops_done_ns = now_ns();
	request(c, RB_SCN_REQ_QUIET, -1, 0, 0, 0, 0, 0);
}

/* Kill what is left, one by one in the order it was made (parents first:
 * each one's live children are PID 1's when they die), each seen gone
 * before the next; then let the harness wait for PID 1's reaps, and reap
 * the app's own children. */
static void teardown(struct conductor *c, bool pid1)
{
	struct rb_scn_shared *sh = c->img.sh;
	siginfo_t si;

	for (int j = 1; j < c->prog.nprocs; j++) {
		if (gone(c, j))
			continue;
		struct rb_scn_event *e = event_begin(c, -1, RB_SCN_REQ_SETTLE + 100, j);

		event_end(e, signal_proc(c, j, SIGKILL), 0);
		wait_gone(c, j, sh->ack_timeout_ns);
	}
	request(c, RB_SCN_REQ_QUIET, -1, 0, 0, 0, 0, 0);
	for (int j = 1; j < c->prog.nprocs; j++)
		if (sh->procs[j].creator == RB_SCN_APP && c->pidfd[j] >= 0)
			raw(SYS_waitid, P_PIDFD, c->pidfd[j], (long)&si, WEXITED, 0);
	/* with no init, the app is PID 1: everything is its to reap */
	while (pid1 && raw(SYS_waitid, P_ALL, 0, (long)&si, WEXITED, 0) == 0)
		;
	for (int j = 0; j < RB_SCN_MAX_PROCS; j++)
		if (c->pidfd[j] >= 0)
			close(c->pidfd[j]);
}

static void run_program(struct conductor *c, const uint8_t *bytes, size_t len)
{
	struct rb_scn_shared *sh = c->img.sh;

	rb_scn_decode(bytes, len, &c->prog);
	reset_app(c);
	sh->t_started_ns = now_ns();
	for (int i = 0; i < c->prog.nops; i++)
		run_op(c, i);
	quiet(c);
	teardown(c, getpid() == 1);
}

/* ---- running alone: rb-payload scenario FILE ------------------------------ */

/* A scenario area of our own (a memfd, which exec'd members open through
 * /proc), for a program run without a harness. */
static struct rb_scn_shared *own_area(void)
{
	char path[64];
	void *m;
	int fd = memfd_create("reapbench-scenario", 0);

	if (fd < 0 || ftruncate(fd, sizeof(struct rb_scn_shared)) < 0)
		return NULL;
	m = mmap(NULL, sizeof(struct rb_scn_shared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(), fd);
	setenv(RB_SCN_ENV, path, 1);
	((struct rb_scn_shared *)m)->magic = RB_SCN_MAGIC;
	((struct rb_scn_shared *)m)->size = sizeof(struct rb_scn_shared);
	((struct rb_scn_shared *)m)->ack_timeout_ns = 200 * NS_PER_MS;
	return m;
}

static void print_timeline(struct conductor *c)
{
	struct rb_scn_shared *sh = c->img.sh;
	uint32_t n = sh->nevents < RB_SCN_MAX_EVENTS ? sh->nevents : RB_SCN_MAX_EVENTS;
	char line[96];

	for (uint32_t i = 0; i < n; i++) {
		const struct rb_scn_event *e = &sh->events[i];

		if (e->op < 0)
			continue;
		rb_scn_op_text(&c->prog.ops[e->op], line, sizeof(line));
		fprintf(stderr, "rb-payload: scenario: +%8.3f ms  %-30s %s%d\n",
			(e->t_ns - sh->t_started_ns) / 1e6, line,
			e->result == RB_SCN_SKIP_NO_HARNESS ? "skipped (no harness) " : "result ",
			e->result);
	}
}

static int run_alone(struct conductor *c, const char *file)
{
	uint8_t bytes[RB_SCN_MAX_BYTES];
	struct rb_scn_shared *sh = own_area();
	struct rb_error err;
	size_t len = 0;

	if (!sh) {
		fprintf(stderr, "rb-payload: scenario: memfd: %s\n", strerror(errno));
		return 4;
	}
	if (rb_scn_load_file(file, bytes, &len, &err) < 0) {
		fprintf(stderr, "rb-payload: scenario: %s\n", err.msg);
		return 2;
	}
	if (image_init(&c->img, c->img.ch, sh) < 0)
		return 4;
	c->alone = true;
	run_program(c, bytes, len);
	print_timeline(c);
	return 0;
}

/* ---- serving a harness ----------------------------------------------------- */

static int serve(struct conductor *c)
{
	struct rb_scn_shared *sh = c->img.sh;
	uint32_t seen = __atomic_load_n(&sh->input_seq, __ATOMIC_ACQUIRE), seq;

	reset_app(c);
	__atomic_store_n(&c->img.ch->t_ready_ns, now_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&c->img.ch->ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		while ((seq = __atomic_load_n(&sh->input_seq, __ATOMIC_ACQUIRE)) == seen)
			wait_word(&sh->input_seq, seen, -1);
		seen = seq;
		if (__atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE))
			return 0;
		run_program(c, sh->program, sh->program_len < sizeof(sh->program)
						    ? sh->program_len : sizeof(sh->program));
		__atomic_store_n(&sh->done_seq, seq, __ATOMIC_RELEASE);
		bump(&sh->wake);
	}
}

int rb_payload_scenario(int argc, char **argv, struct rb_channel *ch)
{
	static struct conductor c; /* its image is shared with clone-vm members */
	const char *path = getenv(RB_SCN_ENV);
	struct rb_scn_shared *sh;
	int rc;

	c.img.ch = ch;
	scn_chan = ch;
	if (argc == 2 && !path)
		return run_alone(&c, argv[1]);
	if (argc != 1 || !path) {
		fprintf(stderr, "rb-payload: scenario: usage: scenario FILE (alone), or no argument "
				"with %s set by the harness\n", RB_SCN_ENV);
		return 2;
	}
	rc = map_area(path, &sh);
	if (rc < 0) {
		fprintf(stderr, "rb-payload: scenario: %s: %s\n", path,
			rc == -EBADMSG ? "not a scenario area of this build" : strerror(-rc));
		return 2;
	}
	if (image_init(&c.img, ch, sh) < 0)
		return 4;
	return serve(&c);
}
