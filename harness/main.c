/* reapbench: measures how well an init program does PID 1's job. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "error.h"
#include "sysinfo.h"
#include "version.h"

static const struct {
	const char *name;
	rb_command_fn *fn;
	const char *summary;
} commands[] = {
	{ "list", rb_cmd_list, "every reaper in the registry, and whether it is available here" },
	{ "run", rb_cmd_run, "one payload under one reaper as PID 1 of a fresh sandbox" },
	{ "conform", rb_cmd_conform, "the PID 1 conformance matrix: observed behaviour vs claims" },
	{ "smoke", rb_cmd_smoke, "each available reaper clears an orphan burst; writes results/" },
	{ "storm", rb_cmd_storm, "orphan and zombie storms: reap latency, drain, PID 1's cost" },
	{ "exhaust", rb_cmd_exhaust, "a small pid_max: capacity, EAGAINs under an orphan stream, recovery" },
	{ "startup", rb_cmd_startup, "start and teardown cost of each reaper: hyperfine and the harness" },
	{ "calibrate", rb_cmd_calibrate, "raw clone/fork and stress-ng rates next to the storm generator's" },
	{ "compare", rb_cmd_compare, "two records: regressions by bootstrap interval and Mann-Whitney U" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: reapbench COMMAND [OPTIONS]   (reapbench COMMAND --help)\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-8s %s\n", "version", "print the version and git commit");
}

int main(int argc, char **argv)
{
	struct rb_sysinfo si;
	struct rb_error err = { 0 };
	int rc;

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
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		rc = commands[i].fn(argc - 1, argv + 1, &si, &err);
		return rc < 0 ? rb_error_report(&err) : rc;
	}
	fprintf(stderr, "reapbench: unknown command '%s' (try reapbench --help)\n", argv[1]);
	return 2;
}
