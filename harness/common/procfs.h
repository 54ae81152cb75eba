/* What /proc says about a process: one place that parses it. PIDs are as
 * the caller's /proc shows them (the harness: the host's; a process of the
 * sandbox: the sandbox's own). */
#ifndef REAPBENCH_PROCFS_H
#define REAPBENCH_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The fields of /proc/PID/stat after the command name. */
struct rb_pstat {
	char state; /* R S D T t Z X ... */
	int ppid, pgrp, sid;
	unsigned flags; /* PF_*: PF_EXITING 0x4 once it is in exit */
};

/* false if PID is gone or its stat unreadable. */
bool rb_proc_stat(pid_t pid, struct rb_pstat *st);

/* Its state letter, '?' if unreadable. */
char rb_proc_state(pid_t pid);

/* Whether any thread of PID's thread group is stopped (T or t). A group
 * whose leader has exited shows the leader as Z: its threads tell. */
bool rb_proc_stopped(pid_t pid);

/* PID's pid in its innermost namespace (the last NSpid field), -1 if gone. */
pid_t rb_proc_innermost_pid(pid_t pid);

/* The process under ROOT (ROOT itself included) whose innermost pid is
 * NSPID: breadth first, through every thread's children; -1 if none. */
pid_t rb_proc_find_descendant(pid_t root, pid_t nspid);

/* Calls FN for every task (thread) of every process in MEMBER's pid
 * namespace (the same /proc/PID/ns/pid); returns how many, -1 if MEMBER's
 * namespace cannot be read. The tasks of a namespace nested in it are not
 * among them. */
int rb_pidns_each_task(pid_t member, void (*fn)(pid_t tid, void *arg), void *arg);

/* Whether PID is in its exit (PF_EXITING) and not yet a zombie: a
 * namespace's PID 1 stays so, its pidfd not readable, while the kernel
 * ends its namespace. (A leader that left its other threads running is a
 * zombie: not this.) */
bool rb_proc_exiting(pid_t pid);

/* How many of PID's children are stopped (state T). */
int rb_proc_stopped_children(pid_t pid);

/* The pid (in the caller's namespace) that PIDFD refers to: the "Pid:" of
 * its fdinfo; -1 once the process is reaped, or on error. */
pid_t rb_pidfd_pid(int pidfd);

/* Its pending signals (SigPnd | ShdPnd, bit n-1 = signal n); -1 if gone. */
long long rb_proc_pending(pid_t pid);

/* The signals it catches (SigCgt, bit n-1 = signal n); -1 if gone. */
long long rb_proc_caught(pid_t pid);

/* /proc/PID/status (PID 0: the caller's own) into BUF, NUL-terminated;
 * false if unreadable. */
bool rb_proc_status(pid_t pid, char *buf, size_t len);

/* The number after NAME ("\nVmHWM:") in status text TEXT; -1 if absent. */
long rb_status_field(const char *text, const char *name);

/* One field of /proc/PID/status (PID 0: the caller's own); -1 if
 * unreadable or absent. */
long rb_proc_status_field(pid_t pid, const char *name);

/* Its CPU time so far (the first field of /proc/PID/schedstat,
 * CONFIG_SCHED_INFO), ns; -1 when unreadable. */
int64_t rb_proc_cpu_ns(pid_t pid);

/* Its start time (field 22 of /proc/PID/stat), clock ticks since boot; 0
 * when unreadable. With the pid, it names one process across pid reuse. */
unsigned long long rb_proc_start_time(pid_t pid);

/* Time a task spent runnable but waiting for a CPU (the second field of
 * /proc/PID/schedstat, CONFIG_SCHED_INFO), read again and again through FD
 * from rb_schedstat_open; -1 when unreadable. On a loaded machine this is
 * the part of a delay that is the machine's, not the task's. */
int rb_schedstat_open(const char *path);
int64_t rb_schedstat_wait(int fd);

/* The wait status of the reaped process PIDFD refers to, which the kernel
 * keeps for the holders of its pidfds (PIDFD_INFO_EXIT, Linux 6.15);
 * false where it does not (or it was not reaped yet). */
bool rb_pidfd_exit_status(int pidfd, int *status);

/* Pids free in our PID namespace: its pid_max less the tasks there are
 * (/proc/loadavg's count, every thread of the machine: an upper bound on
 * ours, so inside a container with a pid_max of its own (6.14+) this errs
 * low). A process in a nested namespace takes a pid here too, so no
 * sandbox of ours holds more. *PID_MAX gets the pid_max; -1 when
 * unreadable. */
long rb_pid_space_free(long *pid_max);

#endif
