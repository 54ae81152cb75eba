/* tree: a fork bomb, bounded. Every process above --depth makes --branch
 * children and exits; --count is the budget (the tree stops growing when
 * it is spent). With clone-vm or fork the nodes run at once, on every
 * core; with vfork the tree is walked depth first. */
#include "storm.h"

static int node(struct storm_proc *p)
{
	const struct storm_opts *o = storm_options(p->s);

	if (p->depth < o->depth)
		for (unsigned long b = 0; b < o->branch; b++)
			if (storm_spawn(p->s, p->idx, p->depth + 1, node) == -1)
				break; /* the budget is spent */
	return 0;
}

static int root(struct storm *s)
{
	const struct storm_opts *o = storm_options(s);

	for (unsigned long b = 0; b < o->branch; b++)
		if (storm_spawn(s, -1, 1, node) == -1)
			break;
	return 0;
}

/* branch + branch^2 + ... + branch^depth, capped by the budget */
static unsigned long planned(const struct storm_opts *o)
{
	unsigned long total = 0, level = 1;

	for (unsigned long d = 0; d < o->depth && total < o->count; d++) {
		if (level > o->count / (o->branch ? o->branch : 1) + 1)
			return o->count;
		level *= o->branch;
		total += level;
	}
	return total < o->count ? total : o->count;
}

const struct storm_pattern storm_tree = {
	.name = "tree",
	.summary = "fork bomb: --branch B children per node, --depth D levels, --count as the budget",
	.methods = STORM_ALL_METHODS,
	.planned = planned,
	.root = root,
};
