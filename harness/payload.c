/* rb-payload: the application that runs under the init being tested (tini,
 * dumb-init, ...), usually as PID 2 of a fresh PID namespace, or as PID 1 when
 * there is no init. What it observes goes to the channel (channel.h) when the
 * harness provides one, and to stderr otherwise.
 *
 *   rb-payload exit N
 *   rb-payload kill-self SIG
 *   rb-payload sleep SECONDS
 *   rb-payload signal-recorder [--seconds S] [--exit-on SIG[:CODE]]... [--exit-delay-ms N]
 *                              [--members N] [--members-outlive] [--setsid-member]
 *                              [--kill-pid1 SIG]
 *   rb-payload orphans N [--method clone-vm|fork] [--hold-ms MS] [--wait-reaped-ms MS]
 *   rb-payload zombies N [--method clone-vm|fork] [--hold-ms MS] [--wait-reaped-ms MS]
 *
 * Exit status: 2 bad arguments or channel; 4 the set-up failed (a system
 * call that must not fail did); kill-self 125: the signal had no effect;
 * orphans and zombies: 0 all spawned and reaped, 1 some spawns failed (the
 * others were reaped), 3 some were not reaped within --wait-reaped-ms.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channel.h"
#include "signames.h"
#include "spawn.h"

#define EXIT_USAGE 2
#define EXIT_SETUP 4
#define EXIT_NO_EFFECT 125

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* Signals 1..64, as the channel's 64-bit masks hold them. */
#define RB_NSIG 64

struct payload {
	struct rb_channel *ch; /* never NULL: private when the harness gave none */
	bool private_channel;  /* nobody reads ch: report on stderr */
};

/* ---- helpers ---------------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static double ms_between(int64_t from, int64_t to)
{
	return (double)(to - from) / NS_PER_MS;
}

__attribute__((format(printf, 2, 3)))
static void complain(const char *verb, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rb-payload: %s: %s\n", verb, line);
}

__attribute__((format(printf, 3, 4), noreturn))
static void fail(int status, const char *verb, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rb-payload: %s: %s\n", verb, line);
	exit(status);
}

static void sleep_ns(int64_t ns)
{
	int64_t until = now_ns() + ns;
	struct timespec ts = { .tv_sec = until / NS_PER_S, .tv_nsec = until % NS_PER_S };

	if (ns <= 0)
		return;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* A decimal count in [0, MAX]: digits only, no sign or suffix. */
static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Non-negative decimal seconds ("2", "0.25") -> ns. */
static int parse_seconds(const char *s, int64_t *ns)
{
	size_t len = strspn(s, "0123456789.");
	char *end;
	double v;

	if (len == 0 || s[len] != '\0')
		return -EINVAL;
	v = strtod(s, &end);
	if (*end != '\0' || end == s)
		return -EINVAL;
	if (v > 1e9) /* about 30 years: past this, int64 ns overflows */
		return -ERANGE;
	*ns = (int64_t)(v * NS_PER_S + 0.5);
	return 0;
}

static unsigned long need_count(const char *verb, const char *what, const char *s,
				unsigned long max)
{
	unsigned long v;

	if (parse_count(s, max, &v) < 0)
		fail(EXIT_USAGE, verb, "%s: expected a whole number 0..%lu, got '%s'", what, max, s);
	return v;
}

static int64_t need_seconds(const char *verb, const char *what, const char *s)
{
	int64_t ns;

	if (parse_seconds(s, &ns) < 0)
		fail(EXIT_USAGE, verb, "%s: expected non-negative decimal seconds, got '%s'", what, s);
	return ns;
}

/* If ARGV[*I] is --NAME, returns its value ("--NAME V" or "--NAME=V") and
 * advances *I past it; NULL otherwise. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
				const char *verb)
{
	const char *arg = argv[*i];
	size_t len = strlen(name);

	if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, len) != 0)
		return NULL;
	if (arg[2 + len] == '=')
		return arg + 3 + len;
	if (arg[2 + len] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		fail(EXIT_USAGE, verb, "%s needs a value", arg);
	return argv[++*i];
}

static bool option_flag(char **argv, int i, const char *name)
{
	return strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0;
}

static void need_args(const char *verb, int argc, char **argv, int n, const char *what)
{
	if (argc < n + 1)
		fail(EXIT_USAGE, verb, "missing %s", what);
	if (argc > n + 1)
		fail(EXIT_USAGE, verb, "unexpected argument '%s'", argv[n + 1]);
}

static int need_signal(const char *verb, const char *s)
{
	int sig = rb_signal_parse(s);

	if (sig < 0)
		fail(EXIT_USAGE, verb, "unknown signal '%s'", s);
	return sig;
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	return rb_signal_name(sig, buf, len);
}

/* ---- the channel and what the init handed us --------------------------- */

static int map_private_channel(struct payload *p)
{
	void *m = mmap(NULL, sizeof(struct rb_channel), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return -errno;
	p->ch = m;
	p->ch->magic = RB_CHANNEL_MAGIC;
	p->ch->version = RB_CHANNEL_VERSION;
	p->private_channel = true;
	return 0;
}

/* Returns 0, -errno, -EMSGSIZE (file too small) or -EBADMSG (not a channel). */
static int map_file_channel(struct payload *p, const char *path)
{
	struct stat st;
	void *m;
	int fd, err = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (st.st_size < (off_t)sizeof(struct rb_channel))
		err = -EMSGSIZE;
	if (err == 0) {
		m = mmap(NULL, sizeof(struct rb_channel), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			err = -errno;
		else
			p->ch = m;
	}
	close(fd);
	if (err < 0)
		return err;
	if (p->ch->magic != RB_CHANNEL_MAGIC || p->ch->version != RB_CHANNEL_VERSION)
		return -EBADMSG;
	return 0;
}

static void map_channel(struct payload *p)
{
	const char *path = getenv(RB_CHANNEL_ENV);
	int err;

	if (path == NULL || *path == '\0') {
		err = map_private_channel(p);
		if (err < 0)
			fail(EXIT_SETUP, "channel", "mmap: %s", strerror(-err));
		return;
	}
	err = map_file_channel(p, path);
	if (err == -EMSGSIZE)
		fail(EXIT_USAGE, "channel", "%s: smaller than struct rb_channel", path);
	if (err == -EBADMSG)
		fail(EXIT_USAGE, "channel", "%s: bad magic or version", path);
	if (err < 0)
		fail(EXIT_USAGE, "channel", "%s: %s", path, strerror(-err));
}

/* The raw call: it reports glibc's two internal signals (32, 33) as well. */
static uint64_t blocked_signals(void)
{
	uint64_t set = 0;

	syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &set, sizeof(set));
	return set;
}

#if defined(__mips__)
#error "the kernel's struct sigaction does not start with the handler on MIPS"
#endif

/* Raw too, for the same reason. Only the handler is read: it is the first
 * field of the kernel's struct sigaction on every ABI we build for. */
static uint64_t ignored_signals(void)
{
	struct {
		uintptr_t handler;
		unsigned long rest[7];
	} old;
	uint64_t set = 0;
	int sig;

	for (sig = 1; sig <= RB_NSIG; sig++)
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(uint64_t)) == 0 &&
		    old.handler == (uintptr_t)SIG_IGN)
			set |= 1ull << (sig - 1);
	return set;
}

static void describe_start(struct rb_channel *ch, int64_t t_start)
{
	ch->payload_pid = getpid();
	ch->payload_ppid = getppid();
	ch->payload_pgid = getpgrp();
	ch->payload_sid = getsid(0);
	ch->t_start_ns = t_start;
	ch->sigmask = blocked_signals();
	ch->sigignored = ignored_signals();
}

static void mark_ready(struct rb_channel *ch)
{
	__atomic_store_n(&ch->t_ready_ns, now_ns(), __ATOMIC_RELAXED);
	__atomic_store_n(&ch->ready, 1, __ATOMIC_RELEASE);
}

/* ---- exit, kill-self, sleep -------------------------------------------- */

static int cmd_exit(int argc, char **argv, struct payload *p)
{
	(void)p;
	need_args("exit", argc, argv, 1, "exit status");
	return (int)need_count("exit", "exit status", argv[1], 255);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Raw, so that glibc's internal signals can be unblocked too. */
static void unblock_signal(int sig)
{
	uint64_t set = 1ull << (sig - 1);

	syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, sizeof(set));
}

static bool sigcont_pending(void)
{
	sigset_t pending;

	return sigpending(&pending) == 0 && sigismember(&pending, SIGCONT) == 1;
}

static int cmd_kill_self(int argc, char **argv, struct payload *p)
{
	sigset_t cont;
	char name[32];
	int sig;

	(void)p;
	need_args("kill-self", argc, argv, 1, "signal");
	sig = need_signal("kill-self", argv[1]);
	signal_name(sig, name, sizeof(name));
	if (sig != SIGKILL && sig != SIGSTOP)
		signal(sig, SIG_DFL);
	/* A stop is only visible once we are continued: a blocked SIGCONT
	 * stays pending and tells. */
	if (is_stop_signal(sig)) {
		sigemptyset(&cont);
		sigaddset(&cont, SIGCONT);
		sigprocmask(SIG_BLOCK, &cont, NULL);
	}
	unblock_signal(sig);
	kill(getpid(), sig); /* not raise(): it refuses glibc's internal signals */
	if (is_stop_signal(sig) && sigcont_pending()) {
		complain("kill-self", "%s stopped us, then SIGCONT continued us", name);
		return 0;
	}
	complain("kill-self", "%s had no effect (PID 1 of its namespace?)", name);
	return EXIT_NO_EFFECT;
}

/* An app with no handlers at all: ready as soon as it runs, so the harness
 * can test what a signal's default action does to it. */
static int cmd_sleep(int argc, char **argv, struct payload *p)
{
	int64_t ns;

	need_args("sleep", argc, argv, 1, "seconds");
	ns = need_seconds("sleep", "seconds", argv[1]);
	mark_ready(p->ch);
	sleep_ns(ns);
	return 0;
}

/* ---- signal-recorder --------------------------------------------------- */

struct recorder {
	struct rb_channel *ch;
	bool print;                  /* no harness channel: report on stderr */
	int64_t deadline_ns;         /* 0: record until an --exit-on signal */
	int64_t exit_delay_ns;       /* after an --exit-on signal, record this long, then exit */
	unsigned long members;
	bool members_outlive;        /* members do not die with the main recorder */
	bool setsid_member;
	int kill_pid1;               /* once ready, kill(1, this) from inside; 0: no */
	short exit_code[RB_NSIG + 1]; /* per signal: exit status, -1 = keep recording */
	volatile sig_atomic_t exit_with; /* -1 until an --exit-on signal arrived */
};

/* The handler's only way to its recorder (and so to the channel); set once,
 * before the first handler is installed. */
static struct recorder *the_recorder;

static void on_signal(int sig, siginfo_t *si, void *ucontext)
{
	struct recorder *rec = the_recorder;
	struct rb_signal_entry *e;
	int64_t t = now_ns();
	int saved_errno = errno;
	uint32_t i;

	(void)ucontext;
	i = __atomic_fetch_add(&rec->ch->nsignals, 1, __ATOMIC_RELAXED);
	if (i < RB_CHANNEL_MAX_SIGNALS) {
		e = &rec->ch->signals[i];
		e->t_ns = t;
		e->code = si->si_code;
		e->pid = si->si_pid;
		e->uid = (int32_t)si->si_uid;
		e->receiver = getpid();
		/* Last: a reader that sees signo set sees the whole entry. */
		__atomic_store_n(&e->signo, sig, __ATOMIC_RELEASE);
	}
	if (rec->exit_code[sig] >= 0 && rec->exit_with < 0)
		rec->exit_with = rec->exit_code[sig];
	errno = saved_errno;
}

/* "TERM" or "TERM:CODE". */
static void parse_exit_on(struct recorder *rec, const char *arg)
{
	const char *verb = "signal-recorder";
	const char *colon = strchr(arg, ':');
	char sig_text[32];
	unsigned long code;
	int sig;

	if (colon == NULL)
		colon = arg + strlen(arg);
	if ((size_t)(colon - arg) >= sizeof(sig_text))
		fail(EXIT_USAGE, verb, "unknown signal in --exit-on '%s'", arg);
	memcpy(sig_text, arg, (size_t)(colon - arg));
	sig_text[colon - arg] = '\0';
	sig = need_signal(verb, sig_text);
	if (sig == SIGKILL || sig == SIGSTOP)
		fail(EXIT_USAGE, verb, "--exit-on %s: cannot be caught", sig_text);
	code = *colon ? need_count(verb, "--exit-on code", colon + 1, 255) : 128ul + (unsigned)sig;
	rec->exit_code[sig] = (short)code;
}

static void parse_recorder(struct recorder *rec, int argc, char **argv)
{
	const char *verb = "signal-recorder";
	const char *v;
	int i, sig;

	for (sig = 0; sig <= RB_NSIG; sig++)
		rec->exit_code[sig] = -1;
	rec->exit_with = -1;
	for (i = 1; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "seconds", verb)))
			rec->deadline_ns = now_ns() + need_seconds(verb, "--seconds", v);
		else if ((v = option_value(argc, argv, &i, "exit-on", verb)))
			parse_exit_on(rec, v);
		else if ((v = option_value(argc, argv, &i, "exit-delay-ms", verb)))
			rec->exit_delay_ns =
				(int64_t)need_count(verb, "--exit-delay-ms", v, 1ul << 31) * NS_PER_MS;
		else if ((v = option_value(argc, argv, &i, "members", verb)))
			rec->members = need_count(verb, "--members", v, 1000);
		else if (option_flag(argv, i, "members-outlive"))
			rec->members_outlive = true;
		else if (option_flag(argv, i, "setsid-member"))
			rec->setsid_member = true;
		else if ((v = option_value(argc, argv, &i, "kill-pid1", verb)))
			rec->kill_pid1 = need_signal(verb, v);
		else
			fail(EXIT_USAGE, verb, "unknown argument '%s'", argv[i]);
	}
}

/* Every catchable signal, including CHLD, the stop signals and realtime
 * ones. glibc refuses its two internal signals (32, 33) with EINVAL: those
 * keep their disposition. The full sa_mask keeps handlers from nesting, so
 * the log keeps the order of delivery. */
static int install_handlers(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	int sig;

	sigfillset(&sa.sa_mask);
	for (sig = 1; sig <= SIGRTMAX; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &sa, NULL) < 0 && errno != EINVAL)
			return -errno;
	}
	return 0;
}

/* Prints this process's log entries from FROM on; returns where to go on. */
static uint32_t print_received(const struct recorder *rec, uint32_t from)
{
	uint32_t n = __atomic_load_n(&rec->ch->nsignals, __ATOMIC_ACQUIRE);
	const struct rb_signal_entry *e;
	pid_t self = getpid();
	char name[32];
	uint32_t i;

	if (n > RB_CHANNEL_MAX_SIGNALS)
		n = RB_CHANNEL_MAX_SIGNALS;
	for (i = from; i < n; i++) {
		e = &rec->ch->signals[i];
		/* Our own entries are complete (handlers run only inside ppoll);
		 * an unfinished one belongs to another member. */
		if (__atomic_load_n(&e->signo, __ATOMIC_ACQUIRE) == 0 || e->receiver != self)
			continue;
		complain("signal-recorder", "pid %d got %s (code %d, from pid %d, uid %d)",
			 self, signal_name(e->signo, name, sizeof(name)), e->code, e->pid, e->uid);
	}
	return n;
}

/* Signals stay blocked except inside ppoll(), which unblocks them all
 * atomically: a signal cannot slip in between the check of exit_with and
 * the wait, which would leave us waiting after an --exit-on signal. After
 * it, --exit-delay-ms keeps recording for that long (an app that takes
 * time to shut down), the --seconds deadline no longer counting. */
static int recorder_wait(struct recorder *rec)
{
	struct timespec ts, *timeout;
	int64_t left, until = rec->deadline_ns, exit_at = 0;
	uint32_t printed = 0;
	sigset_t none;

	sigemptyset(&none);
	for (;;) {
		if (rec->print)
			printed = print_received(rec, printed);
		if (rec->exit_with >= 0 && exit_at == 0)
			exit_at = until = now_ns() + rec->exit_delay_ns;
		if (exit_at && now_ns() >= exit_at)
			return rec->exit_with;
		timeout = NULL;
		if (until) {
			left = until - now_ns();
			if (left <= 0)
				return exit_at ? rec->exit_with : 0;
			ts.tv_sec = left / NS_PER_S;
			ts.tv_nsec = left % NS_PER_S;
			timeout = &ts;
		}
		ppoll(NULL, 0, timeout, &none);
	}
}

/* A member: a recorder of its own that dies with the main recorder, or
 * with --members-outlive records until it is killed (or an --exit-on
 * signal): the main's --seconds do not end it. */
__attribute__((noreturn))
static void member_main(struct recorder *rec, bool own_session, pid_t parent, int ready_fd)
{
	if (own_session && setsid() < 0)
		_exit(EXIT_SETUP);
	if (rec->members_outlive)
		rec->deadline_ns = 0;
	else if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_SETUP); /* the main recorder is gone already */
	if (write(ready_fd, "", 1) != 1)
		_exit(EXIT_SETUP);
	close(ready_fd);
	_exit(recorder_wait(rec));
}

/* Forks the members and waits until each has said it is set up. */
static int start_members(struct recorder *rec)
{
	unsigned long total = rec->members + rec->setsid_member, k, got = 0;
	pid_t self = getpid(), pid;
	char buf[64];
	ssize_t n;
	int pipefd[2], err = 0;

	if (total == 0)
		return 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	for (k = 0; k < total && err == 0; k++) {
		pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			member_main(rec, k == rec->members, self, pipefd[1]);
		}
		if (pid < 0)
			err = -errno;
		else if (k == rec->members)
			rec->ch->setsid_member_pid = pid; /* the harness tells it from the group */
	}
	close(pipefd[1]);
	while (err == 0 && got < total) {
		n = read(pipefd[0], buf, sizeof(buf));
		if (n > 0)
			got += (unsigned long)n;
		else if (n == 0)
			err = -ECHILD; /* a member died during its set-up */
		else if (errno != EINTR)
			err = -errno;
	}
	close(pipefd[0]);
	return err;
}

static int cmd_signal_recorder(int argc, char **argv, struct payload *p)
{
	const char *verb = "signal-recorder";
	struct recorder rec = { .ch = p->ch, .print = p->private_channel };
	sigset_t all;
	int err;

	parse_recorder(&rec, argc, argv);
	the_recorder = &rec;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	err = install_handlers();
	if (err < 0)
		fail(EXIT_SETUP, verb, "sigaction: %s", strerror(-err));
	err = start_members(&rec);
	if (err < 0)
		fail(EXIT_SETUP, verb, "starting members: %s", strerror(-err));
	if (rec.print)
		complain(verb, "ready: pid %d, pgid %d, sid %d, %lu member(s)%s", getpid(),
			 getpgrp(), getsid(0), rec.members,
			 rec.setsid_member ? " + 1 in its own session" : "");
	mark_ready(p->ch);
	/* A signal to PID 1 from inside its namespace, as `kill 1` in a
	 * container would send it. */
	if (rec.kill_pid1 && kill(1, rec.kill_pid1) < 0)
		complain(verb, "kill(1, %d): %s", rec.kill_pid1, strerror(errno));
	return recorder_wait(&rec);
}

/* ---- orphans and zombies ----------------------------------------------- */

/* Room for stdio, the channel, the pipe, epoll and what the init left open. */
#define CROWD_FD_SLACK 32

enum crowd_kind { CROWD_ORPHANS, CROWD_ZOMBIES };

/* One address space holds it for main, the intermediate and, with
 * clone-vm, the children; fork children read their own copy. */
struct crowd {
	enum crowd_kind kind;
	const char *verb;
	enum rb_spawn_method method;
	unsigned long n;
	int64_t hold_ns;
	int64_t wait_ns;
	struct rb_spawner spawner;
	int *pidfds;     /* [spawned], -1 once seen reaped */
	int release[2];  /* orphans wait on [0]; closing [1] frees them */
	int main_pidfd;  /* ... or main's death, which this polls */
	int epoll_fd;    /* every pidfd, for EPOLLHUP: its process was reaped */
	unsigned long spawned;
	unsigned long failed;
	int spawn_errno; /* of the first failure */
	int watch_errno; /* epoll_ctl failed in the intermediate */
	unsigned long reaped;
	int64_t t_spawn_start;
	int64_t t_spawn_end;
	int64_t t_released;
	int64_t t_all_reaped;
};

static void parse_crowd(struct crowd *c, int argc, char **argv)
{
	bool have_n = false;
	const char *v;
	int i, m;

	c->method = RB_SPAWN_CLONE_VM;
	c->wait_ns = 10000 * NS_PER_MS;
	for (i = 1; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "method", c->verb))) {
			m = rb_spawn_method_parse(v);
			/* vfork would park the intermediate until each child exits */
			if (m != RB_SPAWN_CLONE_VM && m != RB_SPAWN_FORK)
				fail(EXIT_USAGE, c->verb, "--method: expected clone-vm or fork, got '%s'", v);
			c->method = (enum rb_spawn_method)m;
		} else if ((v = option_value(argc, argv, &i, "hold-ms", c->verb))) {
			c->hold_ns = (int64_t)need_count(c->verb, "--hold-ms", v, 1ul << 31) * NS_PER_MS;
		} else if ((v = option_value(argc, argv, &i, "wait-reaped-ms", c->verb))) {
			c->wait_ns = (int64_t)need_count(c->verb, "--wait-reaped-ms", v, 1ul << 31) * NS_PER_MS;
		} else if (!have_n && (argv[i][0] != '-' || (argv[i][1] >= '0' && argv[i][1] <= '9'))) {
			c->n = need_count(c->verb, "count", argv[i], 1ul << 24);
			have_n = true;
		} else {
			fail(EXIT_USAGE, c->verb, "unknown argument '%s'", argv[i]);
		}
	}
	if (!have_n)
		fail(EXIT_USAGE, c->verb, "missing count");
}

/* Raises the soft RLIMIT_NOFILE to the hard one: one pidfd per child. */
static void ensure_fds(const struct crowd *c)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		fail(EXIT_SETUP, c->verb, "getrlimit: %s", strerror(errno));
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		fail(EXIT_SETUP, c->verb, "getrlimit: %s", strerror(errno));
	if (c->n + CROWD_FD_SLACK > rl.rlim_cur)
		fail(EXIT_USAGE, c->verb, "%lu processes need %lu file descriptors (a pidfd each); "
		     "RLIMIT_NOFILE allows %llu", c->n, c->n + CROWD_FD_SLACK,
		     (unsigned long long)rl.rlim_cur);
}

static void setup_crowd(struct crowd *c)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* SIG_IGN or SA_NOCLDWAIT from the init would have our children
	 * reaped by the kernel instead of by the init. */
	sigaction(SIGCHLD, &dfl, NULL);
	rb_spawner_init(&c->spawner, 0);
	c->release[0] = c->release[1] = -1;
	c->main_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (c->main_pidfd < 0)
		fail(EXIT_SETUP, c->verb, "pidfd_open: %s", strerror(errno));
	c->pidfds = calloc(c->n ? c->n : 1, sizeof(*c->pidfds));
	if (c->pidfds == NULL)
		fail(EXIT_SETUP, c->verb, "out of memory for %lu pidfds", c->n);
	if (c->kind == CROWD_ORPHANS && pipe2(c->release, O_CLOEXEC) < 0)
		fail(EXIT_SETUP, c->verb, "pipe: %s", strerror(errno));
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->epoll_fd < 0)
		fail(EXIT_SETUP, c->verb, "epoll_create1: %s", strerror(errno));
}

/* An orphan: lives until main closes the write end of the release pipe, or
 * dies. The orphans share main's fd table, which outlives main with that
 * write end open: without the pidfd, a killed payload would leave all of
 * them blocked until the namespace goes. */
static int orphan_main(void *arg)
{
	const struct crowd *c = arg;
	struct pollfd fds[2] = {
		{ .fd = c->release[0], .events = POLLIN },
		{ .fd = c->main_pidfd, .events = POLLIN },
	};

	return poll(fds, 2, -1) < 0;
}

static int zombie_main(void *arg)
{
	(void)arg;
	return 0;
}

/* Registers every pidfd before any of them can be reaped. A pidfd polls
 * EPOLLIN once its process exited and EPOLLHUP once it was reaped; asking for
 * no event leaves just EPOLLHUP, which epoll always reports. */
static void watch_reaps(struct crowd *c)
{
	struct epoll_event ev = { .events = 0 };
	unsigned long i;

	for (i = 0; i < c->spawned; i++) {
		ev.data.u64 = i;
		if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->pidfds[i], &ev) < 0 && !c->watch_errno)
			c->watch_errno = errno;
	}
}

/* Zombies: wait until each child has exited, without reaping it. */
static void wait_exited(const struct crowd *c)
{
	unsigned long i;
	siginfo_t si;

	for (i = 0; i < c->spawned; i++)
		while (waitid(P_PIDFD, (id_t)c->pidfds[i], &si, WEXITED | WNOWAIT) < 0 &&
		       errno == EINTR)
			;
}

/* The intermediate: creates the crowd, then exits, which hands the crowd to
 * PID 1 or the nearest subreaper. It runs in main's address space and fd
 * table (CLONE_VM | CLONE_FILES) while main is suspended (CLONE_VFORK), so
 * it may use the crowd freely but must not allocate. The children share the
 * fd table too: a copy each would cost O(N) per child, O(N^2) in all. */
static int crowd_parent(void *arg)
{
	struct crowd *c = arg;
	int (*child)(void *) = c->kind == CROWD_ORPHANS ? orphan_main : zombie_main;
	unsigned long i;
	pid_t pid;

	c->t_spawn_start = now_ns();
	for (i = 0; i < c->n; i++) {
		pid = rb_spawn_flags(&c->spawner, c->method, CLONE_FILES, child, c,
				     &c->pidfds[c->spawned]);
		if (pid >= 0)
			c->spawned++;
		else if (c->failed++ == 0)
			c->spawn_errno = -pid;
	}
	c->t_spawn_end = now_ns();
	watch_reaps(c);
	if (c->kind == CROWD_ZOMBIES) {
		wait_exited(c);
		sleep_ns(c->hold_ns);
		c->t_released = now_ns();
	}
	return 0;
}

/* By pid: when we are PID 1 ourselves, the orphans are ours, and a bare
 * application would not reap them. */
static int wait_for(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void release_orphans(struct crowd *c)
{
	sleep_ns(c->hold_ns);
	c->t_released = now_ns();
	close(c->release[1]);
	c->release[1] = -1;
}

/* Counts EPOLLHUPs until every spawned process was reaped or time is up. */
static int wait_reaped(struct crowd *c, struct rb_channel *ch)
{
	struct epoll_event ev[256];
	int64_t deadline = c->t_released + c->wait_ns, left, t;
	unsigned long idx;
	int n, k;

	while (c->reaped < c->spawned) {
		left = deadline - now_ns();
		if (left <= 0)
			break;
		n = epoll_wait(c->epoll_fd, ev, 256, (int)((left + NS_PER_MS - 1) / NS_PER_MS));
		t = now_ns();
		if (n < 0 && errno != EINTR)
			return -errno;
		for (k = 0; k < n; k++) {
			idx = (unsigned long)ev[k].data.u64;
			close(c->pidfds[idx]); /* also drops it from the epoll set */
			c->pidfds[idx] = -1;
			c->reaped++;
		}
		__atomic_store_n(&ch->reaped, c->reaped, __ATOMIC_RELAXED);
		if (c->reaped == c->spawned)
			c->t_all_reaped = t;
	}
	if (c->spawned == 0)
		c->t_all_reaped = c->t_released;
	return 0;
}

static void publish_spawned(const struct crowd *c, struct rb_channel *ch)
{
	ch->spawned = c->spawned;
	ch->spawn_failed = c->failed;
	ch->spawn_errno = c->spawn_errno;
	__atomic_store_n(&ch->t_released_ns, c->t_released, __ATOMIC_RELEASE);
}

static void publish_reaped(const struct crowd *c, struct rb_channel *ch)
{
	ch->reaped = c->reaped;
	__atomic_store_n(&ch->t_all_reaped_ns, c->t_all_reaped, __ATOMIC_RELEASE);
}

static int crowd_report(const struct crowd *c)
{
	double spawn_ms = ms_between(c->t_spawn_start, c->t_spawn_end);
	int64_t end = c->t_all_reaped ? c->t_all_reaped : now_ns();
	char failed[64], missing[48];
	const char *ename;

	ename = c->failed ? strerrorname_np(c->spawn_errno) : NULL;
	if (c->failed)
		snprintf(failed, sizeof(failed), "%lu failed: %s", c->failed, ename ? ename : "?");
	else
		snprintf(failed, sizeof(failed), "0 failed");
	missing[0] = '\0';
	if (c->reaped < c->spawned)
		snprintf(missing, sizeof(missing), ", %lu not reaped", c->spawned - c->reaped);
	complain(c->verb, "spawned %lu of %lu (%s), reaped %lu in %.1f ms%s; "
		 "spawning took %.1f ms (%.0f/s, %s)",
		 c->spawned, c->n, failed, c->reaped, ms_between(c->t_released, end), missing,
		 spawn_ms, spawn_ms > 0 ? (double)c->spawned / spawn_ms * 1000 : 0.0,
		 rb_spawn_method_name(c->method));
	if (c->reaped < c->spawned)
		return 3;
	return c->failed ? 1 : 0;
}

static void free_crowd(struct crowd *c)
{
	unsigned long i;

	for (i = 0; i < c->spawned; i++)
		if (c->pidfds[i] >= 0)
			close(c->pidfds[i]);
	free(c->pidfds);
	close(c->epoll_fd);
	close(c->main_pidfd);
	if (c->release[0] >= 0)
		close(c->release[0]);
	/* -EBUSY if a child still runs on its stack: then the stacks stay. */
	rb_spawner_destroy(&c->spawner);
}

static int run_crowd(enum crowd_kind kind, const char *verb, int argc, char **argv,
		     struct payload *p)
{
	struct crowd c = { .kind = kind, .verb = verb };
	pid_t pid;
	int err, status;

	parse_crowd(&c, argc, argv);
	ensure_fds(&c);
	setup_crowd(&c);
	pid = rb_spawn_flags(&c.spawner, RB_SPAWN_VFORK, CLONE_FILES, crowd_parent, &c, NULL);
	if (pid < 0)
		fail(EXIT_SETUP, verb, "starting the intermediate: %s", strerror(-pid));
	err = wait_for(pid);
	if (err < 0)
		fail(EXIT_SETUP, verb, "waitpid: %s", strerror(-err));
	if (c.watch_errno)
		fail(EXIT_SETUP, verb, "epoll_ctl: %s", strerror(c.watch_errno));
	if (kind == CROWD_ORPHANS)
		release_orphans(&c);
	publish_spawned(&c, p->ch);
	err = wait_reaped(&c, p->ch);
	if (err < 0)
		fail(EXIT_SETUP, verb, "epoll_wait: %s", strerror(-err));
	publish_reaped(&c, p->ch);
	status = crowd_report(&c);
	free_crowd(&c);
	return status;
}

static int cmd_orphans(int argc, char **argv, struct payload *p)
{
	return run_crowd(CROWD_ORPHANS, "orphans", argc, argv, p);
}

static int cmd_zombies(int argc, char **argv, struct payload *p)
{
	return run_crowd(CROWD_ZOMBIES, "zombies", argc, argv, p);
}

/* ---- main -------------------------------------------------------------- */

struct verb {
	const char *name;
	int (*run)(int argc, char **argv, struct payload *p);
};

static const struct verb verbs[] = {
	{ "exit", cmd_exit },
	{ "kill-self", cmd_kill_self },
	{ "sleep", cmd_sleep },
	{ "signal-recorder", cmd_signal_recorder },
	{ "orphans", cmd_orphans },
	{ "zombies", cmd_zombies },
};

#define VERB_LIST "exit, kill-self, sleep, signal-recorder, orphans, zombies"

int main(int argc, char **argv)
{
	int64_t t_start = now_ns();
	struct payload p = { 0 };
	size_t i;

	if (argc < 2)
		fail(EXIT_USAGE, "usage", "rb-payload VERB ARGS... (verbs: " VERB_LIST ")");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[1], verbs[i].name) == 0) {
			int status;

			map_channel(&p);
			describe_start(p.ch, t_start);
			status = verbs[i].run(argc - 1, argv + 1, &p);
			__atomic_store_n(&p.ch->t_exit_ns, now_ns(), __ATOMIC_RELEASE);
			return status;
		}
	}
	fail(EXIT_USAGE, argv[1], "unknown verb (verbs: " VERB_LIST ")");
}
