/* hoard: one process (the root; its spawner threads make their shares, the
 * zombies are the root's all the same) collects N zombies, holds them --hold-ms,
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

static void share(struct storm_spawner *sp)
{
	for (unsigned long i = sp->first; i < sp->first + sp->len; i++)
		storm_spawn_idx(sp, i, zombie);
}

static int root(struct storm *s)
{
	unsigned long n = storm_budget(s);

	storm_run_spawners(s, share);
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
	.parallel = true,
	.root = root,
};
