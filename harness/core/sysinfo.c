#include "sysinfo.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int64_t rb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void read_exe_dir(char *dir, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0) {
		snprintf(dir, len, ".");
		return;
	}
	exe[n] = '\0';
	snprintf(dir, len, "%s", dirname(exe));
}

void rb_sysinfo_read(struct rb_sysinfo *si)
{
	struct utsname u;
	const char *env;

	memset(si, 0, sizeof(*si));
	if (uname(&u) == 0) {
		snprintf(si->kernel, sizeof(si->kernel), "%s", u.release);
		snprintf(si->hostname, sizeof(si->hostname), "%s", u.nodename);
		snprintf(si->machine, sizeof(si->machine), "%s", u.machine);
		sscanf(u.release, "%d.%d", &si->kernel_major, &si->kernel_minor);
	}
	si->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* Before 6.14 a write to pid_max inside a child namespace changed the
	 * host's value: only trust the per-namespace semantics by version. */
	si->per_ns_pid_max = si->kernel_major > 6 ||
			     (si->kernel_major == 6 && si->kernel_minor >= 14);
	si->root = geteuid() == 0;
	read_exe_dir(si->exe_dir, sizeof(si->exe_dir));
	env = getenv("REAPBENCH_PAYLOAD");
	if (env && *env)
		snprintf(si->payload, sizeof(si->payload), "%s", env);
	else
		snprintf(si->payload, sizeof(si->payload), "%.*s/rb-payload", PATH_MAX - 16,
			 si->exe_dir);
	env = getenv("REAPBENCH_REAPERS");
	if (env && *env)
		snprintf(si->reapers_dir, sizeof(si->reapers_dir), "%s", env);
	else
		snprintf(si->reapers_dir, sizeof(si->reapers_dir), "%.*s/../reapers",
			 PATH_MAX - 16, si->exe_dir);
}

bool rb_find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[8192], *save = NULL;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, name);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return true;
	}
	out[0] = '\0';
	return false;
}

