/* Exports for CI dashboards: github-action-benchmark's custom JSON (one
 * file of lower-is-better entries, PATH; the higher-is-better ones beside
 * it, PATH with ".json" replaced by "-bigger.json") and Bencher's BMF. Used
 * by compare and gate. */
#ifndef REAPBENCH_EXPORT_H
#define REAPBENCH_EXPORT_H

#include <jansson.h>

#include "error.h"

/* DOC as indented JSON into PATH. */
int rb_write_json(json_t *doc, const char *path, struct rb_error *err);

/* customSmallerIsBetter entries SMALLER into PATH, customBiggerIsBetter
 * entries BIGGER into PATH's "-bigger.json" sibling. */
int rb_export_gab(const char *path, json_t *smaller, json_t *bigger, struct rb_error *err);

#endif
