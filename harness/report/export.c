#include "export.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int rb_write_json(json_t *doc, const char *path, struct rb_error *err)
{
	if (json_dump_file(doc, path, JSON_INDENT(2)) < 0)
		return rb_sys_error(err, errno, "writing %s", path);
	return 0;
}

int rb_export_gab(const char *path, json_t *smaller, json_t *bigger, struct rb_error *err)
{
	char bigger_path[4096];
	size_t l = strlen(path);

	if (l > 5 && strcmp(path + l - 5, ".json") == 0)
		snprintf(bigger_path, sizeof(bigger_path), "%.*s-bigger.json", (int)(l - 5), path);
	else
		snprintf(bigger_path, sizeof(bigger_path), "%s-bigger.json", path);
	if (rb_write_json(smaller, path, err) < 0)
		return -1;
	return rb_write_json(bigger, bigger_path, err);
}
