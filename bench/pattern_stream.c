/* stream: an open loop. The root (with spawner threads: spawner j the
 * orphans k = j mod N) makes orphan k at the scheduled time
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

/* What the intermediate of sample IDX needs (on its spawner's stack: a
 * vfork child runs while its parent waits). */
struct job {
	struct storm_spawner *sp;
	unsigned long idx;
};

/* The intermediate: makes the orphan and exits, orphaning it. */
static int intermediate(void *arg)
{
	struct job *j = arg;

	storm_spawn_idx(j->sp, j->idx, orphan);
	return 0;
}

/* Spawner J of N makes orphans J, J + N, J + 2N, ...: with one schedule
 * for all, the spawners take turns at the rate. */
static void share(struct storm_spawner *sp)
{
	struct storm *s = sp->s;
	const struct storm_opts *o = storm_options(s);
	unsigned long n = storm_budget(s);
	int64_t t0 = sp->t_go + 1000000; /* 1 ms to settle */
	struct job job = { .sp = sp };
	siginfo_t si;
	pid_t pid;

	for (unsigned long k = sp->id; k < n; k += sp->n) {
		int64_t t = t0 + (int64_t)((double)k * NS_PER_S / o->rate);

		storm_sleep_until(t);
		/* One intermediate at a time per spawner (vfork, then waited
		 * for), so one stack serves all of a spawner's intermediates
		 * (the extra stack of its first sample): a stack each would
		 * leave every one of them resident in the payload's RSS. */
		storm_set_sched(s, (long)k, t);
		job.idx = k;
		pid = rb_spawn_on(storm_thread_stack(s, (long)sp->id, 0), RB_SPAWN_VFORK, CLONE_FILES,
				  intermediate, &job, NULL);
		if (pid > 0)
			waitid(P_PID, (id_t)pid, &si, WEXITED);
		else
			storm_count_failure_idx(sp, k, (int)-pid); /* no intermediate, no orphan */
	}
}

static int root(struct storm *s)
{
	storm_run_spawners(s, share);
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
	.parallel = true,
	.root = root,
};
