/* --noise: background load from stress-ng (noise.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "noise.h"
#include "sysinfo.h"

/* Each kind's stressors. "0" workers: one per online CPU (stress-ng's rule). */
static const struct noise_kind {
	const char *name;
	const char *args[4];
	const char *what;
} kinds[] = {
	{ "cpu", { "--cpu", "0" }, "every CPU busy computing" },
	{ "vm", { "--vm", "1", "--vm-bytes", "256M" }, "page faults and reclaim over 256 MiB" },
	{ "io", { "--io", "1" }, "sync() in a loop" },
	{ "fork", { "--fork", "1" }, "fork()/exit() churn beside the sandbox" },
	{ "switch", { "--switch", "1" }, "rapid context switches" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
#define MAX_ARGS 32
#define STARTUP_NS (300 * 1000000LL) /* stress-ng forks its workers in this time */

int rb_noise_take_option(int *argc, char **argv, const char **kinds, struct rb_error *err)
{
	const char *v = NULL;
	int i, drop = 0;

	for (i = 1; i < *argc && !drop; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--noise=", 8) == 0) {
			v = argv[i] + 8;
			drop = 1;
		} else if (strcmp(argv[i], "--noise") == 0) {
			if (i + 1 >= *argc)
				return rb_input_error(err, "--noise: expected KIND[,KIND]... (cpu, vm, io, "
						      "fork, switch)");
			v = argv[i + 1];
			drop = 2;
		}
	}
	if (!drop)
		return 0;
	i--;
	memmove(&argv[i], &argv[i + drop], (size_t)(*argc - i - drop + 1) * sizeof(*argv));
	*argc -= drop;
	*kinds = v;
	return 1;
}

static const struct noise_kind *find_kind(const char *name, size_t len)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (strlen(kinds[k].name) == len && strncmp(kinds[k].name, name, len) == 0)
			return &kinds[k];
	return NULL;
}

const char *rb_stress_ng_temp_path(void)
{
	const char *t = getenv("TMPDIR");

	/* one we cannot write (root's, kept through sudo, say) would abort it too */
	return t && *t && access(t, W_OK | X_OK) == 0 ? t : "/tmp";
}

/* stress-ng's argv for SPEC, in ARGV (MAX_ARGS). */
static int build_argv(const char *spec, const char *argv[], struct rb_error *err)
{
	const char *p = spec, *end;
	int n = 0;

	argv[n++] = "stress-ng";
	argv[n++] = "--quiet";
	argv[n++] = "--timeout";
	argv[n++] = "4h"; /* a backstop: the harness stops it, or PDEATHSIG does */
	while (*p) {
		const struct noise_kind *k;

		end = strchrnul(p, ',');
		k = find_kind(p, (size_t)(end - p));
		if (!k)
			return rb_input_error(err, "--noise: unknown kind '%.*s' (cpu, vm, io, fork, switch)",
					      (int)(end - p), p);
		for (int a = 0; a < 4 && k->args[a] && n < MAX_ARGS - 3; a++)
			argv[n++] = k->args[a];
		p = *end ? end + 1 : end;
	}
	if (n == 4)
		return rb_input_error(err, "--noise: expected KIND[,KIND]... (cpu, vm, io, fork, switch)");
	argv[n++] = "--temp-path";
	argv[n++] = rb_stress_ng_temp_path();
	argv[n] = NULL;
	return n;
}

int rb_noise_start(struct rb_noise *n, const char *spec, struct rb_error *err)
{
	const char *argv[MAX_ARGS];
	char path[4096];
	pid_t parent = getpid();
	struct timespec pause = { .tv_nsec = STARTUP_NS };
	int st, nargs;

	memset(n, 0, sizeof(*n));
	snprintf(n->kinds, sizeof(n->kinds), "none");
	nargs = build_argv(spec, argv, err);
	if (nargs < 0)
		return -1;
	if (!rb_find_in_path("stress-ng", path, sizeof(path)))
		return rb_input_error(err, "--noise: stress-ng not found in PATH (make setup installs it)");
	for (int i = 0; i < nargs; i++)
		snprintf(n->command + strlen(n->command), sizeof(n->command) - strlen(n->command),
			 "%s%s", i ? " " : "", argv[i]);
	n->pid = fork();
	if (n->pid < 0)
		return rb_sys_error(err, errno, "--noise: fork");
	if (n->pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* its own session: a Ctrl-C at the terminal is the harness's to handle */
		if (setsid() < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ||
		    null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
			_exit(127);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	nanosleep(&pause, NULL);
	if (waitpid(n->pid, &st, WNOHANG) == n->pid) {
		n->pid = 0;
		return rb_input_error(err, "--noise: %s exited %d at once (run it by hand to see why)",
				      n->command, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	snprintf(n->kinds, sizeof(n->kinds), "%s", spec);
	return 0;
}

void rb_noise_stop(struct rb_noise *n)
{
	struct timespec tick = { .tv_nsec = 20 * 1000000L };

	if (n->pid <= 0)
		return;
	kill(n->pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		if (waitpid(n->pid, NULL, WNOHANG) == n->pid) {
			n->pid = 0;
			return;
		}
		nanosleep(&tick, NULL);
	}
	kill(n->pid, SIGKILL);
	waitpid(n->pid, NULL, 0);
	n->pid = 0;
}
