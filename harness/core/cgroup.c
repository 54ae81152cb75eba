#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "procfs.h"

#define TAG_PREFIX "reapbench-"

/* Candidate hierarchies, most preferred first. */
static const struct {
	const char *path;
	int version;
} cgroup_roots[] = {
	{ "/sys/fs/cgroup", 2 },         /* pure cgroup2 */
	{ "/sys/fs/cgroup/unified", 2 }, /* hybrid: cgroup2 beside v1 */
	{ "/sys/fs/cgroup/pids", 1 },    /* v1 pids controller */
};

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

static int write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int saved;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	saved = errno;
	close(fd);
	return n < 0 ? -saved : 0;
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* A cgroup2 root is usable when pids is available and enabled for children
 * (we enable it if it is available but off). 0, or -errno: -ENOENT when
 * pids is not there at all, -EBUSY when enabling it was refused because
 * processes sit in the root itself (a container's private cgroup namespace:
 * only the real root is exempt from the no-internal-processes rule). */
static int v2_root_usable(const char *root)
{
	char path[PATH_MAX], buf[512];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	if (read_file(path, buf, sizeof(buf)) < 0 || !has_word(buf, "pids"))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return has_word(buf, "pids") ? 0 : write_file(path, "+pids");
}

int rb_cgroup_pick_root(char *root, size_t len, int *version, struct rb_error *err)
{
	const char *busy = NULL;

	for (size_t i = 0; i < sizeof(cgroup_roots) / sizeof(cgroup_roots[0]); i++) {
		struct statfs sf;
		long magic = cgroup_roots[i].version == 2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC;
		int rc;

		if (statfs(cgroup_roots[i].path, &sf) < 0 || sf.f_type != magic)
			continue;
		if (cgroup_roots[i].version == 2 && (rc = v2_root_usable(cgroup_roots[i].path)) < 0) {
			if (rc == -EBUSY && !busy)
				busy = cgroup_roots[i].path;
			continue;
		}
		if (access(cgroup_roots[i].path, W_OK) != 0)
			return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "pids cgroup %s",
				       cgroup_roots[i].path);
		snprintf(root, len, "%s", cgroup_roots[i].path);
		*version = cgroup_roots[i].version;
		return 0;
	}
	if (busy)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0, "cgroup2 %s has pids but cannot give it to "
			       "children: processes sit in its root (a container's own cgroup namespace); "
			       "move them to a leaf first, as Docker's dind does (.ci/cgroup-leaf)", busy);
	return rb_fail(err, RB_ERR_UNSUPPORTED, 0,
		       "no pids cgroup controller (neither cgroup2 with pids nor v1 pids is mounted)");
}

void rb_self_tag(char *buf, size_t len)
{
	pid_t self = getpid();

	snprintf(buf, len, "%d-%llu", self, rb_proc_start_time(self));
}

int rb_cgroup_create(struct rb_cgroup *cg, long pids_max, struct rb_error *err)
{
	char root[PATH_MAX], tag[64], file[PATH_MAX + 32], value[32];
	int rc;

	if (rb_cgroup_pick_root(root, sizeof(root), &cg->version, err) < 0)
		return -1;
	rb_self_tag(tag, sizeof(tag));
	snprintf(cg->path, sizeof(cg->path), "%s/" TAG_PREFIX "%s", root, tag);
	if (mkdir(cg->path, 0755) < 0) {
		int e = errno;

		cg->path[0] = '\0';
		return rb_fail(err, e == EACCES || e == EPERM ? RB_ERR_UNSUPPORTED : RB_ERR_SYSTEM,
			       e, "mkdir %s/" TAG_PREFIX "%s", root, tag);
	}
	snprintf(file, sizeof(file), "%s/pids.max", cg->path);
	snprintf(value, sizeof(value), "%ld", pids_max);
	rc = write_file(file, value);
	if (rc < 0) {
		rb_sys_error(err, -rc, "writing %s", file);
		rmdir(cg->path);
		cg->path[0] = '\0';
		return -1;
	}
	return 0;
}

int rb_cgroup_add(const struct rb_cgroup *cg, pid_t pid, struct rb_error *err)
{
	char file[PATH_MAX + 32], value[32];
	int rc;

	snprintf(file, sizeof(file), "%s/cgroup.procs", cg->path);
	snprintf(value, sizeof(value), "%d", pid);
	rc = write_file(file, value);
	return rc < 0 ? rb_sys_error(err, -rc, "adding pid %d to %s", pid, file) : 0;
}

long rb_cgroup_read_long(const struct rb_cgroup *cg, const char *name)
{
	char file[PATH_MAX + 32], buf[64];

	snprintf(file, sizeof(file), "%s/%s", cg->path, name);
	if (read_file(file, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 10);
}

int rb_cgroup_open(const struct rb_cgroup *cg, const char *name)
{
	char file[PATH_MAX + 32];

	snprintf(file, sizeof(file), "%s/%s", cg->path, name);
	return open(file, O_RDONLY | O_CLOEXEC);
}

long rb_cgroup_pread_long(int fd)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* SIGKILL every pid listed in DIR/cgroup.procs; returns how many were listed. */
static int kill_listed(const char *dir)
{
	char file[PATH_MAX + 32], line[32];
	int count = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		pid_t pid = (pid_t)strtol(line, NULL, 10);

		if (pid > 0) {
			kill(pid, SIGKILL);
			count++;
		}
	}
	fclose(f);
	return count;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* rmdir fails with EBUSY while a process (even a zombie) is charged. */
static int empty_and_remove(const char *dir, int timeout_ms)
{
	for (int waited = 0;; waited += 5) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || waited >= timeout_ms)
			return -errno;
		if (waited % 100 == 0)
			kill_listed(dir);
		sleep_ms(5);
	}
}

int rb_cgroup_destroy(struct rb_cgroup *cg, int timeout_ms, struct rb_error *err)
{
	int rc;

	if (cg->path[0] == '\0')
		return 0;
	rc = empty_and_remove(cg->path, timeout_ms);
	if (rc < 0)
		return rb_sys_error(err, -rc, "removing cgroup %s (still in use after %d ms)",
				    cg->path, timeout_ms);
	cg->path[0] = '\0';
	return 0;
}

bool rb_tag_is_stale(const char *name)
{
	int pid;
	unsigned long long start;

	if (sscanf(name, TAG_PREFIX "%d-%llu", &pid, &start) != 2)
		return false;
	return rb_proc_start_time(pid) != start;
}

int rb_sweep_stale(const char *dir, int (*remove)(const char *path, void *arg), void *arg)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	int swept = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, TAG_PREFIX, strlen(TAG_PREFIX)) != 0 ||
		    !rb_tag_is_stale(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		swept += remove(path, arg) == 0;
	}
	closedir(d);
	return swept;
}

static int remove_cgroup(const char *path, void *arg)
{
	(void)arg;
	return empty_and_remove(path, 2000);
}

static int remove_file(const char *path, void *arg)
{
	(void)arg;
	return unlink(path);
}

int rb_cgroup_sweep_stale(void)
{
	int swept = 0;

	for (size_t i = 0; i < sizeof(cgroup_roots) / sizeof(cgroup_roots[0]); i++)
		swept += rb_sweep_stale(cgroup_roots[i].path, remove_cgroup, NULL);
	swept += rb_sweep_stale("/dev/shm", remove_file, NULL);
	return swept;
}
