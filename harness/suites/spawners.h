/* --spawners N, as the storm-driven suites (storm, exhaust) take it: how
 * many spawners the storm generator runs (bench/storm.h), its bounds, the
 * payload's words for it and what the record says of the ones that ran. */
#ifndef REAPBENCH_SPAWNERS_H
#define REAPBENCH_SPAWNERS_H

#include <jansson.h>

#include "channel.h"
#include "cli.h"
#include "error.h"
#include "share.h"

/* The option's table entry; FIELD an unsigned long of the command's TYPE. */
#define RB_OPT_SPAWNERS(type, field)                                                        \
	{ "spawners", 0, RB_OT_ULONG, "N", RB_IN_CFG, offsetof(type, field), 1, RB_SPAWNERS_MAX, \
	  .help = "spawners of the storm generator (burst, hoard, stream), released\n"         \
		  "together; a hoard's and a stream's each pinned to a CPU; 1: one,\n"          \
		  "unpinned", .dflt = "the online CPUs",                                       \
	  .record = "spawners" }

/* The default: the online CPUs (1 if that cannot be read). */
unsigned long rb_spawners_default(void);

/* N within RB_SPAWNERS_PER_CPU_MAX x the online CPUs, else -1 with ERR
 * (one line naming COMMAND's option). */
int rb_spawners_check(const char *command, unsigned long n, struct rb_error *err);

/* What ran, from the payload's channel: RUN's "spawners" (a payload from
 * before --spawners ran one) and "spawner_cpus" (the CPUs they were pinned
 * to; [] when not pinned). Returns how many ran. */
unsigned rb_spawners_record(json_t *run, const struct rb_channel *ch);

#endif
