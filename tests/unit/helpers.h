/* Shared by the unit tests: message assertions and running a command. */
#ifndef REAPBENCH_TEST_HELPERS_H
#define REAPBENCH_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

/* MSG must start with PREFIX (reported at the caller's line). */
#define assert_prefix(msg, prefix)                                                      \
	do {                                                                            \
		if (strncmp((msg), (prefix), strlen(prefix)) != 0)                      \
			fail_msg("message \"%s\" does not start with \"%s\"", (msg), (prefix)); \
	} while (0)
#define assert_contains(msg, part)                                                      \
	do {                                                                            \
		if (strstr((msg), (part)) == NULL)                                      \
			fail_msg("message \"%s\" does not contain \"%s\"", (msg), (part)); \
	} while (0)

/* Runs ARGV; returns its stdout (malloc'd, NUL-terminated; *LEN bytes if LEN
 * is not NULL) and its wait status. */
static inline char *run_capture(char *const argv[], size_t *len, int *status)
{
	size_t cap = 4096, n = 0;
	char *out = malloc(cap);
	ssize_t got;
	int fd[2];
	pid_t pid;

	assert_non_null(out);
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	while ((got = read(fd[0], out + n, cap - 1 - n)) > 0) {
		n += (size_t)got;
		if (n == cap - 1) {
			cap *= 2;
			out = realloc(out, cap);
			assert_non_null(out);
		}
	}
	out[n] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	if (len)
		*len = n;
	return out;
}

#endif
