/* The scenario fuzzer's oracles: what one run of a program (scenario_run.h)
 * must show of a reaper whose claims hold. Each oracle reads the claims
 * through expect.h, the model conform's cells use, and the kernel's rules
 * (standard signals merge while pending, realtime ones queue; a zombie is
 * PID 1's only once its parent is gone; a signal caught by nobody proves
 * nothing). A finding names its oracle, the operation it is about and the
 * rule broken, in one line. */
#ifndef REAPBENCH_SCENARIO_ORACLE_H
#define REAPBENCH_SCENARIO_ORACLE_H

#include <stdbool.h>

#include "registry.h"
#include "scenario_run.h"

enum rb_scn_oracle {
	RB_ORACLE_REAPING,     /* no zombie left to PID 1, none kept past the linger bound */
	RB_ORACLE_EXIT,        /* PID 1's status is what exit_status / exec_* claim */
	RB_ORACLE_FORWARDING,  /* forwards reach the claimed target; nothing arrives more
	                          often than sent; nothing claimed dropped arrives from PID 1 */
	RB_ORACLE_LIVENESS,    /* PID 1 dies of no signal it was not sent, ends after the app */
	RB_ORACLE_CONTAINMENT, /* the sandbox ends empty */
	RB_ORACLE_INHERIT,     /* the app starts with the signal state claimed */
	RB_NORACLES
};

#define RB_SCN_MAX_FINDINGS 16

struct rb_scn_finding {
	enum rb_scn_oracle oracle;
	int op;          /* the operation it is about, -1: the run as a whole */
	char msg[256];
};

struct rb_scn_verdict {
	bool applies[RB_NORACLES]; /* the claims and the run gave the oracle something to judge */
	int nfindings;
	struct rb_scn_finding f[RB_SCN_MAX_FINDINGS];
};

void rb_scn_judge(const struct rb_reaper *r, const struct rb_scn_opts *o,
		  const struct rb_scn_result *res, struct rb_scn_verdict *v);

const char *rb_scn_oracle_name(enum rb_scn_oracle o);

#endif
