/* Unit tests for harness/core/runtime_runc.c's config.json, on canned
 * options: what runc is asked to make (no runc needed). */
#include <jansson.h>

#include "helpers.h"
#include "runtime_runc.h"
#include "seccomp.h"

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

/* Docker's profile format to OCI's, on a canned profile: each rule kept
 * only when its includes match and its excludes do not. */
static const char canned_profile[] =
	"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1,"
	" \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
	"   \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]},"
	"  {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}],"
	" \"syscalls\": ["
	"  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"},"
	"  {\"names\": [\"new\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"6.20\"}},"
	"  {\"names\": [\"old\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.8\"}},"
	"  {\"names\": [\"armonly\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"arm64\"]}},"
	"  {\"names\": [\"x86\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd64\"]}},"
	"  {\"names\": [\"admin\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
	"  {\"names\": [\"nice\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_NICE\"]}},"
	"  {\"names\": [\"clone3\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38,"
	"   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
	"  {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\","
	"   \"args\": [{\"index\": 0, \"value\": 2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}],"
	"   \"excludes\": {\"arches\": [\"s390x\"]}}]}";

/* The names of the kept rules, space-separated. */
static void kept_names(json_t *oci, char *buf, size_t len)
{
	json_t *r;
	size_t i, at = 0;

	buf[0] = '\0';
	json_array_foreach(json_object_get(oci, "syscalls"), i, r)
		at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? " " : "",
				       json_string_value(json_array_get(json_object_get(r, "names"), 0)));
}

static void test_seccomp_docker(void **state)
{
	static const char *const caps[] = { "CAP_KILL", "CAP_SYS_NICE" };
	struct rb_seccomp_target t = { "x86_64", "6.18.44-fc", caps, 2 };
	json_t *docker = json_loads(canned_profile, 0, NULL), *oci, *r;
	struct rb_error err;
	char names[256];

	(void)state;
	assert_non_null(docker);
	oci = rb_seccomp_from_docker(docker, &t, &err);
	assert_non_null(oci);
	assert_string_equal(json_string_value(json_object_get(oci, "defaultAction")), "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(oci, "defaultErrnoRet")), 1);
	assert_int_equal(json_array_size(json_object_get(oci, "architectures")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(oci, "architectures"), 2)),
			    "SCMP_ARCH_X32");
	kept_names(oci, names, sizeof(names));
	assert_string_equal(names, "read old x86 nice clone3 clone");
	r = json_array_get(json_object_get(oci, "syscalls"), 4); /* clone3: errnoRet kept */
	assert_int_equal(json_integer_value(json_object_get(r, "errnoRet")), 38);
	assert_null(json_object_get(r, "excludes"));
	r = json_array_get(json_object_get(oci, "syscalls"), 5); /* clone: args kept */
	assert_int_equal(json_array_size(json_object_get(r, "args")), 1);
	json_decref(oci);
	/* with CAP_SYS_ADMIN, on arm64, an older kernel: the other rules */
	t = (struct rb_seccomp_target){ "aarch64", "4.4.0", (const char *const[]){ "CAP_SYS_ADMIN" }, 1 };
	oci = rb_seccomp_from_docker(docker, &t, &err);
	kept_names(oci, names, sizeof(names));
	assert_string_equal(names, "read armonly admin clone");
	assert_int_equal(json_array_size(json_object_get(oci, "architectures")), 2);
	json_decref(oci);
	t.machine = "pdp11";
	assert_null(rb_seccomp_from_docker(docker, &t, &err));
	assert_int_equal(err.kind, RB_ERR_UNSUPPORTED);
	json_decref(docker);
}

/* The shipped profile, converted for the container's caps: clone3 gets
 * ENOSYS, pidfd_open and pidfd_send_signal are allowed; config.json has it
 * only when asked. */
static void test_seccomp_shipped(void **state)
{
	struct rb_error err;
	json_t *oci = rb_runc_seccomp(RB_SECCOMP_DOCKER_DEFAULT, &err), *r, *c;
	bool clone3_enosys = false, pidfd = false;
	size_t i;

	(void)state;
	assert_non_null(oci);
	json_array_foreach(json_object_get(oci, "syscalls"), i, r) {
		json_t *names = json_object_get(r, "names"), *n;
		size_t k;
		const char *action = json_string_value(json_object_get(r, "action"));

		json_array_foreach(names, k, n) {
			if (strcmp(json_string_value(n), "clone3") == 0) {
				assert_string_equal(action, "SCMP_ACT_ERRNO");
				clone3_enosys = json_integer_value(json_object_get(r, "errnoRet")) == 38;
			}
			if (strcmp(json_string_value(n), "pidfd_send_signal") == 0)
				pidfd = strcmp(action, "SCMP_ACT_ALLOW") == 0;
		}
	}
	assert_true(clone3_enosys);
	assert_true(pidfd);
	assert_null(rb_runc_seccomp(RB_SECCOMP_NONE, &err));
	c = config(0);
	assert_null(json_object_get(json_object_get(c, "linux"), "seccomp"));
	json_decref(c);
	json_decref(oci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_linux),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_rt_budget),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_seccomp_docker),
		cmocka_unit_test(test_seccomp_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
