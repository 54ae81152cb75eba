/* Files in /dev/shm that the harness shares with the processes of a
 * sandbox (the report channel, the scenario area), and the environment
 * that names them. Named reapbench-<harness tag>-N.SUFFIX, so that the next
 * run sweeps the files of a harness that was killed (cgroup.c). */
#ifndef REAPBENCH_SHMFILE_H
#define REAPBENCH_SHMFILE_H

#include <stddef.h>

#include "error.h"

struct rb_shm_file {
	char path[128];
	void *map; /* MAP_SHARED, LEN bytes, zeroed */
	size_t len;
};

int rb_shm_create(struct rb_shm_file *f, const char *suffix, size_t len, struct rb_error *err);
/* Unmap and unlink. */
void rb_shm_remove(struct rb_shm_file *f);

/* The harness's environment with N variables set (NAMES[i]=VALUES[i]),
 * others of those names left out; NULL on ENOMEM. */
char **rb_environment(const char *const names[], const char *const values[], int n);
/* Free what rb_environment made (the strings it added, then the array). */
void rb_environment_free(char **env, const char *const names[], int n);

#endif
