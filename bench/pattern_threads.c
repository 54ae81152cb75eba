/* threads: N thread groups whose leader exits before its --threads
 * threads. The leader's pid stays (a zombie that cannot be reaped yet)
 * until the last thread exits; only then is the group reapable, and its
 * pidfd polls EPOLLIN. The threads wait for the release. */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "storm.h"

#define THREAD_FLAGS \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

static int thread_main(void *arg)
{
	struct storm_proc *p = arg;

	storm_wait_release(p->s);
	storm_stamp_exit(p->s, p->idx); /* the latest stamp of the group wins */
	return 0; /* glibc's clone ends a thread with exit, not exit_group */
}

static int leader(struct storm_proc *p)
{
	unsigned long k, n = storm_options(p->s)->threads;

	for (k = 0; k < n; k++)
		if (clone(thread_main, storm_thread_stack(p->s, p->idx, k), THREAD_FLAGS, p) < 0)
			storm_count_thread_failure(p->s);
	storm_stamp_exit(p->s, p->idx);
	/* The leader alone; exit_group would take the threads along. */
	syscall(SYS_exit, 0);
	__builtin_unreachable();
}

static int root(struct storm *s)
{
	unsigned long n = storm_budget(s);

	for (unsigned long i = 0; i < n; i++)
		storm_spawn(s, -1, 1, leader);
	return 0;
}

static unsigned long extra_stacks(const struct storm_opts *o)
{
	return o->threads;
}

const struct storm_pattern storm_threads = {
	.name = "threads",
	.summary = "N thread-group leaders exit before their --threads threads: reapable at the last",
	/* vfork would do (it returns at the leader's exit), but clone-vm is
	 * what makes the groups at once */
	.methods = STORM_ALL_METHODS,
	.released = true,
	.extra_stacks = extra_stacks,
	.root = root,
};
