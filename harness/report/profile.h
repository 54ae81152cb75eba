/* What a container's PID 1 must do: the one profile `reapbench verdict`
 * holds every reaper to, whatever the reaper itself claims (conform holds
 * each to its own claims, and bash, which claims nothing, holds them all).
 * The profile is the reference's behaviour (reapers/src/rb-init.c). Each row
 * is a question a user asks before choosing an init, answered from records
 * already made (conform, storm, signals, exhaust, startup), never by running
 * anything; each answer cites the checks and figures it came from. */
#ifndef REAPBENCH_PROFILE_H
#define REAPBENCH_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The records of one results directory; NULL: that record is missing. */
struct rb_verdict_records {
	json_t *conform, *storm, *signals, *exhaust, *startup;
};

enum rb_answer {
	RB_ANSWER_YES,     /* does what the profile asks */
	RB_ANSWER_NO,      /* does not: the word says what happens instead */
	RB_ANSWER_INFO,    /* a figure or a choice, no right answer (cost, app or group) */
	RB_ANSWER_NA,      /* does not apply (pause runs no app of its own) */
	RB_ANSWER_UNKNOWN, /* not measured: the record or the check is missing */
};

struct rb_verdict_cell {
	enum rb_answer answer;
	char word[64];    /* what the table shows: "app killed", "x1.27", "drops 9" */
	char phrase[320]; /* for RB_ANSWER_NO: what it means for the app, in words */
	json_t *sources;  /* [{"record", "item", "value"}]: where the answer came from */
};

struct rb_profile_row {
	const char *id;       /* "stop" */
	const char *record;   /* the record it reads: "conform.json" */
	const char *question; /* as the table shows it */
	const char *requires; /* the profile's rule, with the checks and figures it reads */
	const char *remedy;   /* "for a graceful docker stop": where other inits do it */
	bool core;            /* PID 1's essential job: an init that fails it is advised for nothing */
	void (*answer)(const struct rb_verdict_records *in, const char *reaper,
		       struct rb_verdict_cell *out);
};

/* The profile's rows, in the order the table shows them; *N set. */
const struct rb_profile_row *rb_profile_rows(size_t *n);

/* Answer ROW for REAPER into OUT (OUT->sources is a new array: the caller
 * owns it). */
void rb_profile_answer(const struct rb_profile_row *row, const struct rb_verdict_records *in,
		       const char *reaper, struct rb_verdict_cell *out);

#endif
