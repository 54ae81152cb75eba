/* stream: an open loop. The root makes orphan k at the scheduled time
 * t0 + k / --rate (each through a short-lived intermediate, which exits at
 * once so the orphan is PID 1's), --count of them. The orphan exits at
 * once. Latency counts from the scheduled time, so a generator that falls
 * behind (a stall, a busy core) shows in the latency instead of hiding in
 * a slower schedule; it never skips an orphan to catch up. */
#include <sys/wait.h>

#include "storm.h"

#define NS_PER_S 1000000000.0

static int orphan(struct storm_proc *p)
{
	(void)p;
	return 0;
}

/* The intermediate: makes the orphan and exits, orphaning it. */
static int intermediate(void *arg)
{
	struct storm *s = arg;

	storm_spawn(s, -1, 1, orphan);
	return 0;
}

static int root(struct storm *s)
{
	const struct storm_opts *o = storm_options(s);
	unsigned long n = storm_budget(s);
	int64_t t0 = storm_now_ns() + 1000000; /* 1 ms to settle */
	siginfo_t si;
	pid_t pid;

	for (unsigned long k = 0; k < n; k++) {
		int64_t t = t0 + (int64_t)((double)k * NS_PER_S / o->rate);

		storm_sleep_until(t);
		/* The orphan will take sample k: the root is the only claimer,
		 * through one intermediate at a time (vfork, then waited for),
		 * so one stack serves every intermediate: a stack each would
		 * leave every one of them resident in the payload's RSS. */
		storm_set_sched(s, (long)k, t);
		pid = rb_spawn_on(storm_thread_stack(s, 0, 0), RB_SPAWN_VFORK, CLONE_FILES,
				  intermediate, s, NULL);
		if (pid > 0)
			waitid(P_PID, (id_t)pid, &si, WEXITED);
		else
			storm_count_failure(s, (int)-pid); /* no intermediate, no orphan */
	}
	return 0;
}

static unsigned long extra_stacks(const struct storm_opts *o)
{
	(void)o;
	return 1; /* the intermediate's */
}

const struct storm_pattern storm_stream = {
	.name = "stream",
	.summary = "open loop: --count orphans at --rate per second, latency from the schedule",
	.methods = STORM_ALL_METHODS,
	.extra_stacks = extra_stacks,
	.recycles_fds = true,
	.root = root,
};
