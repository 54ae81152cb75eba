/* rb-init: the reference PID 1 of reapbench.
 *
 * Correct by default: it starts one command, forwards every signal it gets to
 * that command, reaps every child the kernel hands it (orphans included), and
 * exits with the command's status. --break=MODE turns on exactly one defect,
 * so that the benchmark can show it catches that defect (a negative control).
 *
 * Behaviour follows tini (signal mask + sigtimedwait loop, waitpid(-1) reap
 * loop, 128+S on death by signal); the code is written from scratch. */

#include "signames.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RB_VERSION
#define RB_VERSION "0.1.0"
#endif

#define EXIT_USAGE 2
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127
#define KEEP_GOING (-1) /* parse_args: not an exit code, run the command */

#define USAGE "usage: rb-init [--break=MODE] [--drop=SIG] [--slow-timer-ms=N] " \
	      "[--reap-delay-us=N] [--reap-spin-ns=N] [-V|--version] -- CMD [ARGS...]"

/* Each mode is one defect against the correct reaper (BREAK_NONE). */
enum break_mode {
	BREAK_NONE,
	BREAK_REAP_ONCE,   /* one waitpid per SIGCHLD: coalesced SIGCHLDs leak zombies */
	BREAK_DIRECT_ONLY, /* waitpid(child), never -1: orphans stay zombies */
	BREAK_DROP_SIGNAL, /* --drop=SIG is not forwarded */
	BREAK_LOSE_STATUS, /* exits 0 whatever the child's status */
	BREAK_SLOW_TIMER,  /* ignores SIGCHLD, reaps on a timer only */
	BREAK_EXEC_CODE,   /* exec failure exits 1, not 127/126 */
	BREAK_DIRTY_CHILD, /* the child starts with SIGUSR2 blocked and SIGPIPE ignored */
	BREAK_WAIT_ALL,    /* after the child, waits for every other process too */
	BREAK_DOUBLE_FORWARD, /* forwards every signal twice, 2 ms apart */
	BREAK_RESCAN,      /* walks /proc before every reap: O(N) per reap */
};

static const struct {
	const char *name;
	enum break_mode mode;
} break_modes[] = {
	{ "none", BREAK_NONE },
	{ "reap-once", BREAK_REAP_ONCE },
	{ "direct-only", BREAK_DIRECT_ONLY },
	{ "drop-signal", BREAK_DROP_SIGNAL },
	{ "lose-status", BREAK_LOSE_STATUS },
	{ "slow-timer", BREAK_SLOW_TIMER },
	{ "exec-code", BREAK_EXEC_CODE },
	{ "dirty-child", BREAK_DIRTY_CHILD },
	{ "wait-all", BREAK_WAIT_ALL },
	{ "double-forward", BREAK_DOUBLE_FORWARD },
	{ "rescan", BREAK_RESCAN },
};

struct config {
	enum break_mode mode;
	int drop_sig;
	long slow_timer_ms;
	long reap_delay_us;
	long reap_spin_ns;
	char **cmd;
};

struct child {
	pid_t pid;
	bool done; /* reaped; status is valid */
	int status;
};

/* A fixed-rate timer for --break=slow-timer; period 0 = off. */
struct ticker {
	int64_t period_ns;
	int64_t next_ns;
};

/* Events of the main loop besides a signal number. */
enum { EV_NONE = -1, EV_TICK = 0 };

/* ---- options ---------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "rb-init: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	return EXIT_USAGE;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_mode(const char *s, enum break_mode *out)
{
	for (size_t i = 0; i < sizeof break_modes / sizeof break_modes[0]; i++) {
		if (strcmp(s, break_modes[i].name) == 0) {
			*out = break_modes[i].mode;
			return true;
		}
	}
	return false;
}

/* Returns KEEP_GOING, or the code to exit with (--version, bad usage). */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	static const struct option longopts[] = {
		{ "break", required_argument, NULL, 'b' },
		{ "drop", required_argument, NULL, 'd' },
		{ "slow-timer-ms", required_argument, NULL, 't' },
		{ "reap-delay-us", required_argument, NULL, 'r' },
		{ "reap-spin-ns", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*cfg = (struct config){ .drop_sig = SIGUSR1, .slow_timer_ms = 1000 };
	opterr = 0; /* we print one line of our own */
	/* "+": stop at the first non-option, it and the rest are CMD's. */
	while ((c = getopt_long(argc, argv, "+Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (!parse_mode(optarg, &cfg->mode))
				return usage_error("unknown break mode '%s'", optarg);
			break;
		case 'd':
			cfg->drop_sig = rb_signal_parse(optarg);
			/* KILL and STOP never reach us, CHLD is never forwarded */
			if (cfg->drop_sig < 0 || cfg->drop_sig == SIGKILL ||
			    cfg->drop_sig == SIGSTOP || cfg->drop_sig == SIGCHLD)
				return usage_error("--drop: not a forwardable signal: '%s'", optarg);
			break;
		case 't':
			if (!parse_long(optarg, 1, 3600 * 1000L, &cfg->slow_timer_ms))
				return usage_error("--slow-timer-ms: bad value '%s'", optarg);
			break;
		case 'r':
			if (!parse_long(optarg, 0, 60 * 1000000L, &cfg->reap_delay_us))
				return usage_error("--reap-delay-us: bad value '%s'", optarg);
			break;
		case 's':
			if (!parse_long(optarg, 0, 1000000000L, &cfg->reap_spin_ns))
				return usage_error("--reap-spin-ns: bad value '%s'", optarg);
			break;
		case 'V':
			printf("rb-init %s\n", RB_VERSION);
			return 0;
		case 'h':
			printf("%s\nmodes: none reap-once direct-only drop-signal lose-status "
			       "slow-timer exec-code dirty-child wait-all double-forward rescan\n",
			       USAGE);
			return 0;
		default:
			return usage_error("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no command given");
	cfg->cmd = argv + optind;
	return KEEP_GOING;
}

/* ---- setup ------------------------------------------------------------ */

static int fail(const char *what, int err)
{
	fprintf(stderr, "rb-init: %s: %s\n", what, strerror(err));
	return EXIT_FAILURE;
}

/* Everything stays blocked for our whole life and is taken with
 * sigwaitinfo(), so no signal is lost between now and the loop. */
static int block_signals(sigset_t *all)
{
	sigfillset(all);
	if (sigprocmask(SIG_SETMASK, all, NULL) < 0)
		return errno;
	/* An inherited SIG_IGN for SIGCHLD makes the kernel auto-reap, and
	 * the child's status would be lost. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		return errno;
	return 0;
}

/* Outside PID 1, orphans of our subtree must come to us, not to init. */
static int become_subreaper(void)
{
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return errno;
	return 0;
}

/* The child's start: every disposition default, an empty mask, through raw
 * system calls. glibc's sigaction and sigprocmask skip its two internal
 * signals (32, 33), and posix_spawn leaves them SIG_IGN across exec; a
 * container runtime hands the application none of that. */
static void reset_signal_state(bool dirty)
{
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } dfl = { 0 };
	uint64_t none = 0;

	for (int sig = 1; sig <= 64; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(uint64_t));
	if (dirty) { /* --break=dirty-child */
		uint64_t usr2 = 1ULL << (SIGUSR2 - 1);
		struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ign = {
			.handler = SIG_IGN,
		};

		syscall(SYS_rt_sigprocmask, SIG_SETMASK, &usr2, NULL, sizeof(uint64_t));
		syscall(SYS_rt_sigaction, SIGPIPE, &ign, NULL, sizeof(uint64_t));
	}
}

/* vfork: no page-table copy (fork costs 1-2 ms on shadow-paged VMs). The
 * child shares our memory until it execs, so it hands exec's errno back
 * through EXEC_ERR. It stays in our process group. Returns 0 or an errno. */
static int spawn(char *const argv[], bool dirty, pid_t *pid)
{
	volatile int exec_err = 0;
	pid_t child = vfork();

	if (child < 0)
		return errno;
	if (child == 0) {
		reset_signal_state(dirty);
		execvp(argv[0], argv);
		exec_err = errno;
		_exit(127);
	}
	if (exec_err) {
		waitpid(child, NULL, 0);
		return exec_err;
	}
	*pid = child;
	return 0;
}

/* ---- the loop's steps ------------------------------------------------- */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct ticker ticker_start(const struct config *cfg)
{
	struct ticker t = { 0, 0 };

	if (cfg->mode == BREAK_SLOW_TIMER) {
		t.period_ns = cfg->slow_timer_ms * 1000000LL;
		t.next_ns = now_ns() + t.period_ns;
	}
	return t;
}

/* True if a tick is due (and schedules the next one); else the time left. */
static bool tick_due(struct ticker *t, struct timespec *left)
{
	int64_t now = now_ns();

	if (now >= t->next_ns) {
		while (t->next_ns <= now) /* fixed rate: skip missed ticks */
			t->next_ns += t->period_ns;
		return true;
	}
	left->tv_sec = (t->next_ns - now) / 1000000000LL;
	left->tv_nsec = (t->next_ns - now) % 1000000000LL;
	return false;
}

/* Sets *ev to a signal number, EV_TICK or EV_NONE. Returns 0 or an errno. */
static int next_event(const sigset_t *set, struct ticker *t, int *ev)
{
	struct timespec left;
	int sig;

	if (t->period_ns == 0) {
		sig = sigwaitinfo(set, NULL);
	} else if (tick_due(t, &left)) {
		*ev = EV_TICK;
		return 0;
	} else {
		sig = sigtimedwait(set, NULL, &left);
	}
	*ev = sig > 0 ? sig : EV_NONE;
	if (sig < 0 && errno != EAGAIN && errno != EINTR)
		return errno;
	return 0;
}

static bool wants_reap(const struct config *cfg, int ev)
{
	if (ev == SIGCHLD)
		return cfg->mode != BREAK_SLOW_TIMER;
	return ev == EV_TICK;
}

static bool wants_forward(const struct config *cfg, int ev)
{
	if (ev <= 0 || ev == SIGCHLD)
		return false;
	return !(cfg->mode == BREAK_DROP_SIGNAL && ev == cfg->drop_sig);
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, us % 1000000 * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --reap-delay-us stalls before a reap that will succeed, with the zombie
 * still there, which is what a slow reaper looks like from outside. */
static pid_t reap_one(pid_t which, int *status, long delay_us)
{
	siginfo_t si = { 0 };

	if (delay_us > 0 &&
	    waitid(which < 0 ? P_ALL : P_PID, which < 0 ? 0 : (id_t)which, &si,
		   WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
		sleep_us(delay_us);
	return waitpid(which, status, WNOHANG);
}

/* --reap-spin-ns burns CPU after each reap: a reaper slower at reaping by a
 * known fraction of a reap (~2 us here), which nanosleep cannot make (its
 * wakeup alone costs tens of us on a VM). */
static void spin_ns(long ns)
{
	int64_t end = now_ns() + ns;

	while (now_ns() < end)
		;
}

/* --break=rescan: what a reaper that looks each child up in its process
 * table does, the table being /proc: every entry read, every time. */
static void rescan_proc(void)
{
	DIR *d = opendir("/proc");

	if (!d)
		return;
	while (readdir(d))
		;
	closedir(d);
}

/* SIGCHLD coalesces, so one notification may stand for many exits: reap
 * until nothing is left. Returns 0 or an errno. */
static int reap(const struct config *cfg, struct child *c)
{
	pid_t which = cfg->mode == BREAK_DIRECT_ONLY ? c->pid : -1;
	pid_t pid;
	int status;

	do {
		if (cfg->mode == BREAK_RESCAN)
			rescan_proc();
		pid = reap_one(which, &status, cfg->reap_delay_us);
		if (pid > 0 && cfg->reap_spin_ns > 0)
			spin_ns(cfg->reap_spin_ns);
		if (pid > 0 && pid == c->pid) {
			c->status = status;
			c->done = true;
		}
	} while (pid > 0 && cfg->mode != BREAK_REAP_ONCE);
	if (pid < 0 && errno != ECHILD)
		return errno;
	return 0;
}

/* Like tini without -g: to the child alone. It may be gone already. */
static int forward(pid_t child, int sig)
{
	if (kill(child, sig) < 0 && errno != ESRCH)
		return errno;
	return 0;
}

/* Like a shell: N for exit(N), 128+S for death by signal S. */
static int exit_code(const struct config *cfg, int status)
{
	if (cfg->mode == BREAK_LOSE_STATUS)
		return 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The PID 1 loop: one event at a time, until the main child is reaped. */
/* --break=wait-all: is any child (an orphan handed to us) still there? */
static bool children_left(void)
{
	siginfo_t si;

	return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

static int supervise(const struct config *cfg, const sigset_t *all, pid_t pid)
{
	struct child child = { .pid = pid };
	struct ticker tick = ticker_start(cfg);
	int ev, err;

	for (;;) {
		if ((err = next_event(all, &tick, &ev)))
			return fail("sigwaitinfo", err);
		if (wants_reap(cfg, ev) && (err = reap(cfg, &child)))
			return fail("waitpid", err);
		if (wants_forward(cfg, ev) && (err = forward(child.pid, ev)))
			return fail("kill", err);
		if (wants_forward(cfg, ev) && cfg->mode == BREAK_DOUBLE_FORWARD) {
			sleep_us(2000);
			if ((err = forward(child.pid, ev)))
				return fail("kill", err);
		}
		if (child.done && (cfg->mode != BREAK_WAIT_ALL || !children_left()))
			return exit_code(cfg, child.status);
	}
}

int main(int argc, char **argv)
{
	struct config cfg;
	sigset_t all;
	pid_t pid;
	int err, rc;

	rc = parse_args(argc, argv, &cfg);
	if (rc != KEEP_GOING)
		return rc;
	if ((err = block_signals(&all)))
		return fail("sigprocmask", err);
	if ((err = become_subreaper()))
		return fail("prctl(PR_SET_CHILD_SUBREAPER)", err);
	if ((err = spawn(cfg.cmd, cfg.mode == BREAK_DIRTY_CHILD, &pid))) {
		fprintf(stderr, "rb-init: exec %s: %s\n", cfg.cmd[0], strerror(err));
		if (cfg.mode == BREAK_EXEC_CODE)
			return 1;
		return err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC;
	}
	/* After the spawn, so that the child does not inherit it: without
	 * this, a short nanosleep is rounded up by the default 50 us slack. */
	if (cfg.reap_delay_us > 0)
		prctl(PR_SET_TIMERSLACK, 1UL);
	return supervise(&cfg, &all, pid);
}
