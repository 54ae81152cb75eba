/* Cheap child creation: see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/sched.h> /* struct clone_args */

#define RB_CHUNK_SLOTS 256u

/* Guard pages as page-table markers (Linux 6.13), which do not split the
 * mapping as a PROT_NONE page per stack would. Every exit of a CLONE_VM child
 * walks all mappings of the shared mm (acct_collect), and every fork copies
 * them: with two mappings per stack, both grow with the number of children
 * (10000 orphans took 5-9 s to exit and be reaped instead of 0.2-1 s). */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/* One mmap: a header page, then RB_CHUNK_SLOTS x [guard page | stack]. */
struct rb_stack_chunk {
	struct rb_stack_chunk *next;
	size_t map_len;
	size_t slot_len; /* guard + stack */
	/* Nonzero while a child may run on the stack. The kernel zeroes it when
	 * the child exits or execs (CLONE_CHILD_CLEARTID), which is the moment
	 * the stack may be handed out again. */
	pid_t busy[RB_CHUNK_SLOTS];
};

_Static_assert(sizeof(struct rb_stack_chunk) <= 4096, "chunk header fits a page");

/* Flags that the methods set themselves, or that make no sense here. */
#define RB_SPAWN_RESERVED_FLAGS                                                   \
	(CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PIDFD | CLONE_THREAD |          \
	 CLONE_SIGHAND | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | \
	 CLONE_CHILD_CLEARTID)

static const char *const method_names[] = {
	[RB_SPAWN_CLONE_VM] = "clone-vm",
	[RB_SPAWN_VFORK] = "vfork",
	[RB_SPAWN_FORK] = "fork",
};

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static size_t round_to_page(size_t n)
{
	size_t page = page_size();

	return (n + page - 1) / page * page;
}

void rb_spawner_init(struct rb_spawner *sp, size_t stack_size)
{
	memset(sp, 0, sizeof(*sp));
	sp->stack_size = stack_size;
}

static char *slot_base(struct rb_stack_chunk *c, unsigned int i)
{
	return (char *)c + page_size() + (size_t)i * c->slot_len;
}

/* The initial stack pointer: the top of the slot (page-aligned). */
static void *slot_top(struct rb_stack_chunk *c, unsigned int i)
{
	return slot_base(c, i + 1);
}

static int map_chunk(struct rb_spawner *sp, struct rb_stack_chunk **out)
{
	size_t page = page_size();
	size_t stack = round_to_page(sp->stack_size ? sp->stack_size : RB_SPAWN_STACK_SIZE);
	size_t slot_len = page + stack;
	size_t len = page + RB_CHUNK_SLOTS * slot_len;
	struct rb_stack_chunk *c;
	unsigned int i;

	/* NORESERVE: a child touches a page or two of its stack, not 16 KiB. */
	c = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (c == MAP_FAILED)
		return -errno;
	c->map_len = len;
	c->slot_len = slot_len;
	/* Older kernels refuse (EINVAL): their stacks go unguarded. */
	for (i = 0; i < RB_CHUNK_SLOTS; i++)
		if (madvise(slot_base(c, i), page, MADV_GUARD_INSTALL) < 0)
			break;
	*out = c;
	return 0;
}

static void append_chunk(struct rb_spawner *sp, struct rb_stack_chunk *c)
{
	struct rb_stack_chunk **link = &sp->chunks;

	while (*link)
		link = &(*link)->next;
	*link = c;
}

/* Claims the first free stack of C in [FROM, TO). */
static bool claim_in(struct rb_stack_chunk *c, unsigned int from, unsigned int to,
		     unsigned int *slot)
{
	unsigned int i;

	for (i = from; i < to; i++) {
		if (__atomic_load_n(&c->busy[i], __ATOMIC_ACQUIRE) == 0) {
			__atomic_store_n(&c->busy[i], 1, __ATOMIC_RELAXED);
			*slot = i;
			return true;
		}
	}
	return false;
}

/* Next fit: from the cursor to the end, then from the start up to the
 * cursor, then a new chunk. Long-lived children fill chunks in order and cost
 * one sweep per chunk; short-lived ones hand their stacks back at once. */
static int take_stack(struct rb_spawner *sp, struct rb_stack_chunk **cp, unsigned int *slot)
{
	struct rb_stack_chunk *c;
	unsigned int from = sp->cursor_slot;
	int err;

	for (c = sp->cursor; c; c = c->next, from = 0)
		if (claim_in(c, from, RB_CHUNK_SLOTS, slot))
			goto found;
	for (c = sp->chunks; c; c = c->next) {
		bool last = c == sp->cursor;

		if (claim_in(c, 0, last ? sp->cursor_slot : RB_CHUNK_SLOTS, slot))
			goto found;
		if (last)
			break;
	}
	err = map_chunk(sp, &c);
	if (err < 0)
		return err;
	append_chunk(sp, c);
	c->busy[0] = 1;
	*slot = 0;
found:
	sp->cursor = c;
	sp->cursor_slot = *slot + 1;
	*cp = c;
	return 0;
}

int rb_spawner_destroy(struct rb_spawner *sp)
{
	struct rb_stack_chunk *c, *next;
	unsigned int i;

	for (c = sp->chunks; c; c = c->next)
		for (i = 0; i < RB_CHUNK_SLOTS; i++)
			if (__atomic_load_n(&c->busy[i], __ATOMIC_ACQUIRE))
				return -EBUSY;
	for (c = sp->chunks; c; c = next) {
		next = c->next;
		munmap(c, c->map_len);
	}
	rb_spawner_init(sp, sp->stack_size);
	return 0;
}

/* CLONE_VM, with or without CLONE_VFORK: the child runs FN on a stack of
 * ours. glibc's clone() runs FN and then the exit system call. */
static pid_t spawn_on_stack(struct rb_spawner *sp, unsigned long flags,
			    int (*fn)(void *), void *arg, int *pidfd_out)
{
	struct rb_stack_chunk *c;
	unsigned int slot;
	pid_t pid;
	int err;

	err = take_stack(sp, &c, &slot);
	if (err < 0)
		return err;
	pid = clone(fn, slot_top(c, slot), (int)(flags | SIGCHLD | CLONE_CHILD_CLEARTID),
		    arg, pidfd_out, NULL, &c->busy[slot]);
	if (pid < 0) {
		err = -errno;
		__atomic_store_n(&c->busy[slot], 0, __ATOMIC_RELEASE);
		return err;
	}
	return pid;
}

/* Not _exit(): a call to a noreturn function makes ASan check the stack, and
 * this child may run on a copy of a spawner stack that ASan does not know. */
static void exit_raw(int status)
{
	for (;;)
		syscall(SYS_exit_group, status);
}

/* A fork through clone3, which, unlike fork(), takes CLONE_PIDFD and flags
 * such as CLONE_FILES. The child skips glibc's fork bookkeeping, which is
 * why FN must keep to raw calls here too. */
static pid_t spawn_fork(unsigned long flags, int (*fn)(void *), void *arg, int *pidfd_out)
{
	struct clone_args args = {
		.flags = flags,
		.pidfd = (uint64_t)(uintptr_t)pidfd_out,
		.exit_signal = SIGCHLD,
	};
	long pid;

	pid = syscall(SYS_clone3, &args, sizeof(args));
	/* Docker's default seccomp profile answers clone3 with ENOSYS (without
	 * CAP_SYS_ADMIN), so that callers fall back to clone, as glibc does:
	 * the same flags, CLONE_PIDFD's fd through parent_tid (the third
	 * argument on x86_64 and arm64; on s390 the first two swap). */
	if (pid < 0 && errno == ENOSYS)
#if defined(__s390__)
		pid = syscall(SYS_clone, 0, flags | SIGCHLD, pidfd_out, NULL, 0);
#else
		pid = syscall(SYS_clone, flags | SIGCHLD, 0, pidfd_out, NULL, 0);
#endif
	if (pid < 0)
		return -errno;
	if (pid == 0)
		exit_raw(fn(arg));
	return (pid_t)pid;
}

/* The clone flags of METHOD on top of the caller's FLAGS; -EINVAL for flags
 * the method sets itself. */
static long method_flags(enum rb_spawn_method method, unsigned long flags, const int *pidfd_out)
{
	if (flags & RB_SPAWN_RESERVED_FLAGS)
		return -EINVAL;
	if (pidfd_out)
		flags |= CLONE_PIDFD;
	switch (method) {
	case RB_SPAWN_CLONE_VM:
		return (long)(flags | CLONE_VM);
	case RB_SPAWN_VFORK:
		return (long)(flags | CLONE_VM | CLONE_VFORK);
	case RB_SPAWN_FORK:
		return (long)flags;
	}
	return -EINVAL;
}

pid_t rb_spawn_flags(struct rb_spawner *sp, enum rb_spawn_method method,
		     unsigned long flags, int (*fn)(void *), void *arg, int *pidfd_out)
{
	long f = method_flags(method, flags, pidfd_out);

	if (f < 0)
		return (pid_t)f;
	if (method == RB_SPAWN_FORK)
		return spawn_fork((unsigned long)f, fn, arg, pidfd_out);
	return spawn_on_stack(sp, (unsigned long)f, fn, arg, pidfd_out);
}

int rb_stack_pool_init(struct rb_stack_pool *pool, size_t n, size_t stack_size)
{
	size_t page = page_size();
	size_t stack = round_to_page(stack_size ? stack_size : RB_SPAWN_STACK_SIZE);

	memset(pool, 0, sizeof(*pool));
	if (n == 0)
		return 0;
	pool->slot_len = page + stack;
	if (n > SIZE_MAX / pool->slot_len)
		return -ENOMEM;
	pool->map_len = n * pool->slot_len;
	pool->base = mmap(NULL, pool->map_len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (pool->base == MAP_FAILED) {
		pool->base = NULL;
		return -errno;
	}
	pool->n = n;
	/* Older kernels refuse (EINVAL): their stacks go unguarded. */
	for (size_t i = 0; i < n; i++)
		if (madvise((char *)pool->base + i * pool->slot_len, page, MADV_GUARD_INSTALL) < 0)
			break;
	return 0;
}

void *rb_stack_pool_top(const struct rb_stack_pool *pool, size_t i)
{
	return (char *)pool->base + (i + 1) * pool->slot_len;
}

void rb_stack_pool_destroy(struct rb_stack_pool *pool)
{
	if (pool->base)
		munmap(pool->base, pool->map_len);
	memset(pool, 0, sizeof(*pool));
}

pid_t rb_spawn_on(void *stack_top, enum rb_spawn_method method, unsigned long flags,
		  int (*fn)(void *), void *arg, int *pidfd_out)
{
	long f = method_flags(method, flags, pidfd_out);
	pid_t pid;

	if (f < 0)
		return (pid_t)f;
	/* A fork child gets a fresh stack too (its copy of STACK_TOP): one
	 * that made children of its own would otherwise keep adding frames on
	 * top of its parent's, a chain of them overflowing. */
	if (method == RB_SPAWN_FORK && !stack_top)
		return spawn_fork((unsigned long)f, fn, arg, pidfd_out);
	pid = clone(fn, stack_top, (int)((unsigned long)f | SIGCHLD), arg, pidfd_out);
	return pid < 0 ? -errno : pid;
}

pid_t rb_spawn(struct rb_spawner *sp, enum rb_spawn_method method,
	       int (*fn)(void *), void *arg, int *pidfd_out)
{
	return rb_spawn_flags(sp, method, 0, fn, arg, pidfd_out);
}

int rb_spawn_method_parse(const char *name)
{
	unsigned int m;

	for (m = 0; m < sizeof(method_names) / sizeof(method_names[0]); m++)
		if (strcmp(name, method_names[m]) == 0)
			return (int)m;
	return -1;
}

const char *rb_spawn_method_name(enum rb_spawn_method method)
{
	return (unsigned int)method < sizeof(method_names) / sizeof(method_names[0])
		       ? method_names[method] : "?";
}
