/* What a reaper's claims predict, in the words of the conformance cells.
 * One model for `conform` (each check_*.c compares a cell with it) and the
 * scenario fuzzer's oracles (scenario_oracle.c). */
#ifndef REAPBENCH_EXPECT_H
#define REAPBENCH_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* Who gets SIG sent to PID 1: "app", "group" (the app's process group),
 * "stopped" (the init stops the app instead) or "dropped". */
const char *rb_expect_receivers(const struct rb_reaper *r, int sig);

/* How the app ended, for PID 1's exit status. */
enum rb_app_end {
	RB_APP_EXITED,         /* ARG: its exit code */
	RB_APP_KILLED,         /* ARG: the signal */
	RB_APP_NOT_FOUND,      /* the init could not exec it: no such file */
	RB_APP_NOT_EXECUTABLE, /* the init could not exec it: no permission */
};

/* PID 1's exit code the claims predict, -1 when they claim nothing. */
int rb_expect_exit_code(const struct rb_claims *c, enum rb_app_end how, int arg);

/* What the app's other processes get when it exits: "kill", "term" or ""
 * (unclaimed). */
const char *rb_expect_main_exit(const struct rb_claims *c);

/* The app's signal state at its start: the blocked mask (BLOCKED true) or
 * the SIG_IGN dispositions, as set names ("none", "TSTP TTIN TTOU"); ""
 * when the claims say nothing. */
void rb_expect_inherit(const struct rb_reaper *r, bool blocked, char *buf, size_t len);

/* "none", or the short names of the signals in BITS (bit n-1 = signal n),
 * sorted by number: "TSTP TTIN TTOU", "32 33". */
void rb_signal_set_names(uint64_t bits, char *buf, size_t len);

#endif
