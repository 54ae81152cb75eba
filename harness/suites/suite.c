#include "suite.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "observer_bpf.h"
#include "record.h"

const char *const rb_observer_names[] = { "pidfd", "bpf", "both", "auto", NULL };

int rb_observer_open(int *observer, struct rb_bpf_observer **bpf, uint32_t pid_space,
		     uint32_t records, char *why, size_t len, struct rb_error *err)
{
	why[0] = '\0';
	if (*observer == RB_OBS_PIDFD)
		return 0;
	if (*observer != RB_OBS_AUTO)
		return rb_bpf_observer_open(bpf, pid_space, records, err);
	*observer = rb_observer_try(bpf, pid_space, records, why, len) ? RB_OBS_BPF : RB_OBS_PIDFD;
	return 0;
}

bool rb_observer_try(struct rb_bpf_observer **bpf, uint32_t pid_space, uint32_t records,
		     char *why, size_t len)
{
	struct rb_error e;

	why[0] = '\0';
	if (rb_bpf_observer_open(bpf, pid_space, records, &e) == 0)
		return true;
	snprintf(why, len, "the BPF observer cannot run here: %s", e.msg);
	return false;
}

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
