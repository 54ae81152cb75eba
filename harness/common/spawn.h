/* Cheap child creation. fork() copies the page tables of the whole address
 * space, which costs 1-2 ms on a VM with shadow paging; clone(CLONE_VM) does
 * not, and costs tens of microseconds. A CLONE_VM child needs a stack of its
 * own: the spawner hands out small stacks from mmap'd chunks of 256, and takes
 * a stack back once the kernel reports that its child exited or exec'd
 * (CLONE_CHILD_CLEARTID zeroes the stack's busy word at that moment). Stacks
 * have guard pages on Linux 6.13+ (MADV_GUARD_INSTALL) and none before.
 *
 * A CLONE_VM child shares memory, and thread-local storage (errno), with its
 * parent: FN must stick to raw system calls (no malloc, no stdio, no locks) and
 * must return rather than call exit() or _exit(); its return value is the
 * child's exit status. RB_SPAWN_FORK children have their own copy of memory. */
#ifndef REAPBENCH_SPAWN_H
#define REAPBENCH_SPAWN_H

#include <sched.h> /* CLONE_* flags, with _GNU_SOURCE */
#include <stddef.h>
#include <sys/types.h>

enum rb_spawn_method {
	RB_SPAWN_CLONE_VM, /* clone(CLONE_VM): the child runs FN concurrently */
	RB_SPAWN_VFORK,    /* clone(CLONE_VM|CLONE_VFORK): the caller waits until
	                      the child exits or execs */
	RB_SPAWN_FORK,     /* a fork: the child gets a copy of the address space */
};

#define RB_SPAWN_STACK_SIZE (16 * 1024)

struct rb_stack_chunk;

/* Zero-initialise, or use rb_spawner_init. Not thread-safe; it may be used
 * by a CLONE_VFORK child of its owner, since the owner is suspended then. */
struct rb_spawner {
	size_t stack_size;             /* usable bytes per stack, 0 = default */
	struct rb_stack_chunk *chunks; /* mmap'd chunks of stacks, in order */
	struct rb_stack_chunk *cursor; /* where the next search for a free stack starts */
	unsigned int cursor_slot;
};

void rb_spawner_init(struct rb_spawner *sp, size_t stack_size);

/* Unmaps all stacks. Returns -EBUSY, and unmaps nothing, while a child still
 * runs on one of them. */
int rb_spawner_destroy(struct rb_spawner *sp);

/* Starts a child that runs FN(ARG) and exits with its return value; its exit
 * signal is SIGCHLD. If PIDFD_OUT is not NULL it receives a pidfd for the
 * child (O_CLOEXEC), created atomically with it. Returns the child's pid, or
 * -errno: -EAGAIN when the pid space or RLIMIT_NPROC is exhausted, -ENOMEM
 * when no stack could be mapped. */
pid_t rb_spawn(struct rb_spawner *sp, enum rb_spawn_method method,
	       int (*fn)(void *), void *arg, int *pidfd_out);

/* The same, adding clone flags such as CLONE_FILES (share the fd table) or
 * CLONE_PARENT. Flags that conflict with the method fail with -EINVAL. */
pid_t rb_spawn_flags(struct rb_spawner *sp, enum rb_spawn_method method,
		     unsigned long flags, int (*fn)(void *), void *arg,
		     int *pidfd_out);

/* Stacks for spawners that run at the same time in one address space (the
 * nodes of a process tree, each making children while the others do): one
 * mapping of N stacks, stack I for whoever owns index I, never handed back
 * (the caller gives each child its own index). Guard pages as above. */
struct rb_stack_pool {
	void *base;
	size_t map_len;
	size_t slot_len; /* guard + stack */
	size_t n;
};

/* Returns 0 or -errno. */
int rb_stack_pool_init(struct rb_stack_pool *pool, size_t n, size_t stack_size);
/* The initial stack pointer of stack I (< n). */
void *rb_stack_pool_top(const struct rb_stack_pool *pool, size_t i);
/* Unmaps the stacks: only once no child runs on one of them any more. */
void rb_stack_pool_destroy(struct rb_stack_pool *pool);

/* rb_spawn_flags on a stack of the caller's (STACK_TOP, e.g. from a pool);
 * a fork child starts on its copy of it (NULL: on its copy of the caller's
 * stack). No bookkeeping: safe to call from several CLONE_VM processes at
 * once. Returns the pid or -errno. */
pid_t rb_spawn_on(void *stack_top, enum rb_spawn_method method, unsigned long flags,
		  int (*fn)(void *), void *arg, int *pidfd_out);

/* "clone-vm", "vfork", "fork" -> method; -1 if NAME is none of them. */
int rb_spawn_method_parse(const char *name);
const char *rb_spawn_method_name(enum rb_spawn_method method);

#endif
