/* rb-pause: a clean-room reaper that behaves like Kubernetes' pause
 * (build/pause/linux/pause.c), the infra container's PID 1.
 *
 * It starts nothing and forwards nothing. SIGINT and SIGTERM end it with
 * status 0; SIGCHLD reaps every exited child (orphans that the kernel
 * reparents to it); otherwise it sleeps in pause() forever.
 *
 * Like the original: "-v" (any case) anywhere in argv prints the version,
 * any other argument is ignored, and failing to install a handler exits 1
 * (SIGINT), 2 (SIGTERM) or 3 (SIGCHLD). Unlike it, the handlers use only
 * async-signal-safe calls (write/_exit instead of psignal/exit) and the reap
 * handler preserves errno. */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RB_VERSION
#define RB_VERSION "0.1.0"
#endif

/* What psignal(sig, "Shutting down, got signal") prints, precomputed:
 * psignal is not async-signal-safe. */
static void on_shutdown(int sig)
{
	static const char term[] = "Shutting down, got signal: Terminated\n";
	static const char intr[] = "Shutting down, got signal: Interrupt\n";

	if (sig == SIGTERM)
		(void)!write(STDERR_FILENO, term, sizeof term - 1);
	else
		(void)!write(STDERR_FILENO, intr, sizeof intr - 1);
	_exit(0);
}

/* SIGCHLD coalesces: reap until none is left. The handler may interrupt
 * code that reads errno, so give it back unchanged. */
static void on_child(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static int install(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv)
{
	/* --break=no-reap: the negative control of the pod checks (not in the
	 * original, which ignores arguments other than -v). */
	bool reap = true;

	for (int i = 1; i < argc; i++) {
		if (strcasecmp(argv[i], "-v") == 0) {
			printf("rb-pause %s (pause-compatible)\n", RB_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--break=no-reap") == 0)
			reap = false;
	}
	/* A warning only: pause is also used outside infra containers. */
	if (getpid() != 1)
		fprintf(stderr, "Warning: pause should be the first process\n");

	if (install(SIGINT, on_shutdown, 0) < 0)
		return 1;
	if (install(SIGTERM, on_shutdown, 0) < 0)
		return 2;
	if (reap && install(SIGCHLD, on_child, SA_NOCLDSTOP) < 0)
		return 3;

	for (;;)
		pause();
}
