/* reapbench list: the registry, and what of it runs on this machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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

static const struct rb_opt list_opts[] = { { 0 } };

static const struct rb_cli list_cli = {
	.name = "list",
	.about = "Every reaper descriptor of the registry (reapers/*.ini next to the binary;\n"
		 "REAPBENCH_REAPERS names another folder) and whether it can run here.\n\n"
		 "Exit 0; 2 when a descriptor is malformed (each one named with its line).",
	.opts = list_opts,
};

int rb_cmd_list(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct rb_reaper *reapers;
	size_t n;
	int rc, first, bad = 0, available = 0;

	rc = rb_cli_parse(&list_cli, argc, argv, &(struct rb_cli_targets){ 0 }, &first, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
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
