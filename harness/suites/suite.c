#include "suite.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "record.h"

const char *const rb_observer_names[] = { "pidfd", "bpf", "both", NULL };

bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite)
{
	if (r->available)
		return false;
	rb_record_skip(rb_record_add_run(rec, r, NULL), suite, r->unavailable_reason);
	printf("%-20s unavailable: %s\n", r->name, r->unavailable_reason);
	return true;
}

int rb_suite_raise_nofile(unsigned long processes, unsigned long slack, char *why, size_t len)
{
	rlim_t need = (rlim_t)(processes + slack);
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max >= need)
		return 0;
	rl.rlim_cur = rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	snprintf(why, len, "%lu processes need %lu file descriptors (a pidfd each); raising "
		 "RLIMIT_NOFILE: %s", processes, processes + slack, strerror(errno));
	return -1;
}
