/* Run records: one JSON document per measuring command (schema in
 * results/README.md). Every measurement carries its unit; every measurement
 * that could not be taken is a skip with its reason, never a made-up value. */
#ifndef REAPBENCH_RECORD_H
#define REAPBENCH_RECORD_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "registry.h"
#include "sysinfo.h"

#define RB_RECORD_SCHEMA "reapbench.record/1"

/* A new record for SUBCOMMAND, with the environment filled in. */
json_t *rb_record_new(const char *subcommand, const struct rb_sysinfo *si);

/* Append a run of one reaper; returns it (borrowed) for measurements. */
json_t *rb_record_add_run(json_t *rec, const struct rb_reaper *r, char *const argv[]);

void rb_record_measure(json_t *run, const char *name, double value, const char *unit);
void rb_record_skip(json_t *run, const char *name, const char *reason);

/* The default results directory: results/<UTC date>-<host>. */
void rb_results_dir(char *buf, size_t len, const struct rb_sysinfo *si);

/* results/runs/<UTC time>-NAME.json: where a command's record goes by default. */
void rb_default_record_path(char *buf, size_t len, const char *name);

/* mkdir -p DIR (results directories). */
int rb_mkdir_p(const char *dir);

/* Write atomically (temp file + rename), creating parent directories. */
int rb_record_write(json_t *rec, const char *path, struct rb_error *err);

/* The reaper name of a run of a loaded record, or NULL. */
const char *rb_run_reaper(json_t *run);

/* REAPER's first run in REC (borrowed), or NULL. */
json_t *rb_record_first_run(json_t *rec, const char *reaper);

/* A conform record's word on CHECK: racy (its outcome is a race by nature). */
bool rb_record_check_racy(json_t *rec, const char *check);

/* Load and validate a record: JSON syntax (with line), schema string and
 * the top-level shape. */
int rb_record_load(const char *path, json_t **out, struct rb_error *err);

#endif
