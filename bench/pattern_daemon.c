/* daemon: the classic double fork. The root (the app's child) makes N
 * grandchildren and exits at once, as a daemonizing child does; each
 * grandchild calls setsid() (its own session and process group, so
 * signals to the app's group miss it), lives --hold-ms, and exits. PID 1
 * has to reap processes it never saw start, in a session not its own. */
#include <sys/syscall.h>
#include <unistd.h>

#include "storm.h"

static int daemon_body(struct storm_proc *p)
{
	syscall(SYS_setsid);
	storm_sleep_ns(storm_options(p->s)->hold_ns);
	return 0;
}

static int root(struct storm *s)
{
	unsigned long n = storm_budget(s);

	for (unsigned long i = 0; i < n; i++)
		storm_spawn(s, -1, 1, daemon_body);
	return 0;
}

const struct storm_pattern storm_daemon = {
	.name = "daemon",
	.summary = "double fork: N grandchildren setsid(), live the hold time, exit after their parent",
	/* vfork would have the child wait for its grandchild */
	.methods = STORM_METHOD_BIT(RB_SPAWN_CLONE_VM) | STORM_METHOD_BIT(RB_SPAWN_FORK),
	.root = root,
};
