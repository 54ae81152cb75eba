/* Shared files and environments: see shmfile.h. */
#include "shmfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cgroup.h"

int rb_shm_create(struct rb_shm_file *f, const char *suffix, size_t len, struct rb_error *err)
{
	static unsigned counter; /* distinguishes files within one harness */
	char tag[64];
	int fd;

	rb_self_tag(tag, sizeof(tag));
	snprintf(f->path, sizeof(f->path), "/dev/shm/reapbench-%s-%u.%s", tag, counter++, suffix);
	fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return rb_sys_error(err, errno, "creating %s", f->path);
	f->len = len;
	if (ftruncate(fd, (off_t)len) < 0) {
		int e = errno;

		close(fd);
		unlink(f->path);
		return rb_sys_error(err, e, "sizing %s", f->path);
	}
	f->map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		unlink(f->path);
		return rb_sys_error(err, errno, "mapping %s", f->path);
	}
	return 0;
}

void rb_shm_remove(struct rb_shm_file *f)
{
	if (f->map)
		munmap(f->map, f->len);
	unlink(f->path);
	f->map = NULL;
}

static bool named(const char *entry, const char *const names[], int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (strncmp(entry, names[i], len) == 0 && entry[len] == '=')
			return true;
	}
	return false;
}

char **rb_environment(const char *const names[], const char *const values[], int n)
{
	extern char **environ;
	size_t count = 0, k = 0;
	char **env;

	while (environ[count])
		count++;
	env = calloc(count + (size_t)n + 1, sizeof(char *));
	if (!env)
		return NULL;
	for (char **e = environ; *e; e++)
		if (!named(*e, names, n))
			env[k++] = *e;
	for (int i = 0; i < n; i++)
		if (asprintf(&env[k++], "%s=%s", names[i], values[i]) < 0) {
			env[k - 1] = NULL;
			rb_environment_free(env, names, n);
			return NULL;
		}
	return env;
}

void rb_environment_free(char **env, const char *const names[], int n)
{
	if (!env)
		return;
	for (char **e = env; *e; e++)
		if (named(*e, names, n))
			free(*e);
	free(env);
}
