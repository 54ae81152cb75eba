/* Unit tests for harness/core/record.c: building a run record, writing it and
 * loading it back. Runs from the repository root (reads
 * tests/unit/fixtures/records/); writes only under a mkdtemp directory. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include <jansson.h>

#include "error.h"
#include "record.h"
#include "registry.h"
#include "sysinfo.h"
#include "version.h"

#define FIX "tests/unit/fixtures/records/"


static struct rb_sysinfo si;
static struct rb_reaper reaper;
static char tmpdir[] = "/tmp/reapbench-test-record.XXXXXX";

/* A string member of OBJ, failing the test if it is missing or not a string. */
static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		fail_msg("\"%s\" is missing or not a string", key);
	return s;
}

static json_t *new_record(void)
{
	json_t *rec = rb_record_new("smoke", &si);

	assert_non_null(rec);
	return rec;
}

/* ---- building -------------------------------------------------------------- */

static void test_new_has_schema_and_command(void **state)
{
	json_t *rec = new_record();

	(void)state;
	assert_string_equal(str(rec, "schema"), "reapbench.record/1");
	assert_string_equal(str(rec, "schema"), RB_RECORD_SCHEMA);
	assert_string_equal(str(rec, "command"), "smoke");
	json_decref(rec);
}

static void test_new_created_is_utc_iso8601(void **state)
{
	json_t *rec = new_record();
	const char *c = str(rec, "created");

	(void)state;
	/* 2025-01-31T12:34:56Z */
	assert_int_equal(strlen(c), 20);
	for (int i = 0; i < 20; i++) {
		char want = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' :
			    i == 19 ? 'Z' : '9';
		if (want == '9' ? (c[i] < '0' || c[i] > '9') : c[i] != want)
			fail_msg("created \"%s\": bad character at %d", c, i);
	}
	json_decref(rec);
}

static void test_new_names_harness_version(void **state)
{
	json_t *rec = new_record(), *h = json_object_get(rec, "harness");

	(void)state;
	assert_true(json_is_object(h));
	assert_string_equal(str(h, "version"), rb_version);
	assert_string_equal(str(h, "commit"), rb_commit);
	json_decref(rec);
}

static void test_new_environment_from_sysinfo(void **state)
{
	json_t *rec = new_record(), *env = json_object_get(rec, "environment");

	(void)state;
	assert_true(json_is_object(env));
	assert_string_equal(str(env, "kernel"), "6.1.0-test");
	assert_string_equal(str(env, "hostname"), "testhost");
	assert_string_equal(str(env, "machine"), "x86_64");
	assert_true(json_is_integer(json_object_get(env, "cpus")));
	assert_int_equal(json_integer_value(json_object_get(env, "cpus")), 12);
	assert_true(json_is_true(json_object_get(env, "root")));
	assert_true(json_is_false(json_object_get(env, "per_ns_pid_max")));
	json_decref(rec);
}

static void test_new_has_empty_runs_skips_and_options(void **state)
{
	json_t *rec = new_record();

	(void)state;
	assert_true(json_is_array(json_object_get(rec, "runs")));
	assert_int_equal(json_array_size(json_object_get(rec, "runs")), 0);
	assert_true(json_is_array(json_object_get(rec, "skips")));
	assert_int_equal(json_array_size(json_object_get(rec, "skips")), 0);
	assert_true(json_is_object(json_object_get(rec, "options")));
	assert_int_equal(json_object_size(json_object_get(rec, "options")), 0);
	json_decref(rec);
}

static void test_add_run_describes_reaper_and_command(void **state)
{
	char *const argv[] = { "/usr/bin/tini", "--", "sh", "-c", "echo 'a b'", NULL };
	json_t *rec = new_record(), *run, *r, *cmd;

	(void)state;
	run = rb_record_add_run(rec, &reaper, argv);
	assert_non_null(run);
	assert_int_equal(json_array_size(json_object_get(rec, "runs")), 1);
	assert_ptr_equal(json_array_get(json_object_get(rec, "runs"), 0), run);
	r = json_object_get(run, "reaper");
	assert_string_equal(str(r, "name"), "tini");
	assert_string_equal(str(r, "class"), "init");
	assert_string_equal(str(r, "mode"), "wrap");
	assert_string_equal(str(r, "version"), "0.19.0");
	assert_string_equal(str(r, "path"), "/usr/bin/tini");
	assert_string_equal(str(r, "descriptor"), "reapers/tini.ini");
	cmd = json_object_get(r, "command");
	assert_int_equal(json_array_size(cmd), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(json_string_value(json_array_get(cmd, i)), argv[i]);
	assert_int_equal(json_array_size(json_object_get(run, "measurements")), 0);
	assert_int_equal(json_array_size(json_object_get(run, "skips")), 0);
	json_decref(rec);
}

static void test_add_run_without_argv_has_empty_command(void **state)
{
	json_t *rec = new_record(), *run;

	(void)state;
	run = rb_record_add_run(rec, &reaper, NULL);
	assert_non_null(run);
	assert_true(json_is_array(json_object_get(json_object_get(run, "reaper"), "command")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(run, "reaper"), "command")), 0);
	json_decref(rec);
}

static void test_measure_has_name_value_and_unit(void **state)
{
	json_t *rec = new_record(), *run, *m;

	(void)state;
	run = rb_record_add_run(rec, &reaper, NULL);
	rb_record_measure(run, "reap_all_time", 12.25, "ms");
	rb_record_measure(run, "pids_peak", 3, "pids");
	assert_int_equal(json_array_size(json_object_get(run, "measurements")), 2);
	m = json_array_get(json_object_get(run, "measurements"), 0);
	assert_int_equal(json_object_size(m), 3);
	assert_string_equal(str(m, "name"), "reap_all_time");
	assert_true(json_is_real(json_object_get(m, "value")));
	assert_true(json_real_value(json_object_get(m, "value")) == 12.25);
	assert_string_equal(str(m, "unit"), "ms");
	m = json_array_get(json_object_get(run, "measurements"), 1);
	assert_string_equal(str(m, "name"), "pids_peak");
	assert_true(json_real_value(json_object_get(m, "value")) == 3.0);
	assert_string_equal(str(m, "unit"), "pids");
	json_decref(rec);
}

static void test_skip_has_name_and_reason(void **state)
{
	json_t *rec = new_record(), *run, *s;

	(void)state;
	run = rb_record_add_run(rec, &reaper, NULL);
	rb_record_skip(run, "pids_peak", "no pids cgroup");
	assert_int_equal(json_array_size(json_object_get(run, "skips")), 1);
	assert_int_equal(json_array_size(json_object_get(run, "measurements")), 0);
	s = json_array_get(json_object_get(run, "skips"), 0);
	assert_int_equal(json_object_size(s), 2);
	assert_string_equal(str(s, "name"), "pids_peak");
	assert_string_equal(str(s, "reason"), "no pids cgroup");
	json_decref(rec);
}

/* ---- writing and loading --------------------------------------------------- */

static json_t *full_record(void)
{
	char *const argv[] = { "/usr/bin/tini", "--", "rb-payload", "it's \"x\"", NULL };
	json_t *rec = new_record(), *run = rb_record_add_run(rec, &reaper, argv);

	rb_record_measure(run, "duration", 0.1234567890123, "s");
	rb_record_measure(run, "payload_reaped", 1000, "processes");
	rb_record_skip(run, "pids_peak", "no pids cgroup");
	return rec;
}

static void test_write_then_load_round_trips(void **state)
{
	char path[256];
	struct rb_error err = { 0 };
	json_t *rec = full_record(), *back = NULL;

	(void)state;
	snprintf(path, sizeof(path), "%s/round-trip.json", tmpdir);
	if (rb_record_write(rec, path, &err) != 0)
		fail_msg("%s", err.msg);
	if (rb_record_load(path, &back, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(json_equal(rec, back));
	json_decref(back);
	json_decref(rec);
	unlink(path);
}

static void test_write_creates_parent_directories(void **state)
{
	char path[256];
	struct rb_error err = { 0 };
	json_t *rec = full_record(), *back = NULL;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/c/record.json", tmpdir);
	if (rb_record_write(rec, path, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(rb_record_load(path, &back, &err), 0);
	json_decref(back);
	json_decref(rec);
}

static void test_write_leaves_no_temp_file(void **state)
{
	char dir[256], path[300];
	struct rb_error err = { 0 };
	json_t *rec = full_record();
	struct dirent *e;
	DIR *d;
	int n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tmpcheck", tmpdir);
	snprintf(path, sizeof(path), "%s/record.json", dir);
	assert_int_equal(rb_record_write(rec, path, &err), 0);
	assert_int_equal(rb_record_write(rec, path, &err), 0); /* over an existing one */
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		assert_string_equal(e->d_name, "record.json");
		n++;
	}
	closedir(d);
	assert_int_equal(n, 1);
	json_decref(rec);
}

static void test_write_under_a_file_is_system_error(void **state)
{
	char file[256], path[300];
	struct rb_error err = { 0 };
	json_t *rec = new_record();
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/plain-file", tmpdir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sub/record.json", file);
	assert_int_equal(rb_record_write(rec, path, &err), -1);
	assert_int_equal(err.kind, RB_ERR_SYSTEM);
	assert_int_equal(err.errnum, ENOTDIR);
	assert_contains(err.msg, path);
	json_decref(rec);
}

static void test_load_minimal_fixture(void **state)
{
	struct rb_error err = { 0 };
	json_t *rec = NULL;

	(void)state;
	if (rb_record_load(FIX "minimal.json", &rec, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(str(rec, "command"), "run");
	assert_int_equal(json_array_size(json_object_get(rec, "runs")), 1);
	json_decref(rec);
}

/* PATH must fail to load with an input error; *out stays untouched. */
static void load_fails(const char *path, struct rb_error *err)
{
	json_t *sentinel = json_null(), *rec = sentinel;

	memset(err, 0, sizeof(*err));
	assert_int_equal(rb_record_load(path, &rec, err), -1);
	assert_ptr_equal(rec, sentinel);
	assert_int_equal(err->kind, RB_ERR_INPUT);
	assert_contains(err->msg, path);
}

static void test_load_truncated_names_path_and_line(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "truncated.json", &err);
	assert_string_equal(err.msg, FIX "truncated.json:5: unexpected token near end of file");
}

static void test_load_empty_file_names_path_and_line(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "empty.json", &err);
	assert_string_equal(err.msg, FIX "empty.json:1: '[' or '{' expected near end of file");
}

static void test_load_duplicate_key_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "duplicate-key.json", &err);
	assert_prefix(err.msg, FIX "duplicate-key.json:5: ");
	assert_contains(err.msg, "duplicate object key");
}

static void test_load_not_an_object(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "array.json", &err);
	assert_string_equal(err.msg, FIX "array.json: not a reapbench record (no \"schema\")");
}

static void test_load_without_schema(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "no-schema.json", &err);
	assert_string_equal(err.msg, FIX "no-schema.json: not a reapbench record (no \"schema\")");
	load_fails(FIX "schema-not-string.json", &err);
	assert_string_equal(err.msg,
			    FIX "schema-not-string.json: not a reapbench record (no \"schema\")");
}

static void test_load_wrong_schema(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "wrong-schema.json", &err);
	assert_string_equal(err.msg, FIX "wrong-schema.json: schema 'reapbench.record/2', "
					 "this reapbench reads 'reapbench.record/1'");
}

static void test_load_missing_runs(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "no-runs.json", &err);
	assert_string_equal(err.msg, FIX "no-runs.json: record lacks \"runs\" or \"environment\"");
	load_fails(FIX "runs-not-array.json", &err);
	assert_string_equal(err.msg,
			    FIX "runs-not-array.json: record lacks \"runs\" or \"environment\"");
}

static void test_load_missing_environment(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "no-environment.json", &err);
	assert_string_equal(err.msg,
			    FIX "no-environment.json: record lacks \"runs\" or \"environment\"");
}

/* A missing file is an input error (a bad path given by the user). */
static void test_load_missing_file(void **state)
{
	struct rb_error err;

	(void)state;
	load_fails(FIX "no-such-record.json", &err);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, FIX "no-such-record.json: No such file or directory");
}

/* ---- setup ----------------------------------------------------------------- */

static int setup_group(void **state)
{
	(void)state;
	if (access(FIX "minimal.json", R_OK) != 0) {
		fprintf(stderr, "test_record: run from the repository root\n");
		return -1;
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(si.kernel, sizeof(si.kernel), "6.1.0-test");
	snprintf(si.hostname, sizeof(si.hostname), "testhost");
	snprintf(si.machine, sizeof(si.machine), "x86_64");
	si.cpus = 12;
	si.root = true;
	si.per_ns_pid_max = false;
	snprintf(reaper.name, sizeof(reaper.name), "tini");
	snprintf(reaper.file, sizeof(reaper.file), "reapers/tini.ini");
	snprintf(reaper.version, sizeof(reaper.version), "0.19.0");
	snprintf(reaper.path, sizeof(reaper.path), "/usr/bin/tini");
	reaper.class_ = RB_CLASS_INIT;
	reaper.mode = RB_MODE_WRAP;
	return 0;
}

static int teardown_group(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_has_schema_and_command),
		cmocka_unit_test(test_new_created_is_utc_iso8601),
		cmocka_unit_test(test_new_names_harness_version),
		cmocka_unit_test(test_new_environment_from_sysinfo),
		cmocka_unit_test(test_new_has_empty_runs_skips_and_options),
		cmocka_unit_test(test_add_run_describes_reaper_and_command),
		cmocka_unit_test(test_add_run_without_argv_has_empty_command),
		cmocka_unit_test(test_measure_has_name_value_and_unit),
		cmocka_unit_test(test_skip_has_name_and_reason),
		cmocka_unit_test(test_write_then_load_round_trips),
		cmocka_unit_test(test_write_creates_parent_directories),
		cmocka_unit_test(test_write_leaves_no_temp_file),
		cmocka_unit_test(test_write_under_a_file_is_system_error),
		cmocka_unit_test(test_load_minimal_fixture),
		cmocka_unit_test(test_load_truncated_names_path_and_line),
		cmocka_unit_test(test_load_empty_file_names_path_and_line),
		cmocka_unit_test(test_load_duplicate_key_rejected),
		cmocka_unit_test(test_load_not_an_object),
		cmocka_unit_test(test_load_without_schema),
		cmocka_unit_test(test_load_wrong_schema),
		cmocka_unit_test(test_load_missing_runs),
		cmocka_unit_test(test_load_missing_environment),
		cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests_name("record", tests, setup_group, teardown_group);
}
