#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysinfo.h"

#define STDERR_KEEP 4096

void rb_plot_quote(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[n++] = '"';
	for (; *s && n + 3 < len; s++) {
		if (*s == '"' || *s == '\\')
			buf[n++] = '\\';
		buf[n++] = *s == '\n' ? ' ' : *s;
	}
	buf[n++] = '"';
	buf[n] = '\0';
}

static int write_script(const char *dir, const char *name, const char *body, struct rb_error *err)
{
	char path[PATH_MAX];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
	f = fopen(path, "we");
	if (!f)
		return rb_sys_error(err, errno, "writing %s", path);
	fprintf(f, "# reapbench: makes %s.svg; re-plot with `gnuplot %s.gp` in this directory\n"
		"set terminal svg size 960,600 dynamic noenhanced font \"sans,12\" background \"white\"\n"
		"set output \"%s.svg\"\n%s", name, name, name, body);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return rb_sys_error(err, errno ? errno : EIO, "writing %s", path);
	return 0;
}

/* The child: gnuplot in DIR, stdin and stdout /dev/null, stderr to ERRFD,
 * with the signals the harness blocks unblocked again. */
static void exec_gnuplot(const char *gnuplot, const char *dir, const char *script, int errfd)
{
	char *argv[] = { "gnuplot", (char *)script, NULL };
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(errfd, 2) < 0 ||
	    chdir(dir) < 0) {
		dprintf(errfd, "cannot start gnuplot in %s: %s\n", dir, strerror(errno));
		_exit(127);
	}
	if (null > 2)
		close(null);
	execv(gnuplot, argv);
	dprintf(2, "cannot execute %s: %s\n", gnuplot, strerror(errno));
	_exit(127);
}

/* The last non-empty line of TEXT, in place. */
static const char *last_line(char *text)
{
	char *end = text + strlen(text), *start;

	while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(text, '\n');
	return start ? start + 1 : text;
}

/* Read the child's stderr until it exits (its pidfd readable) and the pipe
 * is at its end, or until the deadline. Returns true if it finished. */
static bool wait_output(int errfd, int pidfd, int timeout_ms, char *buf, size_t len)
{
	int64_t deadline = rb_now_ns() + (int64_t)timeout_ms * 1000000;
	size_t n = 0;
	bool eof = false, exited = false;

	while (!eof || !exited) {
		struct pollfd pfd[2] = { { .fd = eof ? -1 : errfd, .events = POLLIN },
					 { .fd = exited ? -1 : pidfd, .events = POLLIN } };
		int64_t left = (deadline - rb_now_ns()) / 1000000;
		ssize_t got;
		int rc;

		if (left <= 0)
			return false;
		rc = poll(pfd, 2, (int)left);
		if (rc < 0 && errno != EINTR)
			return false;
		if (rc <= 0)
			continue;
		if (pfd[1].revents)
			exited = true;
		if (!pfd[0].revents)
			continue;
		/* keep the end: gnuplot's error is its last word, after any warnings */
		if (n + 1 == len) {
			memmove(buf, buf + len / 2, n - len / 2);
			n -= len / 2;
		}
		got = read(errfd, buf + n, len - 1 - n);
		if (got > 0)
			n += (size_t)got;
		else if (got == 0 || (errno != EINTR && errno != EAGAIN))
			eof = true;
	}
	buf[n] = '\0';
	return true;
}

/* Run gnuplot on NAME.gp in DIR; -1 with ERR if it does not exit 0 in time. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *name, int timeout_ms,
		       struct rb_error *err)
{
	char script[PATH_MAX], out[STDERR_KEEP] = "";
	int pipefd[2], pidfd, st = 0;
	bool finished;
	pid_t pid;

	snprintf(script, sizeof(script), "%s.gp", name);
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return rb_sys_error(err, errno, "gnuplot: pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return rb_sys_error(err, errno, "gnuplot: fork");
	}
	if (pid == 0)
		exec_gnuplot(gnuplot, dir, script, pipefd[1]);
	close(pipefd[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	finished = pidfd >= 0 && wait_output(pipefd[0], pidfd, timeout_ms, out, sizeof(out));
	if (!finished)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (pidfd >= 0)
		close(pidfd);
	close(pipefd[0]);
	if (pidfd < 0)
		return rb_sys_error(err, errno, "gnuplot %s: pidfd_open", script);
	if (!finished)
		return rb_sys_error(err, 0, "gnuplot %s (in %s): killed after %d ms", script, dir,
				    timeout_ms);
	if (WIFSIGNALED(st))
		return rb_sys_error(err, 0, "gnuplot %s (in %s): killed by signal %d: %s", script, dir,
				    WTERMSIG(st), last_line(out));
	if (WEXITSTATUS(st) != 0)
		return rb_sys_error(err, 0, "gnuplot %s (in %s): exited %d: %s", script, dir,
				    WEXITSTATUS(st), last_line(out));
	return 0;
}

int rb_plot_run(const char *dir, const char *name, const char *body, int timeout_ms,
		struct rb_plot *p, struct rb_error *err)
{
	char svg[PATH_MAX];
	struct stat st;

	memset(p, 0, sizeof(*p));
	snprintf(svg, sizeof(svg), "%s/%s.svg", dir, name);
	/* an SVG from an earlier run must not pass for this run's */
	if (unlink(svg) < 0 && errno != ENOENT)
		return rb_sys_error(err, errno, "removing %s", svg);
	if (write_script(dir, name, body, err) < 0)
		return -1;
	if (!rb_find_in_path("gnuplot", p->gnuplot, sizeof(p->gnuplot))) {
		p->state = RB_PLOT_SKIPPED;
		snprintf(p->skip, sizeof(p->skip), "gnuplot not found in PATH");
		return 0;
	}
	if (run_gnuplot(p->gnuplot, dir, name, timeout_ms, err) < 0)
		return -1;
	if (stat(svg, &st) < 0 || st.st_size == 0)
		return rb_sys_error(err, 0, "gnuplot %s.gp (in %s) exited 0 but wrote no %s.svg", name,
				    dir, name);
	p->state = RB_PLOT_MADE;
	return 0;
}

/* gnuplot's 8 colours and 4 more: ten reapers in solid lines (some SVG
 * renderers draw dashed paths wrongly); dashes only beyond. */
static const char *const colours[] = {
	"#9400d3", "#009e73", "#56b4e9", "#e69f00", "#f0e442", "#0072b2",
	"#e51e10", "#000000", "#808080", "#a0522d", "#ff69b4", "#2e8b57",
};
#define NCOLOURS (int)(sizeof(colours) / sizeof(colours[0]))

void rb_plot_style(FILE *f, int i, const char *name)
{
	char q[160];

	rb_plot_quote(q, sizeof(q), name);
	fprintf(f, " with steps lc rgb \"%s\" dt %d lw 1.5 title %s", colours[i % NCOLOURS],
		i / NCOLOURS + 1, q);
}

