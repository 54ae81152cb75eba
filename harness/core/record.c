#include "record.h"
#include "version.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static json_t *environment(const struct rb_sysinfo *si)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:b, s:b, s:s}", "kernel", si->kernel, "hostname",
			 si->hostname, "machine", si->machine, "cpus", si->cpus, "root", si->root,
			 "per_ns_pid_max", si->per_ns_pid_max, "noise",
			 si->noise[0] ? si->noise : "none");
}

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *rb_record_new(const char *subcommand, const struct rb_sysinfo *si)
{
	char when[32];

	utc_now(when, sizeof(when));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:o, s:{}, s:[], s:[]}", "schema",
			 RB_RECORD_SCHEMA, "command", subcommand, "created", when, "harness",
			 "version", rb_version, "commit", rb_commit, "environment", environment(si),
			 "options", "runs", "skips");
}

json_t *rb_record_add_run(json_t *rec, const struct rb_reaper *r, char *const argv[])
{
	json_t *cmd = json_array(), *run;

	for (char *const *a = argv; a && *a; a++)
		json_array_append_new(cmd, json_string(*a));
	run = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o}, s:[], s:[]}", "reaper", "name",
			r->name, "class", rb_class_name(r->class_), "mode", rb_mode_name(r->mode),
			"version", r->version, "path", r->path, "descriptor", r->file, "command", cmd,
			"measurements", "skips");
	json_array_append_new(json_object_get(rec, "runs"), run);
	return run;
}

void rb_record_measure(json_t *run, const char *name, double value, const char *unit)
{
	json_array_append_new(json_object_get(run, "measurements"),
			      json_pack("{s:s, s:f, s:s}", "name", name, "value", value, "unit", unit));
}

void rb_record_skip(json_t *run, const char *name, const char *reason)
{
	json_array_append_new(json_object_get(run, "skips"),
			      json_pack("{s:s, s:s}", "name", name, "reason", reason));
}

void rb_results_dir(char *buf, size_t len, const struct rb_sysinfo *si)
{
	char day[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(buf, len, "results/%s-%s", day, si->hostname);
}

void rb_default_record_path(char *buf, size_t len, const char *name)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/runs/%s-%s.json", when, name);
}

int rb_mkdir_p(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/", dir);
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int rb_record_write(json_t *rec, const char *path, struct rb_error *err)
{
	char tmp[4096], dir[4096], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (slash && slash != dir && rb_mkdir_p(dir) < 0)
		return rb_sys_error(err, errno, "creating the directory of %s", path);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (json_dump_file(rec, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		return rb_sys_error(err, errno, "writing %s", tmp);
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return rb_sys_error(err, e, "renaming %s to %s", tmp, path);
	}
	return 0;
}

int rb_record_load(const char *path, json_t **out, struct rb_error *err)
{
	json_error_t jerr;
	json_t *rec = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const char *schema;

	if (!rec) {
		if (jerr.line <= 0 && access(path, R_OK) != 0)
			return rb_fail(err, RB_ERR_INPUT, errno, "%s", path);
		return rb_input_error(err, "%s:%d: %s", path, jerr.line, jerr.text);
	}
	if (!json_is_object(rec) || !(schema = json_string_value(json_object_get(rec, "schema")))) {
		json_decref(rec);
		return rb_input_error(err, "%s: not a reapbench record (no \"schema\")", path);
	}
	if (strcmp(schema, RB_RECORD_SCHEMA) != 0) {
		rb_input_error(err, "%s: schema '%s', this reapbench reads '%s'", path, schema,
			       RB_RECORD_SCHEMA);
		json_decref(rec);
		return -1;
	}
	if (!json_is_array(json_object_get(rec, "runs")) ||
	    !json_is_object(json_object_get(rec, "environment"))) {
		json_decref(rec);
		return rb_input_error(err, "%s: record lacks \"runs\" or \"environment\"", path);
	}
	*out = rec;
	return 0;
}

const char *rb_run_reaper(json_t *run)
{
	return json_string_value(json_object_get(json_object_get(run, "reaper"), "name"));
}

json_t *rb_record_first_run(json_t *rec, const char *reaper)
{
	json_t *run;
	size_t i;

	json_array_foreach(json_object_get(rec, "runs"), i, run)
		if (rb_run_reaper(run) && strcmp(rb_run_reaper(run), reaper) == 0)
			return run;
	return NULL;
}

bool rb_record_check_racy(json_t *rec, const char *check)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(rec, "checks"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")) ?: "", check) == 0)
			return json_is_true(json_object_get(c, "racy"));
	return false;
}
