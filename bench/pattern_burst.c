/* burst: N orphans alive at once, then all exit together. The root makes
 * them and exits (they are PID 1's now); after --hold-ms the observer
 * releases them and they exit at once: PID 1 gets N SIGCHLDs, which
 * coalesce. */
#include "storm.h"

static int orphan(struct storm_proc *p)
{
	storm_wait_release(p->s);
	return 0;
}

static int root(struct storm *s)
{
	unsigned long n = storm_budget(s);

	for (unsigned long i = 0; i < n; i++)
		storm_spawn(s, -1, 1, orphan);
	return 0;
}

const struct storm_pattern storm_burst = {
	.name = "burst",
	.summary = "N orphans alive at once, released together: N exits, coalesced SIGCHLDs",
	/* vfork would park the root until each orphan exits */
	.methods = STORM_METHOD_BIT(RB_SPAWN_CLONE_VM) | STORM_METHOD_BIT(RB_SPAWN_FORK),
	.released = true,
	.root = root,
};
