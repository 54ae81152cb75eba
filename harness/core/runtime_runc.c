#include "runtime_runc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "cgroup.h"
#include "seccomp.h"
#include "sysinfo.h"

#define BUNDLES RB_RUNC_ROOT "-bundles"

/* Docker's default capability set (moby oci/caps/defaults.go): what the
 * containers people run get; plus CAP_SYS_NICE, for the instrument: the
 * payload's observer runs SCHED_FIFO (without it, starved, it saw every
 * reap in one late wakeup and measured nothing). */
static const char *const container_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
	"CAP_SYS_NICE",
};

/* As `runc spec` writes them (and Docker does). */
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* Host trees bound read-only: what a reaper and the payload need. On a
 * merged-/usr system /bin, /lib, /lib64 and /sbin are symlinks, made as
 * such in the rootfs. */
static const char *const system_trees[] = { "/usr", "/etc", "/bin", "/lib", "/lib64", "/sbin" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The container's real-time budget per second (cpu.rt_runtime_us, where the
 * kernel has RT group scheduling, cgroup v1): a new cpu cgroup has none, and
 * the payload's SCHED_FIFO observer would be refused (it uses ~45 ms a
 * second in a storm of 5000). The host's 0.95 s is shared by concurrent
 * containers: when runc cannot have a budget it tries the next, the last
 * none (the payload then says its observer ran SCHED_OTHER). */
static const long rt_budgets_us[] = { 200000, 50000, 0 };
#define RT_GROUP_SCHED "/sys/fs/cgroup/cpu/cpu.rt_runtime_us"

static json_t *string_array(const char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n && s[i]; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static size_t argv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static json_t *process_object(const struct rb_runc_spec *spec)
{
	json_t *caps = string_array(container_caps, N(container_caps)), *p;

	p = json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:O, s:O, s:O}, s:[{s:s, s:i, s:i}],"
			 " s:b}",
			 "terminal", 0, "user", "uid", 0, "gid", 0,
			 "args", string_array((const char *const *)spec->argv, argv_len(spec->argv)),
			 "env", string_array((const char *const *)spec->env, argv_len(spec->env)),
			 "cwd", spec->cwd,
			 "capabilities", "bounding", caps, "effective", caps, "permitted", caps,
			 "rlimits", "type", "RLIMIT_CORE", "hard", 0, "soft", 0,
			 "noNewPrivileges", 0);
	json_decref(caps); /* the three "O"s took their own references */
	return p;
}

static json_t *bind_mount(const char *path, bool rw)
{
	return json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination", path, "type", "bind", "source",
			 path, "options", "rbind", rw ? "rw" : "ro");
}

/* PATH is TREE or below it. */
static bool under(const char *path, const char *tree)
{
	size_t n = strlen(tree);

	return strncmp(path, tree, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A directory already bound (a destination of MOUNTS) holds PATH. */
static bool covered(json_t *mounts, const char *path)
{
	json_t *m;
	size_t i;

	json_array_foreach(mounts, i, m) {
		const char *d = json_string_value(json_object_get(m, "destination"));

		if (d && strcmp(d, "/") != 0 && under(path, d))
			return true;
	}
	return false;
}

static void bind_dir_once(json_t *mounts, const char *dir)
{
	if (dir[0] == '/' && strcmp(dir, "/") != 0 && !covered(mounts, dir))
		json_array_append_new(mounts, bind_mount(dir, false));
}

/* The directory of every absolute path in ARGV that names a file (the
 * reaper, rb-payload, a scenario file), read-only. */
static void bind_argv_dirs(json_t *mounts, char *const *argv)
{
	char dir[PATH_MAX];
	struct stat st;

	for (size_t i = 0; argv[i]; i++) {
		char *slash;

		if (argv[i][0] != '/' || stat(argv[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		snprintf(dir, sizeof(dir), "%s", argv[i]);
		slash = strrchr(dir, '/');
		if (slash == dir)
			continue;
		*slash = '\0';
		bind_dir_once(mounts, dir);
	}
}

/* The files in /dev/shm that the environment names (the report channel,
 * the scenario area), read-write: the harness and the payload share them. */
static void bind_shared_files(json_t *mounts, char *const *env)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *v = strchr(env[i], '=');

		if (v && strncmp(v + 1, "/dev/shm/", 9) == 0 && access(v + 1, F_OK) == 0)
			json_array_append_new(mounts, bind_mount(v + 1, true));
	}
}

/* The harness's own directory (rb-payload and rb-* live there), read-only:
 * a reaper that takes its command as one string (bash -c '...') names the
 * payload in no argv element of its own, and from a cwd elsewhere bash
 * found no rb-payload (127). */
static void bind_own_dir(json_t *mounts)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash || slash == exe)
		return;
	*slash = '\0';
	bind_dir_once(mounts, exe);
}

static json_t *mounts_array(const struct rb_runc_spec *spec)
{
	json_t *m = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s, s, s, s]},"
			      " {s:s, s:s, s:s, s:[s, s, s, s]}]",
			      "destination", "/proc", "type", "proc", "source", "proc",
			      "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options",
			      "nosuid", "strictatime", "mode=755", "size=65536k",
			      "destination", "/sys", "type", "sysfs", "source", "sysfs", "options",
			      "nosuid", "noexec", "nodev", "ro");
	struct stat st;

	for (size_t i = 0; m && i < N(system_trees); i++)
		if (lstat(system_trees[i], &st) == 0 && S_ISDIR(st.st_mode))
			json_array_append_new(m, bind_mount(system_trees[i], false));
	if (!m)
		return NULL;
	bind_argv_dirs(m, spec->argv);
	bind_own_dir(m);
	if (spec->cwd)
		bind_dir_once(m, spec->cwd);
	bind_shared_files(m, spec->env);
	return m;
}

/* pid, ipc, uts, network: new ones, or JOIN_PID's by path (as containerd's
 * CRI joins a pod's containers to its sandbox); the mount namespace is
 * always the container's own. */
static json_t *namespaces_array(pid_t join_pid)
{
	static const char *const types[][2] = {
		{ "pid", "pid" }, { "mount", NULL }, { "ipc", "ipc" }, { "uts", "uts" },
		{ "network", "net" },
	};
	json_t *a = json_array();
	char path[64];

	for (size_t i = 0; a && i < N(types); i++) {
		json_t *ns = json_pack("{s:s}", "type", types[i][0]);

		if (ns && join_pid > 0 && types[i][1]) {
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)join_pid, types[i][1]);
			json_object_set_new(ns, "path", json_string(path));
		}
		json_array_append_new(a, ns);
	}
	return a;
}

json_t *rb_runc_config(const struct rb_runc_spec *spec)
{
	json_t *cfg = json_pack("{s:s, s:o, s:{s:s, s:b}, s:o, s:{s:o,"
			 " s:{s:{s:I}}, s:s, s:o, s:o}}",
			 "ociVersion", "1.0.2", "process", process_object(spec),
			 "root", "path", "rootfs", "readonly", 1,
			 "mounts", mounts_array(spec),
			 "linux", "namespaces", namespaces_array(spec->join_pid),
			 "resources", "pids", "limit", (json_int_t)spec->pids_max,
			 "cgroupsPath", spec->cgroups_path,
			 "maskedPaths", string_array(masked_paths, N(masked_paths)),
			 "readonlyPaths", string_array(readonly_paths, N(readonly_paths)));
	json_t *res = json_object_get(json_object_get(cfg, "linux"), "resources");

	if (cfg && !spec->join_pid) /* a joined UTS namespace keeps its pod's name */
		json_object_set_new(cfg, "hostname", json_string("reapbench"));
	if (cfg && spec->seccomp)
		json_object_set(json_object_get(cfg, "linux"), "seccomp", spec->seccomp);
	if (res && spec->rt_runtime_us > 0)
		json_object_set_new(res, "cpu", json_pack("{s:I, s:I}", "realtimePeriod",
							  (json_int_t)1000000, "realtimeRuntime",
							  (json_int_t)spec->rt_runtime_us));
	return cfg;
}

json_t *rb_runc_seccomp(int which, struct rb_error *err)
{
	struct utsname u;
	struct rb_seccomp_target t = { NULL, NULL, container_caps, N(container_caps) };

	if (uname(&u) < 0)
		return rb_sys_error(err, errno, "uname"), NULL;
	t.machine = u.machine;
	t.kernel = u.release;
	return rb_seccomp_profile(which, &t, err);
}

/* ---- running runc -------------------------------------------------------- */

/* The child's side: its own process group (Ctrl-C on the terminal reaches
 * the harness only, which then tears down), no blocked signals, stdin
 * /dev/null, stdout OUT, stderr ERRFD, nothing else inherited. */
static _Noreturn void exec_runc(const char *runc, char *const argv[], int out, int errfd)
{
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(out >= 0 ? out : null, STDOUT_FILENO);
	dup2(errfd >= 0 ? errfd : null, STDERR_FILENO);
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	execv(runc, argv);
	_exit(127);
}

#define MAX_ARGS 16

/* `runc --root ROOT [--log BUNDLE/runc.log --log-format json] ARGS...` with
 * stdout on OUT (or read into BUF when BUF is given) and stderr on ERRFD;
 * its wait status, or -1 with errno. */
static int run_runc(const struct rb_runc *c, const char *const args[], int out, int errfd,
		    char *buf, size_t len)
{
	char log[PATH_MAX + 16];
	const char *argv[MAX_ARGS + 8] = { "runc", "--root", RB_RUNC_ROOT };
	int n = 3, st, p[2] = { -1, -1 };
	size_t got = 0;
	pid_t pid;

	if (c->bundle[0]) {
		snprintf(log, sizeof(log), "%s/runc.log", c->bundle);
		argv[n++] = "--log";
		argv[n++] = log;
		argv[n++] = "--log-format";
		argv[n++] = "json";
	}
	for (int i = 0; args[i] && i < MAX_ARGS; i++)
		argv[n++] = args[i];
	if (buf && pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		exec_runc(c->runc, (char *const *)argv, buf ? p[1] : out, errfd);
	if (p[1] >= 0)
		close(p[1]);
	while (buf && pid > 0 && got + 1 < len) {
		ssize_t r = read(p[0], buf + got, len - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (buf)
		buf[got] = '\0';
	if (p[0] >= 0)
		close(p[0]);
	if (pid < 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return st;
}

static bool ran_ok(int st)
{
	return st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The last error runc logged (its --log, JSON lines), or "" . */
static void runc_last_error(const struct rb_runc *c, char *buf, size_t len)
{
	char path[PATH_MAX + 16], line[2048];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/runc.log", c->bundle);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		json_t *e = json_loads(line, 0, NULL);
		const char *level = json_string_value(json_object_get(e, "level"));
		const char *msg = json_string_value(json_object_get(e, "msg"));

		if (level && msg && (strcmp(level, "error") == 0 || strcmp(level, "fatal") == 0))
			snprintf(buf, len, "%s", msg);
		json_decref(e);
	}
	fclose(f);
}

/* "runc WHAT failed: <runc's message>", of KIND. */
static int runc_failed(const struct rb_runc *c, enum rb_error_kind kind, const char *what, int st,
		       struct rb_error *err)
{
	char msg[512];

	runc_last_error(c, msg, sizeof(msg));
	if (!msg[0])
		snprintf(msg, sizeof(msg), "status %d", st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : st);
	if (strncmp(msg, "runc ", 5) == 0) /* runc says what failed itself */
		return rb_fail(err, kind, 0, "%s", msg);
	return rb_fail(err, kind, 0, "runc %s failed: %s", what, msg);
}

/* The runc binary into C->runc: $REAPBENCH_RUNC (another build, or a test's
 * missing one), else PATH, else /usr/sbin (Debian's, which a PATH may lack). */
static int find_runc(struct rb_runc *c, struct rb_error *err)
{
	const char *env = getenv("REAPBENCH_RUNC");

	if (env && env[0]) {
		if (access(env, X_OK) < 0)
			return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "--runtime runc: REAPBENCH_RUNC=%s",
				       env);
		snprintf(c->runc, sizeof(c->runc), "%s", env);
		return 0;
	}
	if (rb_find_in_path("runc", c->runc, sizeof(c->runc)))
		return 0;
	if (access("/usr/sbin/runc", X_OK) < 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0,
			       "--runtime runc: no runc in PATH or /usr/sbin (apt-get install runc)");
	snprintf(c->runc, sizeof(c->runc), "/usr/sbin/runc");
	return 0;
}

/* DIR exists and we can write in it: runc's state root or the bundles'.
 * Not so is this machine's state (a read-only /run), not the user's input:
 * RB_ERR_UNSUPPORTED, exit 3, before runc (whose own message would come
 * on the run's output, beside ours). */
static int writable_dir(const char *dir, struct rb_error *err)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "--runtime runc: mkdir %s", dir);
	if (access(dir, W_OK | X_OK) < 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, errno, "--runtime runc: %s not writable", dir);
	return 0;
}

int rb_runc_check(struct rb_runc *c, struct rb_error *err)
{
	memset(c, 0, sizeof(*c));
	if (geteuid() != 0)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0,
			       "--runtime runc needs root (rootless runc is not supported yet)");
	if (find_runc(c, err) < 0 || writable_dir(RB_RUNC_ROOT, err) < 0 ||
	    writable_dir(BUNDLES, err) < 0)
		return -1;
	return 0;
}

/* ---- the bundle ---------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Remove DIR and what is in it, never crossing into another mount. */
static void remove_tree(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* The rootfs: an empty directory (runc makes the mount points) with the
 * host's top-level symlinks (/bin -> usr/bin) copied. */
static int make_rootfs(const struct rb_runc *c, struct rb_error *err)
{
	char rootfs[PATH_MAX + 8], link[PATH_MAX + 16], target[PATH_MAX];

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", c->bundle);
	if (mkdir(rootfs, 0755) < 0)
		return rb_sys_error(err, errno, "mkdir %s", rootfs);
	for (size_t i = 0; i < N(system_trees); i++) {
		ssize_t n = readlink(system_trees[i], target, sizeof(target) - 1);

		if (n <= 0)
			continue;
		target[n] = '\0';
		snprintf(link, sizeof(link), "%s%s", rootfs, system_trees[i]);
		if (symlink(target, link) < 0)
			return rb_sys_error(err, errno, "symlink %s", link);
	}
	return 0;
}

static int write_config(const struct rb_runc *c, const struct rb_runc_spec *spec,
			struct rb_error *err)
{
	char path[PATH_MAX + 16];
	json_t *cfg = rb_runc_config(spec);
	int rc;

	if (!cfg)
		return rb_sys_error(err, ENOMEM, "building config.json");
	snprintf(path, sizeof(path), "%s/config.json", c->bundle);
	rc = json_dump_file(cfg, path, JSON_INDENT(1));
	json_decref(cfg);
	return rc == 0 ? 0 : rb_sys_error(err, errno, "writing %s", path);
}

/* The private temp dir, named as the container: BUNDLES/<id>. */
static int make_bundle(struct rb_runc *c, struct rb_error *err)
{
	char tag[64];

	rb_self_tag(tag, sizeof(tag));
	snprintf(c->bundle, sizeof(c->bundle), BUNDLES "/reapbench-%s-XXXXXX", tag);
	if (!mkdtemp(c->bundle)) {
		c->bundle[0] = '\0';
		return rb_sys_error(err, errno, "mkdtemp in %s", BUNDLES);
	}
	snprintf(c->id, sizeof(c->id), "%s", strrchr(c->bundle, '/') + 1);
	return make_rootfs(c, err);
}

/* Our own cgroup in the pids hierarchy ("/" when not found): v1's "N:pids:"
 * line, else cgroup2's "0::". */
static void own_pids_cgroup(int version, char *buf, size_t len)
{
	char line[PATH_MAX];
	const char *want = version == 2 ? "0::" : ":pids:";
	FILE *f = fopen("/proc/self/cgroup", "re");

	snprintf(buf, len, "/");
	while (f && fgets(line, sizeof(line), f)) {
		char *at = strstr(line, want);

		if (!at || (version == 2 && at != line))
			continue;
		at += strlen(want);
		at[strcspn(at, "\n")] = '\0';
		snprintf(buf, len, "%s", at);
	}
	if (f)
		fclose(f);
}

/* Where runc puts the pids cgroup for the relative cgroupsPath: below
 * the harness's own cgroup in each hierarchy (runc's, which it inherits),
 * so that the container stays inside the limits the harness runs under. */
static void locate_cgroup(struct rb_runc *c)
{
	char own[PATH_MAX];

	c->cgroup_version = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0 ? 2 : 1;
	own_pids_cgroup(c->cgroup_version, own, sizeof(own));
	snprintf(c->cgroup, sizeof(c->cgroup), "/sys/fs/cgroup%s%s/%s",
		 c->cgroup_version == 2 ? "" : "/pids", strcmp(own, "/") == 0 ? "" : own,
		 c->cgroups_path[0] ? c->cgroups_path : c->id);
}

/* ---- the container ------------------------------------------------------- */

/* PID 1's host pid from `runc state ID` (JSON). */
static int state_pid(const struct rb_runc *c, pid_t *pid, struct rb_error *err)
{
	char out[8192];
	int st = run_runc(c, (const char *[]){ "state", c->id, NULL }, -1, -1, out, sizeof(out));
	json_t *s;
	json_int_t p;

	if (!ran_ok(st))
		return runc_failed(c, RB_ERR_SYSTEM, "state", st, err);
	s = json_loads(out, 0, NULL);
	p = json_integer_value(json_object_get(s, "pid"));
	json_decref(s);
	if (p <= 0)
		return rb_sys_error(err, EPROTO, "runc state %s: no pid in its output", c->id);
	*pid = (pid_t)p;
	return 0;
}

int rb_runc_create(struct rb_runc *c, const struct rb_runc_spec *spec, int output_fd,
		   pid_t *pid1, struct rb_error *err)
{
	/* the container's cgroup is <id>, relative to the harness's */
	struct rb_runc_spec s = { 0 };
	bool rt = access(RT_GROUP_SCHED, F_OK) == 0;
	char msg[512];
	int st = -1;

	/* PID 1 is runc's grandchild: as a subreaper we become its parent when
	 * runc create exits, and wait for it as for our own. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return rb_sys_error(err, errno, "prctl(PR_SET_CHILD_SUBREAPER)");
	if (make_bundle(c, err) < 0)
		return -1;
	snprintf(c->cgroups_path, sizeof(c->cgroups_path), "%s%s%s",
		 spec->cgroup_parent ? spec->cgroup_parent : "", spec->cgroup_parent ? "/" : "", c->id);
	locate_cgroup(c);
	for (size_t i = rt ? 0 : N(rt_budgets_us) - 1; i < N(rt_budgets_us); i++) {
		s = *spec;
		s.cgroups_path = c->cgroups_path;
		s.rt_runtime_us = rt_budgets_us[i];
		if (write_config(c, &s, err) < 0)
			return -1;
		st = run_runc(c, (const char *[]){ "create", "--bundle", c->bundle, c->id, NULL },
			      output_fd >= 0 ? output_fd : STDOUT_FILENO,
			      output_fd >= 0 ? output_fd : STDERR_FILENO, NULL, 0);
		runc_last_error(c, msg, sizeof(msg));
		if (ran_ok(st) || !strstr(msg, "rt_runtime_us"))
			break;
	}
	if (!ran_ok(st))
		return runc_failed(c, RB_ERR_UNSUPPORTED, "create", st, err);
	c->created = true;
	c->rt_runtime_us = s.rt_runtime_us;
	return state_pid(c, pid1, err);
}

int rb_runc_start(struct rb_runc *c, struct rb_error *err)
{
	int st = run_runc(c, (const char *[]){ "start", c->id, NULL }, -1, -1, NULL, 0);

	return ran_ok(st) ? 0 : runc_failed(c, RB_ERR_SYSTEM, "start", st, err);
}

int rb_runc_kill(const struct rb_runc *c, int sig)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", sig);
	return ran_ok(run_runc(c, (const char *[]){ "kill", c->id, num, NULL }, -1, -1, NULL, 0))
		       ? 0 : -1;
}

/* Up to 2 s for PATH to disappear (runc removes it as it deletes). */
static bool gone(const char *path)
{
	for (int i = 0; i < 200; i++) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return true;
		usleep(10000);
	}
	return false;
}

static _Noreturn void watchdog(int rfd, int pidfd)
{
	char b;

	while (read(rfd, &b, 1) != 0 && (errno == EINTR || errno == EAGAIN))
		;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	_exit(0);
}

int rb_runc_watch(struct rb_runc *c, int pidfd, struct rb_error *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return rb_sys_error(err, errno, "pipe2");
	c->watchdog = fork();
	if (c->watchdog < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		c->watchdog = 0;
		return rb_sys_error(err, e, "fork");
	}
	if (c->watchdog == 0) {
		close(p[1]);
		watchdog(p[0], pidfd);
	}
	close(p[0]);
	c->watch_fd = p[1];
	return 0;
}

/* The harness is done with PID 1 (reaped): the watchdog goes. */
static void unwatch(struct rb_runc *c)
{
	if (c->watchdog <= 0)
		return;
	close(c->watch_fd);
	while (waitpid(c->watchdog, NULL, 0) < 0 && errno == EINTR)
		;
	c->watchdog = 0;
	c->watch_fd = -1;
}

int rb_runc_delete(struct rb_runc *c, struct rb_error *err)
{
	char state[PATH_MAX + 16];
	int rc = 0;

	unwatch(c);
	if (c->created) {
		int st = run_runc(c, (const char *[]){ "delete", "--force", c->id, NULL }, -1, -1,
				  NULL, 0);

		snprintf(state, sizeof(state), RB_RUNC_ROOT "/%s", c->id);
		if (!ran_ok(st))
			rc = runc_failed(c, RB_ERR_SYSTEM, "delete", st, err);
		else if (!gone(state))
			rc = rb_sys_error(err, EBUSY, "container %s: runc state still there", c->id);
		else if (!gone(c->cgroup))
			rc = rb_sys_error(err, EBUSY, "container %s: cgroup %s still there", c->id,
					  c->cgroup);
		c->created = rc < 0;
	}
	if (c->bundle[0] && !c->created) {
		remove_tree(c->bundle);
		c->bundle[0] = '\0';
	}
	return rc;
}

/* ---- pid_max ------------------------------------------------------------- */

/* The sysctl is per PID namespace, chosen by the writer's own (commit
 * 7863dcc72d0f): a helper joins PID 1's namespace, and its child (the first
 * process inside) writes it. Exits 0, or an errno. */
static _Noreturn void set_pid_max_child(int pidfd, const char *value)
{
	pid_t w;
	int st, fd;

	if (setns(pidfd, CLONE_NEWPID) < 0)
		_exit(errno);
	w = fork();
	if (w < 0)
		_exit(errno);
	if (w == 0) {
		fd = open("/proc/sys/kernel/pid_max", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value))
			_exit(errno ? errno : EIO);
		_exit(0);
	}
	while (waitpid(w, &st, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : EINTR);
}

/* ---- what a killed harness left ----------------------------------------- */

/* The stale container (its state, bundle, cgroup) named by PATH's last
 * part, deleted with runc C->runc. */
static int delete_stale(const char *path, void *arg)
{
	const struct rb_runc *c = arg;
	const char *id = strrchr(path, '/') + 1;
	struct rb_runc stale = { 0 };
	char state[PATH_MAX + 16];

	snprintf(stale.runc, sizeof(stale.runc), "%s", c->runc);
	snprintf(stale.id, sizeof(stale.id), "%s", id);
	snprintf(stale.bundle, sizeof(stale.bundle), BUNDLES "/%s", id);
	snprintf(state, sizeof(state), RB_RUNC_ROOT "/%s", id);
	locate_cgroup(&stale);
	stale.created = access(state, F_OK) == 0;
	return rb_runc_delete(&stale, &(struct rb_error){ 0 });
}

int rb_runc_sweep_stale(const struct rb_runc *c)
{
	return rb_sweep_stale(RB_RUNC_ROOT, delete_stale, (void *)c) +
	       rb_sweep_stale(BUNDLES, delete_stale, (void *)c);
}

int rb_ns_set_pid_max(int pidfd, long value, struct rb_error *err)
{
	char v[32];
	int st = -1;
	pid_t helper;

	snprintf(v, sizeof(v), "%ld", value);
	helper = fork();
	if (helper < 0)
		return rb_sys_error(err, errno, "fork");
	if (helper == 0)
		set_pid_max_child(pidfd, v);
	while (waitpid(helper, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	return rb_fail(err, RB_ERR_UNSUPPORTED, WIFEXITED(st) ? WEXITSTATUS(st) : 0,
		       "writing kernel.pid_max in PID 1's namespace");
}
