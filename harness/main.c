/* reapbench: measures how well an init program does PID 1's job. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "noise.h"
#include "suite.h"
#include "sysinfo.h"
#include "version.h"

/* A command is a function, or a suite that the driver runs (its name and
 * summary are the suite's). */
static const struct command {
	const struct rb_suite *suite;
	const char *name;
	rb_command_fn *fn;
	const char *summary;
} commands[] = {
#define RB_SUITE_COMMAND(n) { .suite = &rb_suite_##n },
	{ NULL, "list", rb_cmd_list, "every reaper in the registry, and whether it is available here" },
	{ NULL, "run", rb_cmd_run, "one payload under one reaper as PID 1 of a fresh sandbox" },
	RB_SUITES(RB_SUITE_COMMAND)
	{ NULL, "fuzz", rb_cmd_fuzz, "scenario fuzzing campaigns per reaper (libFuzzer): findings, replayed" },
	{ NULL, "replay", rb_cmd_replay, "scenario programs (fuzzer crash files, *.scn): timeline and oracles" },
	{ NULL, "compare", rb_cmd_compare, "two records: regressions by bootstrap interval and Mann-Whitney U" },
	{ NULL, "gate", rb_cmd_gate, "B against A measured side by side in pairs: a baseline-free regression gate" },
	{ NULL, "verdict", rb_cmd_verdict, "which init to use: every reaper held to one PID 1 profile, from records" },
};

static const char *command_name(const struct command *c)
{
	return c->suite ? c->suite->name : c->name;
}

static const char *command_summary(const struct command *c)
{
	return c->suite ? c->suite->summary : c->summary;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: reapbench COMMAND [OPTIONS]   (reapbench COMMAND --help)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", command_name(&commands[i]), command_summary(&commands[i]));
	fprintf(out, "  %-8s %s\n", "version", "print the version and git commit");
	fprintf(out, "\nWith any command, --noise KIND[,KIND]... runs stress-ng beside it as background\n"
		     "load (cpu, vm, io, fork, switch); the records name it.\n");
}

/* --noise works with every subcommand: the load runs for the whole command. */
static int run_command(const struct command *cmd, int argc, char **argv, struct rb_sysinfo *si,
		       struct rb_error *err)
{
	struct rb_noise noise = { 0 };
	const char *kinds = NULL;
	int rc;

	rc = rb_noise_take_option(&argc, argv, &kinds, err);
	if (rc > 0 && rb_noise_start(&noise, kinds, err) == 0) {
		snprintf(si->noise, sizeof(si->noise), "%s", noise.kinds);
		fprintf(stderr, "noise: %s (pid %d)\n", noise.command, (int)noise.pid);
	}
	if (rc < 0 || (rc > 0 && noise.pid == 0))
		return rb_error_report(err);
	rc = cmd->suite ? rb_suite_main(cmd->suite, argc, argv, si, err) : cmd->fn(argc, argv, si, err);
	rb_noise_stop(&noise);
	return rc < 0 ? rb_error_report(err) : rc;
}

int main(int argc, char **argv)
{
	struct rb_sysinfo si;
	struct rb_error err = { 0 };

	/* Tables measure and print UTF-8 (the verdict's check marks) whatever
	 * the environment's locale; numbers stay in the C locale (records, CSV). */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("reapbench %s (%s)\n", rb_version, rb_commit);
		return 0;
	}
	opterr = 0;
	rb_sysinfo_read(&si);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], command_name(&commands[i])) != 0)
			continue;
		return run_command(&commands[i], argc - 1, argv + 1, &si, &err);
	}
	fprintf(stderr, "reapbench: unknown command '%s' (try reapbench --help)\n", argv[1]);
	return 2;
}
