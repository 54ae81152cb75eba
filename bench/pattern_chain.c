/* chain: each process makes the next and exits, N links long. Each link
 * is orphaned when its maker exits and may itself have exited by then (a
 * zombie inherited); PID 1 sees a steady trickle, not a burst. With vfork
 * each maker waits for its link: all N are alive at once, then unwind. */
#include "storm.h"

static int link(struct storm_proc *p)
{
	storm_spawn(p->s, p->idx, p->depth + 1, link);
	return 0;
}

static int root(struct storm *s)
{
	storm_spawn(s, -1, 1, link);
	return 0;
}

const struct storm_pattern storm_chain = {
	.name = "chain",
	.summary = "each process forks the next and exits: N links, a trickle of orphans",
	.methods = STORM_ALL_METHODS,
	.root = root,
};
