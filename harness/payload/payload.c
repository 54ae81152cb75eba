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
 *                              [--kill-pid1 SIG] [--storm-rate R --storm-count N]
 *   rb-payload orphans N [--method clone-vm|fork] [--hold-ms MS] [--wait-reaped-ms MS]
 *   rb-payload zombies N [--method clone-vm|fork] [--hold-ms MS] [--wait-reaped-ms MS]
 *   rb-payload storm PATTERN [--count N] [--method clone-vm|vfork|fork] [--branch B]
 *                    [--depth D] [--threads K] [--rate R] [--hold-ms MS] [--wait-reaped-ms MS]
 *                    [--resolution-us US] [--no-monitor] [--spawners N]
 *   rb-payload leave N [--method clone-vm|fork] [--seconds S]
 *   rb-payload scenario [FILE]        (payload_scenario.c: the scenario fuzzer's app)
 *
 * orphans and zombies are the storm patterns burst and hoard (bench/storm.h),
 * with their old defaults (10 s to wait for the reaps). leave makes N
 * children that block (for --seconds, default 60, a bound for runs outside
 * a sandbox) and exits at once: PID 1's end must take them down (reapbench
 * startup times that teardown).
 *
 * Exit status: 2 bad arguments or channel; 4 the set-up failed (a system
 * call that must not fail did); kill-self 125: the signal had no effect;
 * orphans, zombies and storm: 0 all spawned and reaped, 1 some spawns failed
 * (the others were reaped), 3 some were not reaped within --wait-reaped-ms;
 * leave: 0 all N left alive, 1 some spawns failed.
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
#include "payload_scenario.h"
#include "signames.h"
#include "spawn.h"
#include "stats.h"
#include "storm.h"
#include "storm_args.h"

#define EXIT_USAGE 2
#define EXIT_SETUP 4
#define EXIT_NO_EFFECT 125

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* Signals 1..64, as the channel's 64-bit masks hold them. */
#define RB_NSIG 64

struct payload {
	struct rb_channel *ch; /* never NULL: private when the harness gave none */
	size_t ch_len;         /* bytes mapped: the struct, and the storm's area after it */
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

static void vcomplain(const char *verb, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "rb-payload: %s: %s\n", verb, line);
}

__attribute__((format(printf, 2, 3)))
static void complain(const char *verb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(verb, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4), noreturn))
static void fail(int status, const char *verb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(verb, fmt, ap);
	va_end(ap);
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
	p->ch_len = sizeof(struct rb_channel);
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
		/* the whole file: a storm's samples follow the struct */
		m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			err = -errno;
		} else {
			p->ch = m;
			p->ch_len = (size_t)st.st_size;
		}
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

/* Decimal, positive ("2000", "0.5"). */
static double need_rate(const char *verb, const char *what, const char *s)
{
	size_t len = strspn(s, "0123456789.");
	char *end;
	double v;

	v = strtod(s, &end);
	if (len == 0 || s[len] != '\0' || *end != '\0' || !(v > 0) || v > 1e7)
		fail(EXIT_USAGE, verb, "%s: expected a positive rate up to 1e7 per second, got '%s'",
		     what, s);
	return v;
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
	double storm_rate;           /* a background orphan stream at this rate; 0: none */
	unsigned long storm_count;   /* of this many orphans */
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
		else if ((v = option_value(argc, argv, &i, "storm-rate", verb)))
			rec->storm_rate = need_rate(verb, "--storm-rate", v);
		else if ((v = option_value(argc, argv, &i, "storm-count", verb)))
			rec->storm_count = need_count(verb, "--storm-count", v, STORM_MAX_COUNT);
		else
			fail(EXIT_USAGE, verb, "unknown argument '%s'", argv[i]);
	}
	if ((rec->storm_rate > 0) != (rec->storm_count > 0))
		fail(EXIT_USAGE, verb, "--storm-rate and --storm-count go together");
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

static pid_t start_background_storm(const struct recorder *rec, struct payload *p);

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
	/* Under a storm, SIGCHLD is not logged: as PID 1 (mode none) every orphan's
	 * exit would fill the log that the train's receipts need. */
	if (rec.storm_rate > 0 && signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		fail(EXIT_SETUP, verb, "signal(SIGCHLD): %s", strerror(errno));
	if (rec.storm_rate > 0 && start_background_storm(&rec, p) < 0)
		fail(EXIT_SETUP, verb, "starting the background storm: %s", strerror(errno));
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

/* ---- storms: orphans, zombies, storm PATTERN ----------------------------- */

static enum rb_spawn_method need_method(const char *verb, const char *v, bool legacy)
{
	int m = rb_spawn_method_parse(v);

	/* orphans and zombies never took vfork (it would park the maker) */
	if (legacy && m != RB_SPAWN_CLONE_VM && m != RB_SPAWN_FORK)
		fail(EXIT_USAGE, verb, "--method: expected clone-vm or fork, got '%s'", v);
	if (m < 0)
		fail(EXIT_USAGE, verb, "--method: expected clone-vm, vfork or fork, got '%s'", v);
	return (enum rb_spawn_method)m;
}

static bool is_count_word(const char *a)
{
	return a[0] != '-' || (a[1] >= '0' && a[1] <= '9');
}

/* orphans N / zombies N [--method M] [--hold-ms MS] [--wait-reaped-ms MS] */
static void parse_legacy(const char *verb, int argc, char **argv, struct storm_opts *o)
{
	bool have_n = false;
	const char *v;

	o->wait_ns = 10000 * NS_PER_MS;
	for (int i = 1; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "method", verb)))
			o->method = need_method(verb, v, true);
		else if ((v = option_value(argc, argv, &i, "hold-ms", verb)))
			o->hold_ns = (int64_t)need_count(verb, "--hold-ms", v, 1ul << 31) * NS_PER_MS;
		else if ((v = option_value(argc, argv, &i, "wait-reaped-ms", verb)))
			o->wait_ns = (int64_t)need_count(verb, "--wait-reaped-ms", v, 1ul << 31) * NS_PER_MS;
		else if (!have_n && is_count_word(argv[i])) {
			o->count = need_count(verb, "count", argv[i], 1ul << 24);
			have_n = true;
		} else
			fail(EXIT_USAGE, verb, "unknown argument '%s'", argv[i]);
	}
	if (!have_n)
		fail(EXIT_USAGE, verb, "missing count");
}

/* storm PATTERN [OPTIONS]: the options of bench/storm_args.c */
static const struct storm_pattern *parse_storm(int argc, char **argv, struct storm_opts *o)
{
	const char *verb = "storm";
	const struct storm_pattern *pat;
	char why[160];

	if (argc < 2)
		fail(EXIT_USAGE, verb, "missing pattern (%s)", storm_pattern_names());
	pat = storm_pattern_find(argv[1]);
	if (!pat)
		fail(EXIT_USAGE, verb, "unknown pattern '%s' (%s)", argv[1], storm_pattern_names());
	for (int i = 2; i < argc; i++) {
		int rc = storm_args_parse(argc, argv, &i, o, why, sizeof(why));

		if (rc < 0)
			fail(EXIT_USAGE, verb, "%s", why);
		if (rc == 0)
			fail(EXIT_USAGE, verb, "unknown argument '%s'", argv[i]);
	}
	if (!(pat->methods & STORM_METHOD_BIT(o->method)))
		fail(EXIT_USAGE, verb, "%s cannot use --method %s (vfork parks the maker until its "
		     "child exits, and %s's children do not exit at once)", pat->name,
		     rb_spawn_method_name(o->method), pat->name);
	return pat;
}

static void storm_defaults(struct storm_opts *o)
{
	storm_opts_defaults(o);
	/* the harness says how many spawners (reapbench storm --spawners); the
	 * generator gate's negative control (tests/integration/gate_ab.sh): a
	 * generator made slower by a known amount, with no other change */
	if (getenv("REAPBENCH_STORM_SPAWN_SPIN_NS"))
		o->spawn_spin_ns = strtoll(getenv("REAPBENCH_STORM_SPAWN_SPIN_NS"), NULL, 10);
}

/* signal-recorder --storm-rate: a child that runs the stream pattern (an
 * open loop of orphans, all PID 1's to reap) while the recorder records, so
 * that signals are forwarded under reaping load. It keeps the recorder's
 * mask (everything blocked): a signal forwarded to the group stays pending
 * there instead of killing it. It writes the storm's part of the channel
 * (counters, start and end), not the recorder's. */
static pid_t start_background_storm(const struct recorder *rec, struct payload *p)
{
	pid_t parent = getpid(), pid;
	struct storm_report rep;
	struct storm_opts o;
	char msg[256];

	pid = fork();
	if (pid != 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(EXIT_SETUP);
	storm_defaults(&o);
	o.rate = rec->storm_rate;
	o.count = rec->storm_count;
	o.wait_ns = NS_PER_S;
	_exit(storm_run(storm_pattern_find("stream"), &o, p->ch, p->ch_len, &rep, msg, sizeof(msg)));
}

/* Reap latency of the storm's samples, for the report line: p50, p99 and
 * the maximum in ms, over the reaped samples (returned). */
static size_t latency_summary(const struct rb_channel *ch, const struct rb_storm_sample *smp,
			      uint32_t n, double q[3])
{
	double *lat = malloc((n ? n : 1) * sizeof(*lat));
	uint32_t k = 0;
	int64_t ns;

	if (!lat)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		if ((ns = rb_storm_latency_ns(&ch->storm, smp, n, i)) >= 0)
			lat[k++] = (double)ns / NS_PER_MS;
	if (k) {
		rb_sort_doubles(lat, k);
		q[0] = rb_percentile_sorted(lat, k, 50);
		q[1] = rb_percentile_sorted(lat, k, 99);
		q[2] = lat[k - 1];
	}
	free(lat);
	return k;
}

static int storm_report_line(const char *verb, const struct storm_opts *o,
			     const struct storm_report *r, const struct rb_channel *ch)
{
	double spawn_ms = ms_between(r->t_spawn_start, r->t_spawn_end), q[3];
	int64_t end = r->t_all_reaped ? r->t_all_reaped : now_ns();
	char failed[64], missing[64], lat[256] = "";
	const char *ename = r->failed ? strerrorname_np(r->spawn_errno) : NULL;
	size_t k;

	if (r->failed)
		snprintf(failed, sizeof(failed), "%lu failed: %s", r->failed, ename ? ename : "?");
	else
		snprintf(failed, sizeof(failed), "0 failed");
	missing[0] = '\0';
	if (r->reaped < r->spawned)
		snprintf(missing, sizeof(missing), ", %lu not reaped%s", r->spawned - r->reaped,
			 r->we_are_pid1 ? " (we are PID 1: nobody else reaps)" : "");
	if (o->no_monitor)
		snprintf(lat, sizeof(lat), "; monitoring off (--no-monitor): no reap latency, counts "
			 "from the pids at the end");
	else if (r->samples && (k = latency_summary(ch, r->samples, r->nsamples, q)) > 0)
		snprintf(lat, sizeof(lat), "; reap latency p50 %.3f p99 %.3f max %.3f ms (%zu, %u in "
			 "one wakeup), peak zombies %u; observer %s %.1f ms CPU, %llu wakeups", q[0], q[1],
			 q[2], k, ch->storm.coalesced, ch->storm.zombies_peak,
			 ch->storm.observer_rt ? "SCHED_FIFO" : "SCHED_OTHER",
			 ch->storm.observer_cpu_ns / 1e6, (unsigned long long)ch->storm.observer_wakeups);
	complain(verb, "spawned %lu of %lu (%s), reaped %lu in %.1f ms%s; "
		 "spawning took %.1f ms (%.0f/s, %s, %u spawner%s)%s",
		 r->spawned, r->count, failed, r->reaped, ms_between(r->t_released, end), missing,
		 spawn_ms, spawn_ms > 0 ? (double)r->spawned / spawn_ms * 1000 : 0.0,
		 rb_spawn_method_name(o->method), r->spawners, r->spawners == 1 ? "" : "s", lat);
	if (ch->storm.unsettled)
		complain(verb, "%u spawn(s) never finished: a storm process died while spawning",
			 ch->storm.unsettled);
	if (r->reaped < r->spawned)
		return 3;
	return r->failed || ch->storm.unsettled ? 1 : 0;
}

static int run_storm(const char *verb, const struct storm_pattern *pat, const struct storm_opts *o,
		     struct payload *p)
{
	struct storm_report rep;
	char msg[256];
	int rc;

	rc = storm_run(pat, o, p->ch, p->ch_len, &rep, msg, sizeof(msg));
	if (rc)
		fail(rc, verb, "%s", msg);
	return storm_report_line(verb, o, &rep, p->ch);
}

static int cmd_orphans(int argc, char **argv, struct payload *p)
{
	struct storm_opts o;

	storm_defaults(&o);
	parse_legacy("orphans", argc, argv, &o);
	return run_storm("orphans", storm_pattern_find("burst"), &o, p);
}

static int cmd_zombies(int argc, char **argv, struct payload *p)
{
	struct storm_opts o;

	storm_defaults(&o);
	parse_legacy("zombies", argc, argv, &o);
	return run_storm("zombies", storm_pattern_find("hoard"), &o, p);
}

static int cmd_storm(int argc, char **argv, struct payload *p)
{
	const struct storm_pattern *pat;
	struct storm_opts o;
	char verb[32];

	storm_defaults(&o);
	pat = parse_storm(argc, argv, &o);
	snprintf(verb, sizeof(verb), "storm %s", pat->name);
	return run_storm(verb, pat, &o, p);
}

/* ---- leave --------------------------------------------------------------- */

/* A left child: blocks until the kernel kills it, or until the monotonic
 * second in ARG (a bound, for a payload run outside any sandbox). Raw calls
 * only (clone-vm); the bound travels in the pointer, not in memory. */
static int block_until(void *arg)
{
	struct timespec until = { .tv_sec = (time_t)(uintptr_t)arg };

	while (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) != 0)
		;
	return 0;
}

/* leave N [--method clone-vm|fork] [--seconds S]: N children alive, then exit
 * 0 without waiting for them. Their stacks stay mapped: a clone-vm child keeps
 * the address space after we are gone. */
static int cmd_leave(int argc, char **argv, struct payload *p)
{
	const char *verb = "leave", *v;
	enum rb_spawn_method method = RB_SPAWN_CLONE_VM;
	unsigned long n = 0, made = 0, failed = 0;
	int64_t bound_ns = 60 * NS_PER_S; /* the sandbox's default deadline */
	struct rb_spawner sp;
	bool have_n = false;
	int first_err = 0;
	void *until;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if ((v = option_value(argc, argv, &i, "method", verb)))
			method = need_method(verb, v, true);
		else if ((v = option_value(argc, argv, &i, "seconds", verb)))
			bound_ns = need_seconds(verb, "--seconds", v);
		else if (!have_n && is_count_word(argv[i])) {
			n = need_count(verb, "count", argv[i], 1ul << 22);
			have_n = true;
		} else
			fail(EXIT_USAGE, verb, "unknown argument '%s'", argv[i]);
	}
	if (!have_n)
		fail(EXIT_USAGE, verb, "missing count");
	until = (void *)(uintptr_t)((now_ns() + bound_ns) / NS_PER_S + 1);
	rb_spawner_init(&sp, 0);
	for (unsigned long k = 0; k < n; k++) {
		pid = rb_spawn(&sp, method, block_until, until, NULL);
		if (pid < 0 && !first_err)
			first_err = (int)-pid;
		made += pid > 0;
		failed += pid < 0;
	}
	p->ch->spawned = made;
	p->ch->spawn_failed = failed;
	p->ch->spawn_errno = first_err;
	if (failed) {
		complain(verb, "left %lu of %lu alive (%lu failed: %s)", made, n, failed,
			 strerrorname_np(first_err));
		return 1;
	}
	if (p->private_channel)
		complain(verb, "left %lu alive (%s) for at most %.0f s", made,
			 rb_spawn_method_name(method), (double)bound_ns / NS_PER_S);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

struct verb {
	const char *name;
	int (*run)(int argc, char **argv, struct payload *p);
	/* a process of a scenario that exec'd us again: not the app, so it
	 * must not describe itself in the channel as the app */
	bool not_the_app;
};

static int cmd_scenario(int argc, char **argv, struct payload *p)
{
	return rb_payload_scenario(argc, argv, p->ch);
}

static int cmd_scenario_member(int argc, char **argv, struct payload *p)
{
	return rb_payload_scenario_member(argc, argv, p->ch);
}

static const struct verb verbs[] = {
	{ .name = "exit", .run = cmd_exit },
	{ .name = "kill-self", .run = cmd_kill_self },
	{ .name = "sleep", .run = cmd_sleep },
	{ .name = "signal-recorder", .run = cmd_signal_recorder },
	{ .name = "orphans", .run = cmd_orphans },
	{ .name = "zombies", .run = cmd_zombies },
	{ .name = "storm", .run = cmd_storm },
	{ .name = "leave", .run = cmd_leave },
	{ .name = "scenario", .run = cmd_scenario },
	{ .name = "scenario-member", .run = cmd_scenario_member, .not_the_app = true },
};

#define VERB_LIST "exit, kill-self, sleep, signal-recorder, orphans, zombies, storm, leave, scenario"

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
			if (verbs[i].not_the_app)
				return verbs[i].run(argc - 1, argv + 1, &p);
			describe_start(p.ch, t_start);
			status = verbs[i].run(argc - 1, argv + 1, &p);
			__atomic_store_n(&p.ch->t_exit_ns, now_ns(), __ATOMIC_RELEASE);
			return status;
		}
	}
	fail(EXIT_USAGE, argv[1], "unknown verb (verbs: " VERB_LIST ")");
}
