/* reapbench list: the registry, and what of it runs on this machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "options.h"
#include "registry.h"
#include "table.h"

static int reaper_row(struct rb_table *t, const struct rb_reaper *r)
{
	return rb_table_named_row(t, r->name) ?: rb_table_cell(t, 1, "%s", rb_class_name(r->class_)) ?:
	       rb_table_cell(t, 2, "%s", rb_mode_name(r->mode)) ?:
	       rb_table_cell(t, 3, "%s", r->available ? "available" : "unavailable") ?:
	       rb_table_cell(t, 4, "%s", r->available ? r->version : "-") ?:
	       rb_table_cell(t, 5, "%s", r->available ? (r->path[0] ? r->path : "(the workload is PID 1)")
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
	static const char *const titles[] = { "REAPER", "CLASS", "MODE", "STATUS", "VERSION", "PATH" };
	struct rb_table *t cleanup_table = rb_table_new();
	struct rb_reaper *reapers;
	size_t n;
	int rc, first, bad = 0, available = 0;

	rc = rb_cli_parse(&list_cli, argc, argv, &(struct rb_cli_targets){ 0 }, &first, err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (!t)
		return rb_sys_error(err, ENOMEM, "list: the table");
	if (rb_registry_load_all(si, &reapers, &n, &bad, err) < 0)
		return -1;
	rc = 0;
	for (size_t k = 0; k < sizeof(titles) / sizeof(titles[0]) && rc == 0; k++)
		rc = rb_table_column(t, titles[k], RB_COL_LEFT);
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = reaper_row(t, &reapers[i]);
		available += reapers[i].available;
	}
	free(reapers);
	if (rc < 0)
		return rb_sys_error(err, -rc, "list: the table");
	rb_table_print(t, RB_FORMAT_TEXT, stdout);
	printf("%zu reapers, %d available here%s\n", n, available,
	       bad ? ", and malformed descriptors (above)" : "");
	return bad ? 2 : 0;
}
