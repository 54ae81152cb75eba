/* Facts about the machine and the harness itself that a run depends on and
 * that every run record carries. */
#ifndef REAPBENCH_SYSINFO_H
#define REAPBENCH_SYSINFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rb_sysinfo {
	char kernel[128];    /* uname -r */
	char hostname[128];
	char machine[32];    /* uname -m */
	int cpus;            /* online CPUs */
	int kernel_major, kernel_minor;
	bool per_ns_pid_max; /* pid_max is per PID namespace (Linux 6.14, 7863dcc72d0f) */
	bool root;           /* euid 0 */
	char exe_dir[PATH_MAX];     /* where reapbench, rb-payload and rb-* live */
	char reapers_dir[PATH_MAX]; /* descriptor files: $REAPBENCH_REAPERS or exe_dir/../reapers */
	/* the workload binary: $REAPBENCH_PAYLOAD (the gate runs one side's
	 * storms with another build's generator) or exe_dir/rb-payload */
	char payload[PATH_MAX];
	char noise[64];      /* background load running (--noise, noise.h): "none" or its kinds */
};

void rb_sysinfo_read(struct rb_sysinfo *si);

/* NAME as a shell finds it: the first regular, executable DIR/NAME for DIR
 * in $PATH (unset or empty: /usr/local/bin:/usr/bin:/bin), into OUT. */
bool rb_find_in_path(const char *name, char *out, size_t len);

/* CLOCK_MONOTONIC in nanoseconds: the same clock in every PID namespace. */
int64_t rb_now_ns(void);

#endif
