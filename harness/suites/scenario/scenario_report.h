/* A scenario run for people: the program, the timeline (the app's steps,
 * the harness's sends and notes, every exit and reap the harness saw,
 * every signal logged, PID 1's end), and the oracles' verdicts. Used by
 * `reapbench replay` and by the fuzz target when an oracle fails. */
#ifndef REAPBENCH_SCENARIO_REPORT_H
#define REAPBENCH_SCENARIO_REPORT_H

#include <stdio.h>

#include "scenario_oracle.h"
#include "scenario_run.h"

void rb_scn_print_program(FILE *out, const struct rb_scn_program *p);
void rb_scn_print_timeline(FILE *out, const struct rb_scn_result *res);
/* One line per oracle: ok, n/a, or each finding. */
void rb_scn_print_verdict(FILE *out, const struct rb_scn_verdict *v);

#endif
