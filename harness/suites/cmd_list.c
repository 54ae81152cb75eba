/* reapbench list: the registry, and what of it runs on this machine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "registry.h"

static void print_reaper(const struct rb_reaper *r)
{
	printf("%-20s %-9s %-10s %-11s %-8s %s\n", r->name, rb_class_name(r->class_),
	       rb_mode_name(r->mode), r->available ? "available" : "unavailable",
	       r->available ? r->version : "-",
	       r->available ? (r->path[0] ? r->path : "(the workload is PID 1)")
			    : r->unavailable_reason);
}

int rb_cmd_list(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
	struct rb_reaper *reapers;
	size_t n;
	int opt, bad = 0, available = 0;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: reapbench list\n\nReaper descriptors are read from %s\n"
			       "(override with REAPBENCH_REAPERS).\n", si->reapers_dir);
			return 0;
		}
		return rb_bad_option("list", argv, err);
	}
	if (optind < argc)
		return rb_input_error(err, "list: unexpected argument '%s'", argv[optind]);
	if (rb_registry_load_all(si, &reapers, &n, &bad, err) < 0)
		return -1;
	printf("%-20s %-9s %-10s %-11s %-8s %s\n", "REAPER", "CLASS", "MODE", "STATUS", "VERSION",
	       "PATH");
	for (size_t i = 0; i < n; i++) {
		print_reaper(&reapers[i]);
		available += reapers[i].available;
	}
	free(reapers);
	printf("%zu reapers, %d available here%s\n", n, available,
	       bad ? ", and malformed descriptors (above)" : "");
	return bad ? 2 : 0;
}
