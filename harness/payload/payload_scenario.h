/* rb-payload's scenario verbs (payload_scenario.c): the app that
 * interprets a scenario program, and the entry of processes of the program
 * that exec'd rb-payload again (spawned with vfork-exec). */
#ifndef REAPBENCH_PAYLOAD_SCENARIO_H
#define REAPBENCH_PAYLOAD_SCENARIO_H

#include <stdbool.h>

#include "channel.h"

/* rb-payload scenario [FILE]: with a harness (REAPBENCH_SCENARIO names its
 * area), run the programs it posts until it says quit; alone, run FILE (text
 * form *.scn, else the fuzzer's bytes) once and print the timeline. CH is
 * the report channel (its signal log). Returns the exit status. */
int rb_payload_scenario(int argc, char **argv, struct rb_channel *ch);

/* rb-payload scenario-member INDEX: a process of the program in an image
 * of its own; runs its mailbox until killed. */
int rb_payload_scenario_member(int argc, char **argv, struct rb_channel *ch);

#endif
