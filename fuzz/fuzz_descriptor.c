/* libFuzzer target: the reaper descriptor parser and template expansion.
 * Any input must give a descriptor or a one-line error, never a crash.
 * Seeds: the .ini files in reapers/. Run: make fuzz && build-fuzz/fuzz_descriptor reapers/ */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const workload[] = { "/bin/payload", "a b", "it's", NULL };
	struct rb_reaper r;
	struct rb_error err;
	char path[64], **argv;
	int fd = memfd_create("descriptor", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (rb_reaper_load(path, &r, &err) == 0) {
		snprintf(r.path, sizeof(r.path), "/usr/bin/init");
		if (rb_reaper_argv(&r, workload, &argv, &err) == 0)
			rb_argv_free(argv);
	}
	close(fd);
	return 0;
}
