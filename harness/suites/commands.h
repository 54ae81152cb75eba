/* Subcommands: one file each (cmd_*.c), listed once in main.c's table. Each
 * returns its exit code, or -1 with ERR filled (main turns ERR into one). */
#ifndef REAPBENCH_COMMANDS_H
#define REAPBENCH_COMMANDS_H

#include "error.h"
#include "sysinfo.h"

typedef int rb_command_fn(int argc, char **argv, const struct rb_sysinfo *si,
			  struct rb_error *err);

/* The measuring suites, each one file ending in its struct rb_suite
 * (suite.h) run by the one driver; a new suite is one line here. */
#define RB_SUITES(X) \
	X(conform) X(storm) X(signals) X(exhaust) X(startup) X(scale) X(calibrate) X(smoke)

struct rb_suite;
#define RB_SUITE_DECLARE(name) extern const struct rb_suite rb_suite_##name;
RB_SUITES(RB_SUITE_DECLARE)

rb_command_fn rb_cmd_list;
rb_command_fn rb_cmd_run;
rb_command_fn rb_cmd_compare;
rb_command_fn rb_cmd_replay;
rb_command_fn rb_cmd_fuzz;
rb_command_fn rb_cmd_verdict;
rb_command_fn rb_cmd_gate;

#endif
