/* /proc parsing: see procfs.h. */
#include "procfs.h"

#include <dirent.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PF_EXITING 0x00000004 /* include/linux/sched.h: in do_exit() */

/* FILE into BUF (NUL-terminated); false if unreadable. */
static bool read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

bool rb_proc_stat(pid_t pid, struct rb_pstat *st)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* the command name may hold spaces and parentheses: skip to the last ')' */
	return read_small(path, buf, sizeof(buf)) && (p = strrchr(buf, ')')) && p[1] == ' ' &&
	       sscanf(p + 2, "%c %d %d %d %*d %*d %u", &st->state, &st->ppid, &st->pgrp, &st->sid,
		      &st->flags) == 5;
}

bool rb_proc_exiting(pid_t pid)
{
	struct rb_pstat st;

	return rb_proc_stat(pid, &st) && (st.flags & PF_EXITING) && st.state != 'Z' && st.state != 'X';
}

char rb_proc_state(pid_t pid)
{
	struct rb_pstat st;

	return rb_proc_stat(pid, &st) ? st.state : '?';
}

/* The number after NAME at the start of a line of TEXT; the last one of
 * several on that line when LAST. -1 if absent. */
static long line_field(const char *text, const char *name, bool last)
{
	const char *at = strstr(text, name), *end, *p;

	if (!at)
		return -1;
	at += strlen(name);
	end = strchrnul(at, '\n');
	if (last)
		for (p = end; p > at; p--)
			if (p[-1] == '\t' || p[-1] == ' ') {
				at = p;
				break;
			}
	return strtol(at, NULL, 10);
}

pid_t rb_proc_innermost_pid(pid_t pid)
{
	char buf[4096];

	if (!rb_proc_status(pid, buf, sizeof(buf)))
		return -1;
	return (pid_t)line_field(buf, "\nNSpid:", true);
}

static unsigned long long hex_field(const char *text, const char *name)
{
	const char *at = strstr(text, name);

	return at ? strtoull(at + strlen(name), NULL, 16) : 0;
}

long long rb_proc_pending(pid_t pid)
{
	char buf[4096];

	if (!rb_proc_status(pid, buf, sizeof(buf)))
		return -1;
	return (long long)(hex_field(buf, "\nSigPnd:") | hex_field(buf, "\nShdPnd:"));
}

long long rb_proc_caught(pid_t pid)
{
	char buf[4096];

	if (!rb_proc_status(pid, buf, sizeof(buf)))
		return -1;
	return (long long)hex_field(buf, "\nSigCgt:");
}

bool rb_proc_status(pid_t pid, char *buf, size_t len)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	return read_small(path, buf, len);
}

long rb_status_field(const char *text, const char *name)
{
	const char *at = strstr(text, name);

	return at ? strtol(at + strlen(name), NULL, 10) : -1;
}

long rb_proc_status_field(pid_t pid, const char *name)
{
	char buf[4096];

	return rb_proc_status(pid, buf, sizeof(buf)) ? rb_status_field(buf, name) : -1;
}

int64_t rb_proc_cpu_ns(pid_t pid)
{
	char path[64], buf[128];
	unsigned long long cpu;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	return read_small(path, buf, sizeof(buf)) && sscanf(buf, "%llu", &cpu) == 1 ? (int64_t)cpu
										     : -1;
}

unsigned long long rb_proc_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!read_small(path, buf, sizeof(buf)) || !(p = strrchr(buf, ')')))
		return 0;
	/* after ") " come fields 3..; skip 19 of them to reach field 22 */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

pid_t rb_proc_find_descendant(pid_t root, pid_t nspid)
{
	enum { MAX_SEEN = 512 };
	pid_t queue[MAX_SEEN];
	size_t head = 0, tail = 0;

	queue[tail++] = root;
	while (head < tail) {
		pid_t p = queue[head++];
		char path[64];
		struct dirent *d;
		DIR *tasks;

		if (rb_proc_innermost_pid(p) == nspid)
			return p;
		snprintf(path, sizeof(path), "/proc/%d/task", (int)p);
		tasks = opendir(path);
		if (!tasks)
			continue;
		while ((d = readdir(tasks))) {
			int child;
			FILE *f;

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%.16s/children", (int)p, d->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (tail < MAX_SEEN && fscanf(f, "%d", &child) == 1)
				queue[tail++] = child;
			fclose(f);
		}
		closedir(tasks);
	}
	return -1;
}

static bool ns_of(const char *proc_dir, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%.20s/ns/pid", proc_dir);
	return stat(path, st) == 0;
}

int rb_pidns_each_task(pid_t member, void (*fn)(pid_t tid, void *arg), void *arg)
{
	char name[24], path[64];
	struct stat want, st;
	struct dirent *d, *t;
	DIR *procs, *tasks;
	int n = 0;

	snprintf(name, sizeof(name), "%d", (int)member);
	if (!ns_of(name, &want) || !(procs = opendir("/proc")))
		return -1;
	while ((d = readdir(procs))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || !ns_of(d->d_name, &st) ||
		    st.st_ino != want.st_ino || st.st_dev != want.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/task", d->d_name);
		if (!(tasks = opendir(path)))
			continue;
		while ((t = readdir(tasks))) {
			pid_t tid = (pid_t)strtol(t->d_name, NULL, 10);

			if (tid > 0) {
				fn(tid, arg);
				n++;
			}
		}
		closedir(tasks);
	}
	closedir(procs);
	return n;
}

bool rb_proc_stopped(pid_t pid)
{
	char path[64];
	struct dirent *d;
	bool stopped = false;
	DIR *tasks;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return false;
	while (!stopped && (d = readdir(tasks))) {
		char stat[96], buf[512], *p;

		if (d->d_name[0] == '.')
			continue;
		snprintf(stat, sizeof(stat), "/proc/%d/task/%s/stat", (int)pid, d->d_name);
		if (!read_small(stat, buf, sizeof(buf)) || !(p = strrchr(buf, ')')))
			continue;
		stopped = p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
	}
	closedir(tasks);
	return stopped;
}

int rb_proc_stopped_children(pid_t pid)
{
	char path[64];
	int stopped = 0, child;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &child) == 1) {
		char st = rb_proc_state(child);

		stopped += st == 'T' || st == 't';
	}
	fclose(f);
	return stopped;
}

pid_t rb_pidfd_pid(int pidfd)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	if (!read_small(path, buf, sizeof(buf)))
		return -1;
	return (pid_t)line_field(buf, "\nPid:", false);
}

int rb_schedstat_open(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

int64_t rb_schedstat_wait(int fd)
{
	char buf[128];
	unsigned long long run, wait;
	ssize_t n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return sscanf(buf, "%llu %llu", &run, &wait) == 2 ? (int64_t)wait : -1;
}

/* struct pidfd_info of Linux 6.15 (PIDFD_INFO_SIZE_VER0). */
struct rb_pidfd_info {
	uint64_t mask;
	uint64_t cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define RB_PIDFD_GET_INFO _IOWR(0xFF, 11, struct rb_pidfd_info)
#define RB_PIDFD_INFO_EXIT (1ULL << 3)

bool rb_pidfd_exit_status(int pidfd, int *status)
{
	struct rb_pidfd_info info = { .mask = RB_PIDFD_INFO_EXIT };

	if (ioctl(pidfd, RB_PIDFD_GET_INFO, &info) < 0 || !(info.mask & RB_PIDFD_INFO_EXIT))
		return false;
	*status = info.exit_code;
	return true;
}

long rb_pid_space_free(long *pid_max)
{
	long max = -1, running, tasks = -1;
	FILE *f;

	*pid_max = -1;
	if ((f = fopen("/proc/sys/kernel/pid_max", "re"))) {
		if (fscanf(f, "%ld", &max) != 1)
			max = -1;
		fclose(f);
	}
	if ((f = fopen("/proc/loadavg", "re"))) {
		/* 0.42 0.99 1.07 2/196 12345: runnable/tasks */
		if (fscanf(f, "%*f %*f %*f %ld/%ld", &running, &tasks) != 2)
			tasks = -1;
		fclose(f);
	}
	if (max < 0 || tasks < 0)
		return -1;
	*pid_max = max;
	return max > tasks ? max - tasks : 0;
}
