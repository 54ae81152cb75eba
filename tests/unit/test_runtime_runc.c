/* Unit tests for harness/core/runtime_runc.c's config.json, on canned
 * options: what runc is asked to make (no runc needed). */
#include <jansson.h>

#include "helpers.h"
#include "runtime_runc.h"

static json_t *config_joining(long rt_runtime_us, pid_t join_pid)
{
	static char *const argv[] = { "/usr/bin/tini", "--", "/bin/sh", "-c", "exit 3", NULL };
	static char *const env[] = { "PATH=/usr/bin:/bin", "REAPBENCH_CHANNEL=/dev/shm/none-such",
				     NULL };
	const struct rb_runc_spec spec = {
		.argv = argv, .env = env, .cwd = "/", .pids_max = 321,
		.cgroups_path = "reapbench-1-2-abcdef", .rt_runtime_us = rt_runtime_us,
		.join_pid = join_pid,
	};
	json_t *c = rb_runc_config(&spec);

	assert_non_null(c);
	return c;
}

static json_t *config(long rt_runtime_us)
{
	return config_joining(rt_runtime_us, 0);
}

/* The mount whose destination is DEST, or NULL. */
static json_t *mount_at(json_t *cfg, const char *dest)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(cfg, "mounts"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "destination")), dest) == 0)
			return m;
	return NULL;
}

static void test_process(void **state)
{
	json_t *c = config(0), *p = json_object_get(c, "process");

	(void)state;
	assert_int_equal(json_array_size(json_object_get(p, "args")), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "args"), 4)), "exit 3");
	assert_string_equal(json_string_value(json_array_get(json_object_get(p, "env"), 0)),
			    "PATH=/usr/bin:/bin");
	assert_true(json_is_false(json_object_get(p, "terminal")));
	assert_string_equal(json_string_value(json_object_get(p, "cwd")), "/");
	json_decref(c);
}

/* pid, mount, ipc, uts and an empty network namespace; the pids limit. */
static void test_linux(void **state)
{
	json_t *c = config(0), *l = json_object_get(c, "linux"), *ns;
	const char *want[] = { "pid", "mount", "ipc", "uts", "network" };
	size_t i;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(l, "namespaces")), 5);
	json_array_foreach(json_object_get(l, "namespaces"), i, ns) {
		assert_string_equal(json_string_value(json_object_get(ns, "type")), want[i]);
		assert_null(json_object_get(ns, "path"));
	}
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(l, "resources"), "pids"), "limit")),
			 321);
	assert_string_equal(json_string_value(json_object_get(l, "cgroupsPath")),
			    "reapbench-1-2-abcdef");
	/* runc 1.1.5 refuses kernel.pid_max as a sysctl: it is set from outside */
	assert_null(json_object_get(l, "sysctl"));
	assert_null(json_object_get(json_object_get(l, "resources"), "cpu"));
	json_decref(c);
}

/* A pod's container: PID 1's pid, ipc, uts and network namespaces by path,
 * a mount namespace of its own, no hostname of its own. */
static void test_join(void **state)
{
	json_t *c = config_joining(0, 4242), *ns;
	const char *want[][2] = { { "pid", "/proc/4242/ns/pid" }, { "mount", NULL },
				  { "ipc", "/proc/4242/ns/ipc" }, { "uts", "/proc/4242/ns/uts" },
				  { "network", "/proc/4242/ns/net" } };
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(json_object_get(c, "linux"), "namespaces"), i, ns) {
		const char *path = json_string_value(json_object_get(ns, "path"));

		assert_string_equal(json_string_value(json_object_get(ns, "type")), want[i][0]);
		if (want[i][1])
			assert_string_equal(path, want[i][1]);
		else
			assert_null(path);
	}
	assert_int_equal(i, 5);
	assert_null(json_object_get(c, "hostname"));
	json_decref(c);
	c = config(0);
	assert_string_equal(json_string_value(json_object_get(c, "hostname")), "reapbench");
	json_decref(c);
}

static void test_rt_budget(void **state)
{
	json_t *c = config(200000);
	json_t *cpu = json_object_get(json_object_get(json_object_get(c, "linux"), "resources"), "cpu");

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(cpu, "realtimeRuntime")), 200000);
	assert_int_equal(json_integer_value(json_object_get(cpu, "realtimePeriod")), 1000000);
	json_decref(c);
}

/* A read-only rootfs of read-only binds; the argv's directories bound once;
 * a channel file that does not exist is not bound. */
static void test_mounts(void **state)
{
	json_t *c = config(0), *usr, *m;
	size_t i, n_usr_bin = 0;

	(void)state;
	assert_true(json_is_true(json_object_get(json_object_get(c, "root"), "readonly")));
	assert_string_equal(json_string_value(json_object_get(mount_at(c, "/proc"), "type")), "proc");
	assert_string_equal(json_string_value(json_object_get(mount_at(c, "/dev"), "type")), "tmpfs");
	usr = mount_at(c, "/usr");
	assert_non_null(usr);
	assert_string_equal(json_string_value(json_object_get(usr, "type")), "bind");
	assert_string_equal(json_string_value(json_array_get(json_object_get(usr, "options"), 1)), "ro");
	json_array_foreach(json_object_get(c, "mounts"), i, m)
		n_usr_bin += strcmp(json_string_value(json_object_get(m, "destination")), "/usr/bin") == 0;
	assert_int_equal(n_usr_bin, 0); /* under /usr already */
	assert_null(mount_at(c, "/dev/shm/none-such"));
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_linux),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_rt_budget),
		cmocka_unit_test(test_mounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
