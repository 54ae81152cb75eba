#include "runner.h"

#include "signames.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Verbs of rb-payload (harness/payload.c). */
static const char *const payload_verbs[] = {
	"exit", "kill-self", "sleep", "signal-recorder", "orphans", "zombies",
};

static bool is_payload_verb(const char *s)
{
	for (size_t i = 0; i < sizeof(payload_verbs) / sizeof(payload_verbs[0]); i++)
		if (strcmp(s, payload_verbs[i]) == 0)
			return true;
	return false;
}

static int check_executable(const char *cmd, struct rb_error *err)
{
	const char *path = getenv("PATH");
	char buf[8192], file[4096], *save = NULL;

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0
			       ? 0
			       : rb_fail(err, RB_ERR_INPUT, errno, "cannot execute '%s'", cmd);
	snprintf(buf, sizeof(buf), "%s", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", d, cmd);
		if (access(file, X_OK) == 0)
			return 0;
	}
	return rb_input_error(err, "cannot execute '%s': not a payload verb and not found in PATH",
			      cmd);
}

int rb_resolve_workload(const struct rb_sysinfo *si, char *const workload[], char ***resolved,
			struct rb_error *err)
{
	size_t n = 0, extra;
	char **out;

	if (!workload || !workload[0])
		return rb_input_error(err, "no payload given (e.g. -- exit 3, -- orphans 100)");
	while (workload[n])
		n++;
	extra = is_payload_verb(workload[0]) ? 1 : 0;
	if (!extra && check_executable(workload[0], err) < 0)
		return -1;
	out = calloc(n + extra + 1, sizeof(char *));
	if (!out)
		return rb_sys_error(err, ENOMEM, "resolving the payload");
	if (extra && asprintf(&out[0], "%s/rb-payload", si->exe_dir) < 0)
		out[0] = NULL;
	for (size_t i = 0; i < n; i++)
		out[i + extra] = strdup(workload[i]);
	for (size_t i = 0; i < n + extra; i++)
		if (!out[i]) {
			rb_argv_free(out);
			return rb_sys_error(err, ENOMEM, "resolving the payload");
		}
	if (extra && access(out[0], X_OK) != 0) {
		rb_fail(err, RB_ERR_INPUT, errno, "payload binary %s (run make)", out[0]);
		rb_argv_free(out);
		return -1;
	}
	*resolved = out;
	return 0;
}

int rb_require_available(const struct rb_reaper *r, struct rb_error *err)
{
	if (r->available)
		return 0;
	return rb_input_error(err, "reaper %s is unavailable: %s%s%s%s", r->name,
			      r->unavailable_reason, r->package[0] ? " (apt-get install " : "",
			      r->package, r->package[0] ? ")" : "");
}

/* ---- the report channel ------------------------------------------------- */

struct channel_file {
	char path[128];
	struct rb_channel *map;
};

static int channel_open(struct channel_file *ch, struct rb_error *err)
{
	static unsigned counter; /* distinguishes files within one harness */
	char tag[64];
	int fd;

	rb_self_tag(tag, sizeof(tag));
	snprintf(ch->path, sizeof(ch->path), "/dev/shm/reapbench-%s-%u.chan", tag, counter++);
	fd = open(ch->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return rb_sys_error(err, errno, "creating %s", ch->path);
	if (ftruncate(fd, sizeof(struct rb_channel)) < 0) {
		int e = errno;

		close(fd);
		unlink(ch->path);
		return rb_sys_error(err, e, "sizing %s", ch->path);
	}
	ch->map = mmap(NULL, sizeof(struct rb_channel), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (ch->map == MAP_FAILED) {
		unlink(ch->path);
		return rb_sys_error(err, errno, "mapping %s", ch->path);
	}
	ch->map->magic = RB_CHANNEL_MAGIC;
	ch->map->version = RB_CHANNEL_VERSION;
	return 0;
}

static void channel_close(struct channel_file *ch)
{
	munmap(ch->map, sizeof(struct rb_channel));
	unlink(ch->path);
}

/* The harness's environment plus REAPBENCH_CHANNEL. */
static char **environment_with(const char *name, const char *value)
{
	extern char **environ;
	size_t n = 0, len = strlen(name);
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(char *));
	if (!env)
		return NULL;
	n = 0;
	for (char **e = environ; *e; e++)
		if (!(strncmp(*e, name, len) == 0 && (*e)[len] == '='))
			env[n++] = *e;
	if (asprintf(&env[n], "%s=%s", name, value) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

/* ---- running ------------------------------------------------------------- */

static int build_pid1_argv(const struct rb_reaper *r, char *const workload[], char ***argv,
			   struct rb_error *err)
{
	char *const nothing[] = { NULL };

	if (r->mode == RB_MODE_NONE) {
		size_t n = 0;

		while (workload[n])
			n++;
		*argv = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; *argv && i < n; i++)
			(*argv)[i] = strdup(workload[i]);
		return *argv ? 0 : rb_sys_error(err, ENOMEM, "argv");
	}
	return rb_reaper_argv(r, r->mode == RB_MODE_STANDALONE ? nothing : workload, argv, err);
}

/* Wait for the payload's ready flag (PID 1 may exit first, or the deadline
 * pass), then send the plan's signals to PID 1. */
static int64_t first_receipt(const struct rb_channel *ch, int sig)
{
	uint32_t n = __atomic_load_n(&ch->nsignals, __ATOMIC_ACQUIRE);

	n = n < RB_CHANNEL_MAX_SIGNALS ? n : RB_CHANNEL_MAX_SIGNALS;
	for (uint32_t i = 0; i < n; i++)
		if (__atomic_load_n(&ch->signals[i].signo, __ATOMIC_ACQUIRE) == sig)
			return ch->signals[i].t_ns;
	return 0;
}

/* How many of PID's children are stopped (state T): a signal can stop the
 * app instead of reaching its handler (dumb-init sends SIGSTOP for TSTP). */
static int stopped_children(pid_t pid)
{
	char path[64], stat[512], *p;
	int stopped = 0, child;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &child) == 1) {
		FILE *s;

		snprintf(path, sizeof(path), "/proc/%d/stat", child);
		s = fopen(path, "re");
		if (!s)
			continue;
		if (fgets(stat, sizeof(stat), s) && (p = strrchr(stat, ')')) && p[1] == ' ' &&
		    (p[2] == 'T' || p[2] == 't'))
			stopped++;
		fclose(s);
	}
	fclose(f);
	return stopped;
}

/* Let the sent signals land (see struct rb_signal_plan), then end the run. */
static void settle(struct rb_sandbox *sb, const struct rb_channel *ch,
		   const struct rb_signal_plan *plan, struct rb_run_result *res)
{
	const int64_t quiet_ns = 20 * 1000000LL; /* for group members after the app */
	int64_t end = rb_now_ns() + plan->settle_ns, got;

	while (rb_now_ns() < end) {
		if (rb_sandbox_pid1_exited(sb, 1))
			return;
		got = plan->settle_sig ? first_receipt(ch, plan->settle_sig) : 0;
		if (got && rb_now_ns() > got + quiet_ns)
			break;
	}
	res->children_stopped = stopped_children(sb->pid1);
	rb_sandbox_signal(sb, SIGKILL);
	res->ended_by_harness = true;
}

static void send_plan(struct rb_sandbox *sb, const struct rb_channel *ch,
		      const struct rb_signal_plan *plan, int64_t deadline, struct rb_run_result *res)
{
	int64_t due;

	while (!plan->no_wait_ready && !__atomic_load_n(&ch->ready, __ATOMIC_ACQUIRE)) {
		if (rb_sandbox_pid1_exited(sb, 1) || rb_now_ns() >= deadline) {
			snprintf(res->send_skip, sizeof(res->send_skip),
				 "the payload never reported ready (signal-recorder does)");
			return;
		}
	}
	due = rb_now_ns() + plan->delay_ns;
	while (rb_now_ns() < due)
		if (rb_sandbox_pid1_exited(sb, 1)) {
			snprintf(res->send_skip, sizeof(res->send_skip), "PID 1 exited before the send");
			return;
		}
	for (int i = 0; i < plan->n; i++) {
		res->plan_sig[i] = plan->sig[i];
		res->t_sent_ns[i] = rb_now_ns();
		if (rb_sandbox_signal(sb, plan->sig[i]) < 0) {
			snprintf(res->send_skip, sizeof(res->send_skip), "pidfd_send_signal: %s",
				 strerror(errno));
			return;
		}
		res->nsent++;
	}
	if (plan->settle_ns > 0)
		settle(sb, ch, plan, res);
}

int rb_run_payload(const struct rb_sysinfo *si, const struct rb_reaper *r,
		   const struct rb_sandbox_opts *opts_in, const struct rb_signal_plan *plan,
		   char *const workload[], struct rb_run_result *res, struct rb_error *err)
{
	struct rb_sandbox_opts opts = *opts_in;
	struct channel_file ch;
	char **env = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (opts.pids_max == 0)
		opts.pids_max = opts.pid_max;
	if (rb_require_available(r, err) < 0 || build_pid1_argv(r, workload, &res->argv, err) < 0)
		return -1;
	if (channel_open(&ch, err) < 0)
		return -1;
	env = environment_with(RB_CHANNEL_ENV, ch.path);
	if (!env) {
		rb_sys_error(err, ENOMEM, "environment");
		goto out;
	}
	opts.env = env;
	if (rb_sandbox_start(&res->sb, si, &opts, res->argv, err) < 0)
		goto destroy;
	if (r->mode == RB_MODE_STANDALONE && rb_sandbox_join(&res->sb, &opts, workload, err) < 0)
		goto destroy;
	if (plan && (plan->n > 0 || plan->settle_ns > 0))
		send_plan(&res->sb, ch.map, plan, res->sb.t_start_ns + opts.deadline_ns, res);
	if (rb_sandbox_wait(&res->sb, &opts, SIGTERM, err) < 0)
		goto destroy;
	rc = 0;
destroy:
	if (rb_sandbox_destroy(&res->sb, rc == 0 ? err : &(struct rb_error){ 0 }) < 0)
		rc = -1;
out:
	memcpy(&res->chan, ch.map, sizeof(res->chan));
	res->chan_valid = res->chan.payload_pid != 0;
	channel_close(&ch);
	if (env) {
		/* only the added variable is ours */
		for (char **e = env; *e; e++)
			if (strncmp(*e, RB_CHANNEL_ENV "=", sizeof(RB_CHANNEL_ENV)) == 0)
				free(*e);
		free(env);
	}
	return rc;
}

void rb_run_result_free(struct rb_run_result *res)
{
	rb_argv_free(res->argv);
	res->argv = NULL;
}

static const char *const end_names[] = {
	[RB_END_EXITED] = "exited", [RB_END_DEADLINE] = "deadline",
	[RB_END_INTERRUPTED] = "interrupted",
};

static void record_signals(json_t *run, const struct rb_run_result *res)
{
	const struct rb_channel *c = &res->chan;
	json_t *sent = json_array(), *got = json_array();
	uint32_t n = c->nsignals < RB_CHANNEL_MAX_SIGNALS ? c->nsignals : RB_CHANNEL_MAX_SIGNALS;
	int64_t t0 = res->nsent ? res->t_sent_ns[0] : res->sb.t_start_ns;
	char name[32];

	for (int i = 0; i < res->nsent; i++)
		json_array_append_new(sent, json_pack("{s:s, s:f}", "signal",
			rb_signal_name(res->plan_sig[i], name, sizeof(name)),
			"t_ms", (res->t_sent_ns[i] - t0) / 1e6));
	for (uint32_t i = 0; i < n; i++) {
		const struct rb_signal_entry *e = &c->signals[i];

		json_array_append_new(got, json_pack("{s:s, s:i, s:i, s:i, s:f}", "signal",
			rb_signal_name(e->signo, name, sizeof(name)), "si_pid", e->pid, "si_code",
			e->code, "receiver", e->receiver, "t_ms", (e->t_ns - t0) / 1e6));
	}
	json_object_set_new(run, "signals_sent", sent);
	json_object_set_new(run, "signals_received", got);
	if (res->send_skip[0])
		rb_record_skip(run, "signals_sent", res->send_skip);
	if (c->nsignals > RB_CHANNEL_MAX_SIGNALS)
		rb_record_skip(run, "signals_received", "log full: later signals counted, not kept");
	rb_record_measure(run, "signals_received", c->nsignals, "signals");
}

void rb_run_record(json_t *run, const struct rb_run_result *res)
{
	const struct rb_sandbox *sb = &res->sb;
	const struct rb_channel *c = &res->chan;

	json_object_set_new(run, "end", json_string(end_names[sb->end]));
	json_object_set_new(run, "userns", json_boolean(sb->userns));
	rb_record_measure(run, "pid1_exit_code", rb_status_code(sb->status), "status");
	rb_record_measure(run, "duration", (sb->t_end_ns - sb->t_start_ns) / 1e9, "s");
	if (sb->joiner_done)
		rb_record_measure(run, "workload_exit_code", rb_status_code(sb->joiner_status),
				  "status");
	if (sb->has_cgroup && sb->pids_peak >= 0)
		rb_record_measure(run, "pids_peak", (double)sb->pids_peak, "pids");
	else
		rb_record_skip(run, "pids_peak", sb->has_cgroup ? "pids.peak unreadable"
								: sb->cgroup_skip);
	if (!sb->pid_max_set)
		rb_record_skip(run, "pid_max", sb->pid_max_skip);
	if (!res->chan_valid) {
		rb_record_skip(run, "payload", "the workload wrote no report (not rb-payload?)");
		return;
	}
	record_signals(run, res);
	if (c->spawned || c->spawn_failed) {
		rb_record_measure(run, "payload_spawned", (double)c->spawned, "processes");
		rb_record_measure(run, "payload_spawn_failed", (double)c->spawn_failed, "processes");
		rb_record_measure(run, "payload_reaped", (double)c->reaped, "processes");
		if (c->t_all_reaped_ns)
			rb_record_measure(run, "reap_all_time",
					  (c->t_all_reaped_ns - c->t_released_ns) / 1e9, "s");
		else
			rb_record_skip(run, "reap_all_time", "not every process was reaped in time");
	}
}

void rb_sandbox_opts_default(struct rb_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pid_max = RB_DEFAULT_PID_MAX;
	o->pids_max = 0; /* follows pid_max */
	o->deadline_ns = 60LL * 1000000000;
	o->userns = RB_USERNS_AUTO;
	o->output_fd = -1;
}

int rb_sandbox_opt(int opt, const char *arg, struct rb_sandbox_opts *o, struct rb_error *err)
{
	switch (opt) {
	case RB_OPT_PID_MAX:
		return rb_parse_long("--pid-max", arg, RB_MIN_PID_MAX, RB_MAX_PID_MAX, &o->pid_max,
				     err) < 0 ? -1 : 1;
	case RB_OPT_PIDS_MAX:
		return rb_parse_long("--pids-max", arg, 1, RB_MAX_PID_MAX, &o->pids_max, err) < 0
			       ? -1 : 1;
	case RB_OPT_DEADLINE:
		return rb_parse_duration("--deadline", arg, 10 * 1000000LL, 24 * 3600 * 1000000000LL,
					 &o->deadline_ns, err) < 0 ? -1 : 1;
	case RB_OPT_USERNS:
		if (strcmp(arg, "auto") == 0)
			o->userns = RB_USERNS_AUTO;
		else if (strcmp(arg, "yes") == 0)
			o->userns = RB_USERNS_YES;
		else if (strcmp(arg, "no") == 0)
			o->userns = RB_USERNS_NO;
		else
			return rb_input_error(err, "--userns: '%s' is not auto, yes or no", arg);
		return 1;
	default:
		return 0;
	}
}
