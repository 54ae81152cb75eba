/* A subcommand's command line as data: one table of options from which the
 * getopt_long table, the parsing (bounds checked, one-line errors) and
 * --help with every default are all made, as stress-ng's stressors declare
 * theirs. A value goes straight into the command's configuration: each
 * option names a target (the command's own struct, the sandbox options or
 * the reaper selection) and an offset in it. */
#ifndef REAPBENCH_CLI_H
#define REAPBENCH_CLI_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "options.h"
#include "runner.h"
#include "scenario_run.h"

/* A number macro as a string, for help text. */
#define RB_STR_(x) #x
#define RB_STR(x) RB_STR_(x)

enum rb_opt_type {
	RB_OT_FLAG,   /* bool: true when given */
	RB_OT_CLEAR,  /* bool: false when given (--fresh against --persistent) */
	RB_OT_LONG,   /* long in [min, max] */
	RB_OT_ULONG,  /* unsigned long in [min, max] */
	RB_OT_INT,    /* int in [min, max] */
	RB_OT_NS,     /* int64_t: a duration, in ns, in [min, max] ns */
	RB_OT_RATE,   /* double: a rate per second in (0, max] */
	RB_OT_STR,    /* const char *: the argument as given */
	RB_OT_CHOICE, /* int (or an enum): the argument's index in choices[] */
	RB_OT_FN,     /* parse() stores it */
};

/* Where an option's value goes. */
enum rb_opt_in { RB_IN_CFG, RB_IN_SANDBOX, RB_IN_SELECTION, RB_IN_SCENARIO, RB_IN_OUTPUT };

struct rb_opt {
	const char *name;    /* the long name, without "--" */
	char letter;         /* a short form (-r), or 0 */
	enum rb_opt_type type;
	const char *metavar; /* the value's name in --help ("N", "DUR"); NULL for a flag */
	enum rb_opt_in in;
	size_t off;          /* offsetof() the field in its target */
	double min, max;     /* bounds (durations in ns) */
	const char *const *choices; /* RB_OT_CHOICE: NULL-terminated */
	/* RB_OT_FN: OPT is "--name"; FIELD points at the field */
	int (*parse)(const char *opt, const char *arg, void *field, struct rb_error *err);
	const char *help;    /* what it does; '\n' continues on the next line */
	const char *dflt;    /* the default in words where the value cannot say it;
			      * "" shows none */
	void (*help_more)(FILE *out); /* lines printed after the help (a list) */
	/* its key in the record's options (rb_cli_record): numbers as numbers,
	 * durations in seconds, a choice by name; NULL: the suite records it
	 * itself (a value resolved or derived after parsing) or not at all */
	const char *record;
	json_t *(*to_json)(const void *field); /* RB_OT_FN: the value to record */
};

/* Option groups a command may take besides its own. */
enum {
	RB_CLI_SELECTION = 1 << 0, /* -r REAPER (repeatable), --all */
	RB_CLI_SANDBOX = 1 << 1,   /* --pid-max, --pids-max, --deadline, --userns, --runtime */
	RB_CLI_SCENARIO = 1 << 2,  /* the oracles' bounds, the sandbox mode (replay, fuzz) */
	RB_CLI_OUTPUT = 1 << 3,    /* --out, --json, --no-record, --format (struct rb_output) */
};
/* A command's own option of a group option's name replaces it (conform's
 * --format also offers tap). */

/* A command's own default, in words, for an option of a group. */
struct rb_opt_default {
	const char *name;
	const char *text;
};

struct rb_cli {
	const char *name;     /* the subcommand */
	const char *synopsis; /* after "reapbench NAME": "[OPTIONS] FILE..." */
	const char *about;    /* a paragraph or two for --help */
	const struct rb_opt *opts; /* ends with { 0 } */
	unsigned groups;
	int min_args, max_args; /* positional arguments after the options */
	bool stop_at_args;      /* options end at the first argument (run -- CMD) */
	const struct rb_opt_default *defaults; /* ends with { 0 }; may be NULL */
};

/* The objects the options write into; a target a command lacks is NULL. */
struct rb_output;
struct rb_cli_targets {
	void *cfg;
	struct rb_output *output;
	struct rb_sandbox_opts *sandbox;
	struct rb_selection *sel;
	struct rb_scn_opts *scn;
};

/* Parses ARGV (ARGV[0] is the subcommand) into T. Returns 0 with
 * *FIRST_ARG the index of the first positional argument, 1 when --help was
 * asked for (printed on stdout), or -1 with ERR filled (one line naming the
 * option). T's fields hold the defaults on entry: --help prints them. */
int rb_cli_parse(const struct rb_cli *cli, int argc, char **argv, const struct rb_cli_targets *t,
		 int *first_arg, struct rb_error *err);

/* Every option of CLI's own table with a record key, as parsed into T, into
 * the record's OPTIONS object. */
void rb_cli_record(const struct rb_cli *cli, const struct rb_cli_targets *t, json_t *options);

/* --help: usage, about, every option with its default. */
void rb_cli_usage(const struct rb_cli *cli, const struct rb_cli_targets *t, FILE *out);

/* RB_OT_FN for a path into a char[RB_CLI_PATH_MAX] (a results directory). */
#define RB_CLI_PATH_MAX 1024
int rb_cli_store_path(const char *opt, const char *arg, void *field, struct rb_error *err);

/* RB_OT_FN for a percentage into a double: plain decimal in [0, 1000]. */
int rb_cli_store_pct(const char *opt, const char *arg, void *field, struct rb_error *err);

/* "2s", "100ms", "250us", "0": a duration as --help shows it. */
void rb_fmt_duration_ns(char *buf, size_t len, int64_t ns);

#endif
