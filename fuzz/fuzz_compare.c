/* libFuzzer target: reapbench compare on two records (the regression gate's
 * inputs, as bench/check hands it a baseline and a new run). The input is
 * BASE, a NUL byte, NEW (no NUL: its two halves); both go to compare as
 * files, plainly and with --relative-to tini. Any input must give a verdict
 * or a one-line error, never a crash. Seeds: fuzz/seeds/compare, pairs of
 * small records cut from results/baseline. */
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "commands.h"
#include "sysinfo.h"

static struct rb_sysinfo si;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	rb_sysinfo_read(&si);
	if (null >= 0)
		dup2(null, STDOUT_FILENO); /* the verdicts; libFuzzer talks on stderr */
	return 0;
}

static int as_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("record", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

static void compare(char *const args[], int n)
{
	struct rb_error err = { 0 };

	optind = 0; /* getopt starts over */
	rb_cmd_compare(n, (char **)args, &si, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t nbase = nul ? (size_t)(nul - data) : size / 2;
	size_t skip = nul ? 1 : 0;
	char base[64], new_[64];
	int fb = as_file(data, nbase, base, sizeof(base));
	int fn = as_file(data + nbase + skip, size - nbase - skip, new_, sizeof(new_));

	if (fb >= 0 && fn >= 0) {
		char *plain[] = { "compare", base, new_, NULL };
		char *relative[] = { "compare", base, new_, "--relative-to", "tini", NULL };

		compare(plain, 3);
		compare(relative, 5);
	}
	if (fb >= 0)
		close(fb);
	if (fn >= 0)
		close(fn);
	return 0;
}
