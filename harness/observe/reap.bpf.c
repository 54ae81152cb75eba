// SPDX-License-Identifier: GPL-2.0
/* The kernel-side observer: exits, SIGCHLDs and reaps inside one PID
 * namespace (the sandbox's), timed by the kernel. BTF tracepoints only
 * (tp_btf: no tracefs, no kprobes). Per run the harness reads:
 *   - a ring buffer with one record per reap (pid, reaper, exit, SIGCHLD,
 *     reap times);
 *   - a log2 histogram of exit->reap latency and the counters, in per-CPU
 *     arrays, complete even when the ring buffer overflows.
 * Exit: sched_process_exit of a group's last thread (signal->live is
 * already decremented there). Reapable: the last SIGCHLD generated for it
 * (do_notify_parent: at its exit, or at its parent's exit when it was
 * already a zombie and was reparented). Reap: the return of a wait4 or
 * waitid (not WNOWAIT) that reported it exited; tasks reaped by the kernel
 * itself (SIGCHLD ignored, a dying namespace) leave no reap. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "reap_events.h"

#define SIGCHLD 17
#define CLD_EXITED 1
#define CLD_DUMPED 3
#define WNOWAIT 0x01000000
/* userspace siginfo_t on 64-bit: si_code at 8, _sifields (si_pid) at 16 */
#define USER_SI_CODE 8
#define USER_SI_PID 16

#if defined(__TARGET_ARCH_x86)
#define NR_WAIT4 61
#define NR_WAITID 247
#define IS_SPAWN(nr) ((nr) == 56 || (nr) == 57 || (nr) == 58 || (nr) == 435) /* clone fork vfork clone3 */
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#define WAITID_INFOP(regs) BPF_CORE_READ(regs, dx)
#define WAITID_OPTIONS(regs) BPF_CORE_READ(regs, r10)
#elif defined(__TARGET_ARCH_arm64)
#define NR_WAIT4 260
#define NR_WAITID 95
#define IS_SPAWN(nr) ((nr) == 220 || (nr) == 435) /* clone clone3 */
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#define WAITID_INFOP(regs) BPF_CORE_READ(regs, regs[2])
#define WAITID_OPTIONS(regs) BPF_CORE_READ(regs, regs[3])
#else
#error "reap.bpf.c: only x86_64 and arm64 syscall registers are known"
#endif

char LICENSE[] SEC("license") = "GPL";

struct rb_bpf_target target;
struct rb_bpf_teardown teardown;
struct rb_bpf_batches batches; /* PID 1's only: one thread, no races */

struct exited {
	u64 t_exit;
	u64 t_notify;
};

/* Exited, not yet reaped (t_exit 0: none), indexed by the namespace's pid
 * number: sized by the harness to the sandbox's pid_max before load. An
 * array, not a hash: an exit costs a store, not an allocation and a lock. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE); /* the harness reads and clears it in place */
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, struct exited);
} tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} reaps SEC(".maps");

/* Other signals' hops, when the harness asks (target.signals). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} signals SEC(".maps");

/* Spawns, when the harness asks (target.spawns): their entry time per
 * thread (indexed by the namespace's tid, sized as tasks) and a record at
 * each return. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u64);
} spawn_entry SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} spawns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RB_BPF_NCOUNTERS);
	__type(key, u32);
	__type(value, u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RB_BPF_HIST_SLOTS);
	__type(key, u32);
	__type(value, u64);
} latency_log2 SEC(".maps");

static __always_inline void count(u32 which)
{
	u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

static __always_inline u32 log2_slot(u64 v)
{
	u32 slot = 0;

	/* bounded for the verifier: 64 halvings at most */
	for (int i = 0; i < 64 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot < RB_BPF_HIST_SLOTS ? slot : RB_BPF_HIST_SLOTS - 1;
}

/* The current task's thread group id in the sandbox's namespace; false
 * when it is not in that namespace (or nothing is armed). */
static __always_inline bool ours(u32 *tgid, u32 *tid)
{
	struct bpf_pidns_info ns;

	if (!target.armed)
		return false;
	if (bpf_get_ns_current_pid_tgid(target.pidns_dev, target.pidns_ino, &ns, sizeof(ns)))
		return false;
	*tgid = ns.tgid;
	if (tid)
		*tid = ns.pid;
	return true;
}

/* PID's number in its innermost namespace, and that namespace (UP);
 * false if it cannot be read. */
static __always_inline bool innermost(struct pid *pid, struct upid *up)
{
	unsigned int level = BPF_CORE_READ(pid, level);

	return level <= 32 && !bpf_core_read(up, sizeof(*up), &pid->numbers[level]);
}

/* TASK's thread group id in the sandbox's namespace, 0 if it is not in it
 * (TASK need not be the current task: a signal's target). */
static __always_inline u32 ns_tgid_of(struct task_struct *task)
{
	struct upid up;

	if (!innermost(BPF_CORE_READ(task, group_leader, thread_pid), &up))
		return 0;
	return BPF_CORE_READ(up.ns, ns.inum) == target.pidns_ino ? (u32)up.nr : 0;
}

static __always_inline void signal_event(u32 kind, u32 sig, u32 pid, u32 from, u32 result)
{
	struct rb_bpf_signal *e = bpf_ringbuf_reserve(&signals, sizeof(*e), 0);

	count(RB_BPF_SIGNALS);
	if (!e) {
		count(RB_BPF_SIGNALS_FULL);
		return;
	}
	*e = (struct rb_bpf_signal){ .kind = kind, .sig = sig, .pid = pid, .from = from,
				     .result = result, .t = bpf_ktime_get_ns() };
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(on_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	u32 tgid;

	if (!target.signals || sig == SIGCHLD || !ours(&tgid, NULL))
		return 0;
	signal_event(RB_BPF_SIG_DELIVER, sig, tgid, 0, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	struct exited *e;
	u64 now;
	u32 tgid;

	if (!ours(&tgid, NULL))
		return 0;
	if (BPF_CORE_READ(task, signal, live.counter) != 0) {
		count(RB_BPF_THREAD_EXITS);
		return 0;
	}
	count(RB_BPF_EXITS);
	now = bpf_ktime_get_ns();
	teardown.t_last_exit = now;
	if (tgid == 1)
		teardown.t_pid1_exit = now;
	else if (teardown.t_pid1_exit)
		__sync_fetch_and_add(&teardown.exits_after, 1);
	e = bpf_map_lookup_elem(&tasks, &tgid);
	if (!e) {
		count(RB_BPF_TASKS_FULL); /* a pid beyond the table */
		return 0;
	}
	e->t_notify = 0;
	e->t_exit = now;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	u32 tgid;

	if (ours(&tgid, NULL))
		count(RB_BPF_FORKS);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(on_signal, int sig, struct kernel_siginfo *info, struct task_struct *task, int group,
	     int result)
{
	struct exited *e;
	u32 tgid, child;
	int code;

	if (sig != SIGCHLD) {
		/* a hop of a forwarded signal: the sender may be outside (the
		 * harness's send to PID 1), so the target says whether it is ours */
		if (target.armed && target.signals && (child = ns_tgid_of(task)))
			signal_event(RB_BPF_SIG_GENERATE, sig, child, ours(&tgid, NULL) ? tgid : 0,
				     result);
		return 0;
	}
	if ((unsigned long)info <= 1 /* SEND_SIG_NOINFO, _PRIV */)
		return 0;
	/* do_notify_parent runs in the exiting child or its dying parent:
	 * both in the namespace */
	if (!ours(&tgid, NULL))
		return 0;
	code = BPF_CORE_READ(info, si_code);
	if (code < CLD_EXITED || code > CLD_DUMPED)
		return 0; /* stopped, continued, trapped: not an exit */
	count(RB_BPF_SIGCHLD);
	if (BPF_CORE_READ(task, tgid) == target.pid1_tgid) {
		count(RB_BPF_SIGCHLD_PID1);
		if (result == TRACE_SIGNAL_ALREADY_PENDING)
			count(RB_BPF_SIGCHLD_MERGED);
		else if (result == TRACE_SIGNAL_IGNORED)
			count(RB_BPF_SIGCHLD_IGNORED);
	}
	child = BPF_CORE_READ(info, _sifields._sigchld._pid);
	e = bpf_map_lookup_elem(&tasks, &child);
	if (e && e->t_exit)
		e->t_notify = bpf_ktime_get_ns();
	return 0;
}

/* Attached only when the harness asks for spawns: every system call entry
 * on the machine runs it. */
SEC("tp_btf/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	u32 tgid, tid;
	u64 now, *slot;

	if (!IS_SPAWN(id) || !target.spawns || !ours(&tgid, &tid))
		return 0;
	now = bpf_ktime_get_ns();
	slot = bpf_map_lookup_elem(&spawn_entry, &tid);
	if (slot)
		*slot = now;
	return 0;
}

/* A spawn's return in the parent (the child returns 0 from it too: not
 * ours to time). */
static __always_inline void spawn_returned(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct rb_bpf_spawn *e;
	struct upid up;
	u64 *slot, t0;
	u32 tgid, tid;

	if (ret == 0 || !ours(&tgid, &tid))
		return;
	slot = bpf_map_lookup_elem(&spawn_entry, &tid);
	if (!slot || !*slot)
		return;
	t0 = *slot;
	*slot = 0;
	e = bpf_ringbuf_reserve(&spawns, sizeof(*e), 0);
	if (!e) {
		count(RB_BPF_SPAWNS_FULL);
		return;
	}
	e->allocated = 0;
	e->pid_max = 0;
	if (innermost(BPF_CORE_READ(task, thread_pid), &up)) {
		/* the top bit is PIDNS_ADDING, set while the namespace accepts pids */
		e->allocated = BPF_CORE_READ(up.ns, pid_allocated) & 0x7fffffff;
		if (bpf_core_field_exists(up.ns->pid_max))
			e->pid_max = BPF_CORE_READ(up.ns, pid_max);
	}
	e->t = bpf_ktime_get_ns();
	e->ns = e->t - t0;
	e->failed = ret < 0;
	e->err = ret < 0 ? (u32)-ret : 0;
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* PID 1 reaped one (REAPED) or came back empty: a batch ends. */
static __always_inline void batch_step(bool reaped)
{
	u32 slot;

	if (reaped) {
		batches.current++;
		batches.total++;
		return;
	}
	if (!batches.current)
		return;
	slot = log2_slot(batches.current);
	if (slot >= RB_BPF_BATCH_SLOTS)
		slot = RB_BPF_BATCH_SLOTS - 1;
	batches.log2[slot]++;
	batches.count++;
	if (batches.current > batches.max)
		batches.max = batches.current;
	batches.current = 0;
}

/* The pid a wait4/waitid reaped, 0 if it reaped none. */
static __always_inline u32 reaped_pid(struct pt_regs *regs, long nr, long ret)
{
	int code = 0, pid = 0;
	void *infop;

	if (nr == NR_WAIT4)
		return ret > 0 ? (u32)ret : 0;
	if (ret != 0 || (WAITID_OPTIONS(regs) & WNOWAIT))
		return 0;
	infop = (void *)WAITID_INFOP(regs);
	if (!infop || bpf_probe_read_user(&code, sizeof(code), infop + USER_SI_CODE) ||
	    bpf_probe_read_user(&pid, sizeof(pid), infop + USER_SI_PID))
		return 0;
	return code >= CLD_EXITED && code <= CLD_DUMPED && pid > 0 ? (u32)pid : 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(on_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = SYSCALL_NR(regs);
	struct rb_bpf_reap *r;
	struct exited *e;
	u32 tgid, tid, pid, slot;
	u64 now, from, *bucket;

	if (IS_SPAWN(nr) && target.spawns) {
		spawn_returned(ret);
		return 0;
	}
	if (nr != NR_WAIT4 && nr != NR_WAITID)
		return 0;
	if (!ours(&tgid, &tid))
		return 0;
	pid = reaped_pid(regs, nr, ret);
	if (tgid == 1)
		batch_step(pid != 0);
	if (!pid)
		return 0;
	e = bpf_map_lookup_elem(&tasks, &pid);
	if (!e || !e->t_exit) {
		count(RB_BPF_REAPS_UNSEEN); /* also a stopped or continued child's report */
		return 0;
	}
	now = bpf_ktime_get_ns();
	count(RB_BPF_REAPS);
	from = e->t_notify > e->t_exit ? e->t_notify : e->t_exit;
	slot = log2_slot(now > from ? now - from : 0);
	bucket = bpf_map_lookup_elem(&latency_log2, &slot);
	if (bucket)
		*bucket += 1;
	/* no wakeup: the harness reads the ring once the storm is over */
	r = bpf_ringbuf_reserve(&reaps, sizeof(*r), 0);
	if (r) {
		r->pid = pid;
		r->reaper = tid;
		r->t_exit = e->t_exit;
		r->t_notify = e->t_notify;
		r->t_reap = now;
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	} else {
		count(RB_BPF_RING_FULL);
	}
	e->t_exit = 0;
	return 0;
}
