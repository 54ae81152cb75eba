#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/sched.h>

#include "signames.h"
#include "procfs.h"

const char *const rb_runtime_names[] = { "own", "runc", NULL };

/* What PID 1's setup step failed, sent back over the CLOEXEC error pipe;
 * EOF on that pipe means the exec succeeded. */
struct setup_failure {
	int errnum;
	char stage[64];
};

static int pidfd_send(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Block the signals that stop a run; the wait loop reads them from a
 * signalfd so that Ctrl-C tears the sandbox down instead of leaving it. */
static int open_stop_signalfd(struct rb_error *err)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return rb_sys_error(err, errno, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return rb_sys_error(err, errno, "signalfd");
	return fd;
}

/* The program under test starts as a container runtime would start it:
 * empty signal mask, every disposition default. */
static void reset_signals(void)
{
	/* Raw system calls: glibc's signal() and sigprocmask() skip its own
	 * signals 32 and 33, which a parent (timeout, a CI runner) may have set
	 * to SIG_IGN, and SIG_IGN survives exec. */
	struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } dfl = { 0 };
	uint64_t none = 0;

	for (int s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(uint64_t));
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(uint64_t));
}

static int write_string(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* What a container runtime gives its process, done for PID 1 and for joined
 * workloads alike: stdin from /dev/null (tini's child would otherwise take
 * the terminal's foreground with tcsetpgrp), stdout/stderr where the run
 * wants them, no core files (core_pattern may write them into the cwd). */
static void container_stdio(int output_fd)
{
	struct rlimit no_core = { 0, 0 };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		close(null);
	}
	if (output_fd >= 0) {
		dup2(output_fd, STDOUT_FILENO);
		dup2(output_fd, STDERR_FILENO);
	}
	setrlimit(RLIMIT_CORE, &no_core);
}

static _Noreturn void child_fail(int errfd, const char *stage)
{
	struct setup_failure f = { .errnum = errno };

	snprintf(f.stage, sizeof(f.stage), "%s", stage);
	if (write(errfd, &f, sizeof(f)) < 0)
		_exit(126);
	_exit(126);
}

/* The last steps of PID 1, and of a workload joining its namespaces: a
 * session of its own, as runc gives every container process (job-control
 * signals then do not depend on how the harness was run, and a kill(0, ...)
 * inside does not reach the harness's group), the sandbox's stdio, no
 * inherited fds or signal state; then ARGV. */
static _Noreturn void exec_in_container(int errfd, const struct rb_sandbox_opts *opts,
					char *const argv[])
{
	if (setsid() < 0)
		child_fail(errfd, "setsid");
	container_stdio(opts->output_fd);
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	reset_signals();
	execve(argv[0], argv, opts->env);
	child_fail(errfd, "exec");
}

/* Runs as PID 1 of the new namespaces, before exec. */
static _Noreturn void pid1_child(int go_fd, int errfd, const struct rb_sandbox_opts *opts,
				 bool set_pid_max, char *const argv[])
{
	char go, value[32];

	/* Die with the harness, even if it is SIGKILLed. If it died before this
	 * prctl, the go pipe reads EOF below and we leave. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(errfd, "prctl(PR_SET_PDEATHSIG)");
	if (read(go_fd, &go, 1) != 1)
		_exit(125);
	close(go_fd);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(errfd, "making / private");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_fail(errfd, "mounting /proc");
	if (set_pid_max) {
		snprintf(value, sizeof(value), "%ld", opts->pid_max);
		if (write_string("/proc/sys/kernel/pid_max", value) < 0)
			child_fail(errfd, "writing /proc/sys/kernel/pid_max");
	}
	exec_in_container(errfd, opts, argv);
}

static int write_id_maps(pid_t pid, struct rb_error *err)
{
	char path[64], map[64];

	snprintf(map, sizeof(map), "0 %d 1", (int)geteuid());
	snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
	if (write_string(path, map) < 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "writing %s", path);
	snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
	if (write_string(path, "deny") < 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "writing %s", path);
	snprintf(map, sizeof(map), "0 %d 1", (int)getegid());
	snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
	if (write_string(path, map) < 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "writing %s", path);
	return 0;
}

static void setup_cgroup(struct rb_sandbox *sb, const struct rb_sandbox_opts *opts)
{
	struct rb_error cg_err;

	rb_cgroup_sweep_stale();
	if (rb_cgroup_create(&sb->cg, opts->pids_max, &cg_err) == 0) {
		sb->has_cgroup = true;
		return;
	}
	snprintf(sb->cgroup_skip, sizeof(sb->cgroup_skip), "%s", cg_err.msg);
}

static pid_t clone_pid1(struct rb_sandbox *sb, struct rb_error *err)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_PIDFD | (sb->userns ? CLONE_NEWUSER : 0),
		.pidfd = (uintptr_t)&sb->pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));

	if (pid < 0) {
		int e = errno;

		if (e == EPERM || e == EINVAL || e == ENOSPC || e == ENOSYS)
			return rb_fail(err, RB_ERR_UNSUPPORTED, e,
				       "cannot create a %sPID namespace%s", sb->userns ? "user and " : "",
				       sb->userns ? " (are unprivileged user namespaces disabled?)"
						  : " (not root: try --userns yes)");
		return rb_sys_error(err, e, "clone3");
	}
	return pid;
}

/* Read the error pipe: EOF means exec succeeded. */
static int collect_setup_result(int errfd, const char *what, struct rb_error *err)
{
	struct setup_failure f;
	ssize_t n;

	do
		n = read(errfd, &f, sizeof(f));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(f))
		return rb_sys_error(err, n < 0 ? errno : EIO, "reading PID 1's setup result");
	f.stage[sizeof(f.stage) - 1] = '\0';
	if (strcmp(f.stage, "exec") == 0)
		return rb_fail(err, RB_ERR_INPUT, f.errnum, "cannot execute %s", what);
	return rb_fail(err, RB_ERR_UNSUPPORTED, f.errnum, "sandbox setup failed: %s", f.stage);
}

/* ---- the runc backend ------------------------------------------------------ */

/* Kill PID 1 (and so its namespace): through runc when it made it. */
static void kill_pid1(struct rb_sandbox *sb)
{
	if (sb->runtime == RB_RUNTIME_RUNC && rb_runc_kill(&sb->runc, SIGKILL) == 0)
		return;
	pidfd_send(sb->pidfd, SIGKILL);
}

/* PID 1 is a container's: its pidfd, runc's pids cgroup, pid_max from
 * outside (runc refuses the sysctl), the observer. */
static int adopt_runc_pid1(struct rb_sandbox *sb, const struct rb_sysinfo *si,
			   const struct rb_sandbox_opts *opts, struct rb_error *err)
{
	sb->pidfd = (int)syscall(SYS_pidfd_open, sb->pid1, 0);
	if (sb->pidfd < 0)
		return rb_sys_error(err, errno, "pidfd_open on the container's PID 1");
	sb->has_cgroup = true;
	sb->cg.version = sb->runc.cgroup_version;
	snprintf(sb->cg.path, sizeof(sb->cg.path), "%s", sb->runc.cgroup);
	sb->pid_max_set = si->per_ns_pid_max && opts->pid_max > 0;
	if (!sb->pid_max_set)
		snprintf(sb->pid_max_skip, sizeof(sb->pid_max_skip),
			 "kernel %s has no per-namespace pid_max (needs 6.14)", si->kernel);
	else if (rb_ns_set_pid_max(sb->pidfd, opts->pid_max, err) < 0)
		return -1;
	if (opts->on_created && opts->on_created(sb->pid1, opts->on_created_arg, err) < 0)
		return -1;
	return 0;
}

static void undo_runc(struct rb_sandbox *sb)
{
	if (sb->pid1 > 0) {
		pidfd_send(sb->pidfd, SIGKILL);
		waitpid(sb->pid1, NULL, 0);
		sb->pid1 = 0;
	}
	rb_runc_delete(&sb->runc, &(struct rb_error){ 0 });
}

/* rb_runc_create with OPTS's seccomp profile in SPEC. */
static int create_container(struct rb_runc *c, struct rb_runc_spec *spec,
			    const struct rb_sandbox_opts *opts, pid_t *pid, struct rb_error *err)
{
	int rc;

	spec->seccomp = rb_runc_seccomp(opts->seccomp, err);
	if (opts->seccomp != RB_SECCOMP_NONE && !spec->seccomp)
		return -1;
	rc = rb_runc_create(c, spec, opts->output_fd, pid, err);
	json_decref(spec->seccomp);
	spec->seccomp = NULL;
	return rc;
}

static int start_runc(struct rb_sandbox *sb, const struct rb_sysinfo *si,
		      const struct rb_sandbox_opts *opts, char *const argv[], struct rb_error *err)
{
	char cwd[PATH_MAX];
	struct rb_runc_spec spec = {
		.argv = argv, .env = opts->env, .pids_max = opts->pids_max,
		.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : "/",
	};

	if (opts->userns == RB_USERNS_YES)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0,
			       "--userns yes with --runtime runc: rootless runc is not supported yet");
	if (rb_runc_check(&sb->runc, err) < 0)
		return -1;
	rb_runc_sweep_stale(&sb->runc);
	rb_cgroup_sweep_stale(); /* and the channel files of killed harnesses */
	sb->sigfd = open_stop_signalfd(err);
	if (sb->sigfd < 0)
		return -1;
	if (create_container(&sb->runc, &spec, opts, &sb->pid1, err) < 0 ||
	    adopt_runc_pid1(sb, si, opts, err) < 0 || rb_runc_watch(&sb->runc, sb->pidfd, err) < 0)
		goto fail;
	sb->t_start_ns = rb_now_ns();
	sb->deadline_at_ns = sb->t_start_ns + opts->deadline_ns;
	if (rb_runc_start(&sb->runc, err) < 0)
		goto fail;
	return 0;
fail:
	undo_runc(sb);
	return -1;
}

/* ---- the own sandbox ------------------------------------------------------- */

int rb_sandbox_start(struct rb_sandbox *sb, const struct rb_sysinfo *si,
		     const struct rb_sandbox_opts *opts, char *const argv[], struct rb_error *err)
{
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int rc = -1;

	memset(sb, 0, sizeof(*sb));
	sb->pidfd = sb->sigfd = -1;
	sb->pids_peak = -1;
	sb->runtime = opts->runtime;
	if (sb->runtime == RB_RUNTIME_RUNC)
		return start_runc(sb, si, opts, argv, err);
	sb->userns = opts->userns == RB_USERNS_YES || (opts->userns == RB_USERNS_AUTO && !si->root);
	sb->pid_max_set = si->per_ns_pid_max && opts->pid_max > 0;
	if (!sb->pid_max_set)
		snprintf(sb->pid_max_skip, sizeof(sb->pid_max_skip),
			 "kernel %s has no per-namespace pid_max (needs 6.14)", si->kernel);
	setup_cgroup(sb, opts);
	if (!sb->has_cgroup && !sb->pid_max_set)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0,
			       "no bound on the pid space: %s, and %s", sb->cgroup_skip, sb->pid_max_skip);
	sb->sigfd = open_stop_signalfd(err);
	if (sb->sigfd < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		if (sb->sigfd >= 0)
			rb_sys_error(err, errno, "pipe2");
		goto out;
	}
	sb->pid1 = clone_pid1(sb, err);
	if (sb->pid1 < 0)
		goto out;
	if (sb->pid1 == 0) {
		close(go[1]);
		close(errp[0]);
		pid1_child(go[0], errp[1], opts, sb->pid_max_set, argv);
	}
	close(go[0]);
	close(errp[1]);
	go[0] = errp[1] = -1;
	if (sb->userns && write_id_maps(sb->pid1, err) < 0)
		goto kill;
	if (sb->has_cgroup && rb_cgroup_add(&sb->cg, sb->pid1, err) < 0)
		goto kill;
	if (opts->on_created && opts->on_created(sb->pid1, opts->on_created_arg, err) < 0)
		goto kill;
	sb->t_start_ns = rb_now_ns();
	sb->deadline_at_ns = sb->t_start_ns + opts->deadline_ns;
	if (write(go[1], "g", 1) != 1) {
		rb_sys_error(err, errno, "starting PID 1");
		goto kill;
	}
	if (collect_setup_result(errp[0], argv[0], err) < 0)
		goto kill;
	rc = 0;
	goto out;
kill:
	pidfd_send(sb->pidfd, SIGKILL);
	waitpid(sb->pid1, NULL, 0);
	sb->pid1 = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return rc;
}

/* ---- standalone mode: a workload joins PID 1's namespaces ---------------- */

static _Noreturn void joiner_child(struct rb_sandbox *sb, const struct rb_sandbox_opts *opts,
				   pid_t harness, int status_fd, int errfd, char *const argv[])
{
	int flags = CLONE_NEWPID | CLONE_NEWNS | (sb->userns ? CLONE_NEWUSER : 0);
	struct rb_error err;
	pid_t child;
	int st;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != harness)
		_exit(125);
	if (sb->has_cgroup && rb_cgroup_add(&sb->cg, getpid(), &err) < 0)
		child_fail(errfd, "joining the cgroup");
	if (setns(sb->pidfd, flags) < 0)
		child_fail(errfd, "setns into PID 1's namespaces");
	/* Our children, not we, are in the PID namespace: fork the workload
	 * and stay outside as its parent, like a container runtime's shim. */
	child = fork();
	if (child < 0)
		child_fail(errfd, "fork");
	if (child == 0) {
		exec_in_container(errfd, opts, argv);
	}
	/* Its host pid first (before the error pipe closes: the harness reads
	 * it once exec succeeded), its wait status when it ends. */
	if (write(status_fd, &child, sizeof(child)) != sizeof(child))
		_exit(124);
	close(errfd);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (write(status_fd, &st, sizeof(st)) != sizeof(st))
		_exit(124);
	_exit(0);
}

/* Under runc: a container of its own in PID 1's pid, ipc, uts and network
 * namespaces (by path), started as PID 1's was; the harness is its parent. */
static int join_runc(struct rb_sandbox *sb, struct rb_joined *j, const struct rb_sandbox_opts *opts,
		     char *const argv[], struct rb_error *err)
{
	char cwd[PATH_MAX];
	struct rb_runc_spec spec = {
		.argv = argv, .env = opts->env, .pids_max = opts->pids_max, .join_pid = sb->pid1,
		.cwd = getcwd(cwd, sizeof(cwd)) ? cwd : "/", .cgroup_parent = sb->runc.id,
	};

	if (rb_runc_check(&j->runc, err) < 0)
		return -1;
	if (create_container(&j->runc, &spec, opts, &j->pid, err) < 0) {
		rb_runc_delete(&j->runc, &(struct rb_error){ 0 });
		return -1;
	}
	sb->njoined++; /* from here on, destroy reaps and deletes it */
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	j->status_fd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	if (j->pidfd < 0 || j->status_fd < 0)
		return rb_sys_error(err, errno, "pidfd_open on the joined container's process");
	return rb_runc_start(&j->runc, err);
}

int rb_sandbox_join(struct rb_sandbox *sb, const struct rb_sandbox_opts *opts, char *const argv[],
		    struct rb_error *err)
{
	struct rb_joined *j = &sb->joined[sb->njoined];
	int statusp[2], errp[2];
	pid_t harness = getpid();

	if (sb->njoined >= RB_SANDBOX_MAX_JOINED)
		return rb_fail(err, RB_ERR_INPUT, 0, "at most %d workloads can join a sandbox",
			       RB_SANDBOX_MAX_JOINED);
	if (sb->runtime == RB_RUNTIME_RUNC) {
		*j = (struct rb_joined){ .helper = -1, .pid = -1, .pidfd = -1, .status_fd = -1,
					 .status = -1 };
		return join_runc(sb, j, opts, argv, err);
	}
	if (pipe2(statusp, O_CLOEXEC) < 0)
		return rb_sys_error(err, errno, "pipe2");
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;

		close(statusp[0]);
		close(statusp[1]);
		return rb_sys_error(err, e, "pipe2");
	}
	*j = (struct rb_joined){ .pid = -1, .pidfd = -1, .status_fd = -1, .status = -1 };
	j->helper = fork();
	if (j->helper < 0) {
		int e = errno;

		for (int i = 0; i < 2; i++) {
			close(statusp[i]);
			close(errp[i]);
		}
		return rb_sys_error(err, e, "fork");
	}
	if (j->helper == 0) {
		close(statusp[0]);
		close(errp[0]);
		joiner_child(sb, opts, harness, statusp[1], errp[1], argv);
	}
	sb->njoined++; /* from here on, destroy reaps the helper */
	close(statusp[1]);
	close(errp[1]);
	/* The helper's copy of the error pipe closes when it forks the
	 * workload and the workload's copy closes on exec: EOF means running. */
	if (collect_setup_result(errp[0], argv[0], err) < 0) {
		close(errp[0]);
		close(statusp[0]);
		return -1;
	}
	close(errp[0]);
	j->status_fd = statusp[0];
	if (read(j->status_fd, &j->pid, sizeof(j->pid)) != sizeof(j->pid))
		return rb_sys_error(err, EIO, "reading the joined workload's pid");
	/* The pid names the workload until the helper, its parent, reaps it.
	 * If it ended at once and was reaped already, pidfd_open fails (ESRCH):
	 * pids are allocated cyclically, so naming another process would take
	 * a wrap of the host's pid space in between. */
	j->pidfd = (int)syscall(SYS_pidfd_open, j->pid, 0);
	return 0;
}

int rb_sandbox_signal_joined(struct rb_sandbox *sb, int i, int sig)
{
	if (i < 0 || i >= sb->njoined || sb->joined[i].pidfd < 0)
		return -EBADF;
	if (sb->runtime == RB_RUNTIME_RUNC)
		return rb_runc_kill(&sb->joined[i].runc, sig) < 0 ? -EIO : 0;
	return pidfd_send(sb->joined[i].pidfd, sig) < 0 ? -errno : 0;
}

/* ---- waiting and teardown ------------------------------------------------ */

int rb_sandbox_signal(struct rb_sandbox *sb, int sig)
{
	return pidfd_send(sb->pidfd, sig) < 0 ? -errno : 0;
}

int rb_sandbox_stop_signal(struct rb_sandbox *sb, int sig)
{
	if (sb->runtime != RB_RUNTIME_RUNC)
		return rb_sandbox_signal(sb, sig);
	return rb_runc_kill(&sb->runc, sig) < 0 ? -EIO : 0;
}

static void read_joined_status(struct rb_sandbox *sb, int i);
static int joined_running(const struct rb_sandbox *sb);

/* Under runc the joined containers' processes are the harness's children,
 * and PID 1's exit waits until they are reaped: while waiting for PID 1,
 * reap each one that ends (in the own sandbox their helpers do). */
static bool runc_pid1_exited(struct rb_sandbox *sb, int timeout_ms)
{
	int64_t end = rb_now_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		struct pollfd fds[1 + RB_SANDBOX_MAX_JOINED] = { { .fd = sb->pidfd, .events = POLLIN } };
		int64_t left_ms = (end - rb_now_ns() + 999999) / 1000000;
		int n = 1;

		for (int i = 0; i < sb->njoined; i++)
			fds[n++] = (struct pollfd){ .fd = sb->joined[i].status_fd, .events = POLLIN };
		if (poll(fds, (nfds_t)n, left_ms > 0 ? (int)left_ms : 0) <= 0)
			return false;
		if (fds[0].revents & POLLIN)
			return true;
		for (int i = 0; i < sb->njoined; i++)
			if (fds[1 + i].revents & POLLIN)
				read_joined_status(sb, i);
	}
}

bool rb_sandbox_pid1_exited(struct rb_sandbox *sb, int timeout_ms)
{
	struct pollfd p = { .fd = sb->pidfd, .events = POLLIN };

	if (sb->runtime == RB_RUNTIME_RUNC && joined_running(sb) > 0)
		return runc_pid1_exited(sb, timeout_ms);
	return poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN);
}

/* When PID 1 exits (by itself or killed) the kernel ends its namespace, and
 * waits for each of its processes to die first; one that is runnable but
 * never run holds PID 1 there. Seen on 6.18: processes pinned to a CPU that
 * stopped running their task group (docs/storms.md). So every task of the
 * namespace is given every CPU of ours after a second, and again each
 * second; the wait gives up (ETIMEDOUT) after REAP_STALL_NS in which no
 * task went away, rather than hang the harness (a task frozen by a cgroup
 * freezer never goes). A nested namespace's tasks are not seen here. */
#define REAP_UNPIN_AFTER_NS 1000000000LL
#define REAP_STALL_NS (15 * 1000000000LL)

struct unpinned {
	cpu_set_t cpus;
	bool unpin;     /* cpus is ours (sched_getaffinity did not fail) */
	pid_t pid1;     /* not counted: it is the one waiting */
	int tasks;
	char left[160]; /* the first few, "pid (state)" */
};

static void unpin_task(pid_t tid, void *arg)
{
	struct unpinned *u = arg;
	size_t at = strlen(u->left);

	if (u->unpin)
		sched_setaffinity(tid, sizeof(u->cpus), &u->cpus);
	if (tid == u->pid1)
		return;
	if (u->tasks++ < 4)
		snprintf(u->left + at, sizeof(u->left) - at, "%s%d (%c)", at ? ", " : "", (int)tid,
			 rb_proc_state(tid));
	else if (u->tasks == 5)
		snprintf(u->left + at, sizeof(u->left) - at, ", ...");
}

static void say_stuck(struct rb_sandbox *sb, const struct unpinned *u)
{
	if (u->tasks < 0)
		snprintf(sb->stuck, sizeof(sb->stuck), "tasks /proc does not show");
	else if (u->tasks == 0)
		snprintf(sb->stuck, sizeof(sb->stuck), "no task /proc shows (one of a nested namespace?)");
	else
		snprintf(sb->stuck, sizeof(sb->stuck), "%d task%s: %s", u->tasks,
			 u->tasks == 1 ? "" : "s", u->left);
}

/* Waits for our child PID (PIDFD polls when it exits), a process of the
 * sandbox's namespace, unpinning that namespace's tasks as above; its wait
 * status in *ST, or -1: ETIMEDOUT (sb->stuck says what is left), or
 * waitpid's errno. */
static int wait_bounded(struct rb_sandbox *sb, pid_t pid, int pidfd, int *st)
{
	int64_t t = rb_now_ns(), progress = t, next_unpin = t + REAP_UNPIN_AFTER_NS;
	struct unpinned u = { .pid1 = sb->pid1, .tasks = -1 };
	pid_t got;
	int before;

	u.unpin = sched_getaffinity(0, sizeof(u.cpus), &u.cpus) == 0;
	while ((got = waitpid(pid, st, WNOHANG)) != pid) {
		if (got < 0 && errno != EINTR)
			return -1;
		t = rb_now_ns();
		if (t >= progress + REAP_STALL_NS) {
			say_stuck(sb, &u);
			errno = ETIMEDOUT;
			return -1;
		}
		if (t >= next_unpin) {
			before = u.tasks;
			u.tasks = 0;
			u.left[0] = '\0';
			if (rb_pidns_each_task(sb->pid1, unpin_task, &u) < 0)
				u.tasks = -1;
			if (before >= 0 && u.tasks >= 0 && u.tasks < before)
				progress = rb_now_ns();
			next_unpin = rb_now_ns() + REAP_UNPIN_AFTER_NS;
		}
		poll(&(struct pollfd){ .fd = pidfd, .events = POLLIN }, 1, 100);
	}
	return 0;
}

static int reap_pid1(struct rb_sandbox *sb)
{
	int st;

	/* waitpid(0) would wait for any child of ours: never without a PID 1 */
	if (sb->pid1 <= 0) {
		errno = ECHILD;
		return -1;
	}
	if (wait_bounded(sb, sb->pid1, sb->pidfd, &st) < 0)
		return -1;
	sb->status = st;
	sb->t_end_ns = rb_now_ns();
	sb->pid1 = 0;
	return 0;
}

/* The helper of joined workload I wrote its status (or died): read it. */
static void read_joined_status(struct rb_sandbox *sb, int i)
{
	struct rb_joined *j = &sb->joined[i];
	int st;

	if (sb->runtime == RB_RUNTIME_RUNC) /* our child: its status is ours to wait for */
		j->status = j->pid > 0 && !sb->stuck[0] && wait_bounded(sb, j->pid, j->pidfd, &st) == 0
				    ? st : -1;
	else
		j->status = read(j->status_fd, &st, sizeof(st)) == sizeof(st) ? st : -1;
	j->done = true;
	j->t_done_ns = rb_now_ns();
	close(j->status_fd);
	j->status_fd = -1;
	if (j->helper > 0) /* waitpid(-1) would reap any child of ours */
		waitpid(j->helper, NULL, 0);
	j->helper = -1;
	if (i == 0) {
		sb->joiner_status = j->status;
		sb->joiner_done = true;
	}
}

/* Under runc the joined containers' processes are our children: PID 1's
 * exit waits until every process of its namespace is reaped (NOTES.md), so
 * they are killed and reaped first, or reaping PID 1 would never return. */
static void reap_joined_first(struct rb_sandbox *sb)
{
	if (sb->runtime != RB_RUNTIME_RUNC)
		return;
	for (int i = 0; i < sb->njoined; i++)
		if (sb->joined[i].status_fd >= 0) {
			pidfd_send(sb->joined[i].pidfd, SIGKILL);
			read_joined_status(sb, i);
		}
}

static int joined_running(const struct rb_sandbox *sb)
{
	int n = 0;

	for (int i = 0; i < sb->njoined; i++)
		n += sb->joined[i].status_fd >= 0;
	return n;
}

int rb_sandbox_poll_joined(struct rb_sandbox *sb, int timeout_ms)
{
	struct pollfd fds[RB_SANDBOX_MAX_JOINED];
	int idx[RB_SANDBOX_MAX_JOINED], n = 0;

	for (int i = 0; i < sb->njoined; i++)
		if (sb->joined[i].status_fd >= 0) {
			fds[n] = (struct pollfd){ .fd = sb->joined[i].status_fd, .events = POLLIN };
			idx[n++] = i;
		}
	if (n == 0)
		return 0;
	if (poll(fds, (nfds_t)n, timeout_ms) > 0)
		for (int k = 0; k < n; k++)
			if (fds[k].revents & (POLLIN | POLLHUP | POLLERR))
				read_joined_status(sb, idx[k]);
	return joined_running(sb);
}

/* A signal from the parent namespace reaches PID 1 only if PID 1 has a
 * handler for it: a stop signal sent before the handler exists (a workload
 * that ends within PID 1's first milliseconds, under load) is lost and the
 * sandbox runs to its deadline. Wait, up to a second, until PID 1 catches
 * SIG (SigCgt), has exited, or shows no such line. */
static void wait_caught(struct rb_sandbox *sb, int sig)
{
	int64_t end = rb_now_ns() + 1000000000LL;
	long long caught;

	while (rb_now_ns() < end && !rb_sandbox_pid1_exited(sb, 0)) {
		caught = rb_proc_caught(sb->pid1);
		if (caught < 0 || (caught >> (sig - 1)) & 1)
			return;
		rb_sandbox_pid1_exited(sb, 1);
	}
}

int rb_sandbox_wait(struct rb_sandbox *sb, int stop_signal, struct rb_error *err)
{
	int64_t deadline = sb->deadline_at_ns;

	if (sb->pid1 <= 0)
		return rb_sys_error(err, ECHILD, "no PID 1 to wait for: the sandbox did not start");
	sb->end = RB_END_EXITED;
	for (;;) {
		struct pollfd fds[2 + RB_SANDBOX_MAX_JOINED] = {
			{ .fd = sb->pidfd, .events = POLLIN },
			{ .fd = sb->sigfd, .events = POLLIN },
		};
		int64_t left_ms = (deadline - rb_now_ns() + 999999) / 1000000;
		int idx[RB_SANDBOX_MAX_JOINED], nj = 0, n;
		bool ended = false;

		for (int i = 0; i < sb->njoined; i++)
			if (sb->joined[i].status_fd >= 0) {
				fds[2 + nj] = (struct pollfd){ .fd = sb->joined[i].status_fd, .events = POLLIN };
				idx[nj++] = i;
			}
		/* a second at most: PID 1 may be stuck in its exit (reap_pid1) */
		n = poll(fds, (nfds_t)(2 + nj), left_ms > 1000 ? 1000 : left_ms > 0 ? (int)left_ms : 0);
		if (n < 0 && errno != EINTR)
			return rb_sys_error(err, errno, "poll");
		if (fds[0].revents & POLLIN)
			break;
		for (int k = 0; k < nj; k++)
			if (fds[2 + k].revents & (POLLIN | POLLHUP | POLLERR)) {
				read_joined_status(sb, idx[k]);
				ended = true;
			}
		if (ended) {
			/* the last joined workload is gone: the pod is done */
			if (joined_running(sb) == 0 && stop_signal) {
				wait_caught(sb, stop_signal);
				rb_sandbox_stop_signal(sb, stop_signal);
			}
			continue;
		}
		if (fds[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sb->sigfd, &si, sizeof(si)) == sizeof(si))
				sb->signal_received = (int)si.ssi_signo;
			sb->end = RB_END_INTERRUPTED;
		} else if (n == 0 && rb_now_ns() >= deadline) {
			sb->end = RB_END_DEADLINE;
		} else if (n == 0 && rb_proc_exiting(sb->pid1)) {
			break; /* ending its namespace: reap_pid1 sees it through */
		} else {
			continue;
		}
		/* SIGKILL to PID 1 kills the whole namespace. */
		kill_pid1(sb);
		break;
	}
	reap_joined_first(sb); /* (runc: may give up already) */
	if (!sb->stuck[0] && reap_pid1(sb) < 0 && errno != ETIMEDOUT)
		return rb_sys_error(err, errno, "waitpid PID 1");
	if (sb->stuck[0])
		return rb_sys_error(err, 0, "PID 1 (pid %d) did not finish exiting: for %lld s no task of "
				    "its namespace went away, and it still holds %s", sb->pid1,
				    REAP_STALL_NS / 1000000000LL, sb->stuck);
	/* PID 1's end killed them (the namespace is gone): their helpers write */
	for (int i = 0; i < sb->njoined; i++)
		if (sb->joined[i].status_fd >= 0)
			read_joined_status(sb, i);
	return 0;
}

int rb_sandbox_destroy(struct rb_sandbox *sb, struct rb_error *err)
{
	int rc = 0;

	/* once given up on (sb->stuck), not waited for again */
	if (sb->pid1 > 0 && !sb->stuck[0]) {
		kill_pid1(sb);
		reap_joined_first(sb);
		reap_pid1(sb);
	}
	for (int i = 0; i < sb->njoined; i++) {
		struct rb_joined *j = &sb->joined[i];

		if (sb->runtime == RB_RUNTIME_RUNC && rb_runc_delete(&j->runc, err) < 0 && rc == 0)
			rc = -1;
		if (j->helper > 0) {
			kill(j->helper, SIGKILL);
			waitpid(j->helper, NULL, 0);
			j->helper = -1;
		}
		if (j->status_fd >= 0)
			close(j->status_fd);
		if (j->pidfd >= 0)
			close(j->pidfd);
		j->status_fd = j->pidfd = -1;
	}
	if (sb->has_cgroup)
		sb->pids_peak = rb_cgroup_read_long(&sb->cg, "pids.peak");
	if (sb->runtime == RB_RUNTIME_RUNC) { /* runc removes its cgroup; confirmed */
		if (rb_runc_delete(&sb->runc, err) < 0)
			rc = -1;
	}
	else if (sb->has_cgroup) /* a stuck task stays charged: no use waiting */
		rc = rb_cgroup_destroy(&sb->cg, sb->stuck[0] ? 0 : 5000, err);
	if (sb->pidfd >= 0)
		close(sb->pidfd);
	if (sb->sigfd >= 0)
		close(sb->sigfd);
	sb->pidfd = sb->sigfd = -1;
	return rc;
}

const char *rb_status_string(int status, char *buf, size_t len)
{
	char name[32];

	if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s",
			 rb_signal_name(WTERMSIG(status), name, sizeof(name)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "status 0x%x", status);
	return buf;
}

int rb_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}
