/* libFuzzer target: the run-record loader (baselines and records given to
 * later commands). Any input must load or give a one-line error. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_error err;
	char path[64];
	json_t *rec;
	int fd = memfd_create("record", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (rb_record_load(path, &rec, &err) == 0)
		json_decref(rec);
	close(fd);
	return 0;
}
