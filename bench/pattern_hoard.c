/* hoard: one process (the root) collects N zombies, holds them --hold-ms,
 * then dies: PID 1 inherits N zombies at once. The kernel signals PID 1 once
 * per inherited zombie while it reparents them, all within one exit, so
 * the SIGCHLDs coalesce into one or a few. The drain is how fast PID 1
 * clears them. */
#include "storm.h"

static int zombie(struct storm_proc *p)
{
	(void)p;
	return 0;
}

static int root(struct storm *s)
{
	unsigned long n = storm_budget(s);

	for (unsigned long i = 0; i < n; i++)
		storm_spawn(s, -1, 1, zombie);
	/* every one a zombie before the hoarder dies */
	for (unsigned long i = 0; i < n; i++)
		storm_wait_exited(s, (long)i);
	storm_sleep_ns(storm_options(s)->hold_ns);
	return 0;
}

const struct storm_pattern storm_hoard = {
	.name = "hoard",
	.summary = "one process collects N zombies and dies: PID 1 inherits them at once",
	.methods = STORM_ALL_METHODS,
	.root = root,
};
