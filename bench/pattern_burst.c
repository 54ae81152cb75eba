/* burst: N orphans alive at once, then all exit together. The root (and
 * its spawner threads, each its share) makes them and exits (they are PID
 * 1's now); after --hold-ms the observer releases them and they exit at
 * once: PID 1 gets N SIGCHLDs, which coalesce. */
#include "storm.h"

static int orphan(struct storm_proc *p)
{
	storm_wait_release(p->s);
	return 0;
}

static void share(struct storm_spawner *sp)
{
	for (unsigned long i = sp->first; i < sp->first + sp->len; i++)
		storm_spawn_idx(sp, i, orphan);
}

static int root(struct storm *s)
{
	storm_run_spawners(s, share);
	return 0;
}

const struct storm_pattern storm_burst = {
	.name = "burst",
	.summary = "N orphans alive at once, released together: N exits, coalesced SIGCHLDs",
	/* vfork would park the root until each orphan exits */
	.methods = STORM_METHOD_BIT(RB_SPAWN_CLONE_VM) | STORM_METHOD_BIT(RB_SPAWN_FORK),
	.released = true,
	.parallel = true,
	.root = root,
};
