/* Background load (`--noise KIND[,KIND]...`, any subcommand): stress-ng
 * stressors running beside the sandboxes for the whole command, so that a
 * user can see how each reaper degrades on a busy machine. The kinds are a
 * const table in noise.c; the record's environment names the kinds used
 * (compare refuses to compare a quiet record with a noisy one). */
#ifndef REAPBENCH_NOISE_H
#define REAPBENCH_NOISE_H

#include <sys/types.h>

#include "error.h"

struct rb_noise {
	pid_t pid;            /* stress-ng, 0: none running */
	char kinds[64];       /* "cpu,vm", or "none" */
	char command[512];    /* what runs, for the log */
};

/* Removes "--noise KINDS" / "--noise=KINDS" from ARGV (the first one after
 * the subcommand, before any "--"; *ARGC adjusted) into *KINDS. 1: taken,
 * 0: absent, -1: no value. A second --noise is left for the subcommand to
 * refuse. */
int rb_noise_take_option(int *argc, char **argv, const char **kinds, struct rb_error *err);

/* Starts stress-ng with the stressors of KINDS (comma-separated) in its own
 * session, dying with the harness (PDEATHSIG) and at the latest after
 * --timeout; waits until it runs. Bad KINDS, or no stress-ng: input error. */
int rb_noise_start(struct rb_noise *n, const char *kinds, struct rb_error *err);

/* Where stress-ng may keep its files (--temp-path): $TMPDIR where we may
 * write it, else /tmp.
 * Its default, the current directory, makes it abort where that is not
 * writable (a run as nobody started in root's tree). */
const char *rb_stress_ng_temp_path(void);

/* SIGTERM to stress-ng (its workers stop with it), SIGKILL after 2 s; reaped. */
void rb_noise_stop(struct rb_noise *n);

#endif
