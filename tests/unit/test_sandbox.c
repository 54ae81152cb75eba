/* The sandbox lifecycle around a start that fails: nothing may wait for, or
 * reap, a child the harness did not start as PID 1. */
#include <errno.h>
#include <signal.h>

#include "helpers.h"
#include "sandbox.h"
#include "sysinfo.h"

static struct rb_sandbox_opts small_opts(void)
{
	return (struct rb_sandbox_opts){
		.pid_max = 400,
		.pids_max = 32,
		.deadline_ns = 5000000000LL,
		.userns = RB_USERNS_AUTO,
		.output_fd = -1,
	};
}

/* A child of the harness that is no part of any sandbox (libFuzzer's
 * llvm-symbolizer is one): it must outlive everything below. */
static pid_t bystander(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void wait_after_failed_start_returns(void **state)
{
	char *argv[] = { "/nonexistent/reapbench-no-such-init", NULL };
	struct rb_sandbox_opts o = small_opts();
	struct rb_sandbox sb = { 0 };
	struct rb_error err = { 0 };
	struct rb_sysinfo si;
	pid_t other = bystander();
	int st;

	(void)state;
	rb_sysinfo_read(&si);
	/* a wait that blocked on the bystander would end here, failing */
	alarm(20);
	assert_int_equal(rb_sandbox_start(&sb, &si, &o, argv, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	memset(&err, 0, sizeof(err));
	assert_int_equal(rb_sandbox_wait(&sb, 0, &err), -1);
	assert_contains(err.msg, "no PID 1");
	rb_sandbox_destroy(&sb, &err);
	alarm(0);
	/* the bystander was neither reaped nor killed */
	assert_int_equal(waitpid(other, &st, WNOHANG), 0);
	kill(other, SIGKILL);
	assert_int_equal(waitpid(other, &st, 0), other);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void wait_reports_pid1_status(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "exit 7", NULL };
	struct rb_sandbox_opts o = small_opts();
	struct rb_sandbox sb = { 0 };
	struct rb_error err = { 0 };
	struct rb_sysinfo si;
	pid_t other = bystander();
	int st;

	(void)state;
	rb_sysinfo_read(&si);
	alarm(20);
	if (rb_sandbox_start(&sb, &si, &o, argv, &err) < 0) {
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
		if (err.kind == RB_ERR_UNSUPPORTED)
			skip();
		fail_msg("start: %s", err.msg);
	}
	assert_int_equal(rb_sandbox_wait(&sb, 0, &err), 0);
	assert_int_equal(sb.end, RB_END_EXITED);
	assert_true(WIFEXITED(sb.status) && WEXITSTATUS(sb.status) == 7);
	assert_int_equal(rb_sandbox_destroy(&sb, &err), 0);
	alarm(0);
	assert_int_equal(waitpid(other, &st, WNOHANG), 0);
	kill(other, SIGKILL);
	assert_int_equal(waitpid(other, &st, 0), other);
}

/* The sandbox's deadline is one instant fixed at the start: a PID 1 that
 * outlives it is killed there, and the wait ends with it. */
static void the_deadline_is_fixed_at_the_start(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 5", NULL };
	struct rb_sandbox_opts o = small_opts();
	struct rb_sandbox sb = { 0 };
	struct rb_error err = { 0 };
	struct rb_sysinfo si;
	int64_t t;

	(void)state;
	o.deadline_ns = 300000000LL;
	rb_sysinfo_read(&si);
	alarm(20);
	if (rb_sandbox_start(&sb, &si, &o, argv, &err) < 0) {
		if (err.kind == RB_ERR_UNSUPPORTED)
			skip();
		fail_msg("start: %s", err.msg);
	}
	assert_true(sb.deadline_at_ns == sb.t_start_ns + o.deadline_ns);
	o.deadline_ns = 60000000000LL; /* the options, changed after the start, do not move it */
	assert_int_equal(rb_sandbox_wait(&sb, 0, &err), 0);
	t = rb_now_ns();
	assert_int_equal(sb.end, RB_END_DEADLINE);
	assert_true(t >= sb.deadline_at_ns);
	assert_true(t < sb.deadline_at_ns + 3000000000LL);
	assert_int_equal(rb_sandbox_destroy(&sb, &err), 0);
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wait_after_failed_start_returns),
		cmocka_unit_test(wait_reports_pid1_status),
		cmocka_unit_test(the_deadline_is_fixed_at_the_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
