/* Unit tests for harness/report/comparable.c: which pairs of records compare may
 * judge. Each refusal has its negative control (the same pair, alike, is
 * accepted), and the message names what differs and both values. */
#include <stdio.h>

#include <jansson.h>

#include "comparable.h"
#include "helpers.h"

static const struct rb_comparable paths = { "base.json", "new.json", false };

/* A small storm record: two runs of one reaper. */
static json_t *storm(void)
{
	json_error_t jerr;
	json_t *r = json_loads(
		"{\"schema\": \"reapbench.record/1\", \"command\": \"storm\","
		" \"environment\": {\"hostname\": \"vm\", \"kernel\": \"6.1\", \"cpus\": 2},"
		" \"options\": {\"pattern\": \"hoard\", \"count\": 1000, \"repeat\": 5,"
		"               \"method\": \"clone-vm\", \"deadline_s\": 20},"
		" \"runs\": [{\"reaper\": {\"name\": \"tini\"}, \"observer\": \"SCHED_FIFO\", \"userns\": false},"
		"          {\"reaper\": {\"name\": \"tini\"}, \"observer\": \"SCHED_FIFO\", \"userns\": false}]}",
		0, &jerr);

	if (!r)
		fail_msg("fixture: %s", jerr.text);
	return r;
}

/* rb_records_comparable on BASE and NEW; the message in ERR. */
static int judge(json_t *b, json_t *n, const struct rb_comparable *c, struct rb_error *err)
{
	int rc;

	memset(err, 0, sizeof(*err));
	rc = rb_records_comparable(b, n, c, err);
	json_decref(b);
	json_decref(n);
	return rc;
}

static void test_alike(void **state)
{
	struct rb_error err;

	(void)state;
	assert_int_equal(judge(storm(), storm(), &paths, &err), 0);
}

static void test_option_differs(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "options"), "pattern", json_string("burst"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_prefix(err.msg, "new.json: made with options.pattern burst, base.json has hoard");
	n = storm();
	json_object_set_new(json_object_get(n, "options"), "count", json_integer(5000));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "options.count 5000, base.json has 1000");
}

static void test_option_absent_in_one(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "options"), "grace_s", json_real(1));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "options.grace_s 1, base.json has not recorded");
	/* and the other way round */
	n = storm();
	json_object_set_new(json_object_get(n, "options"), "grace_s", json_real(1));
	assert_int_equal(judge(n, storm(), &paths, &err), -1);
	assert_contains(err.msg, "options.grace_s not recorded, base.json has 1");
}

static void test_free_options(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "options"), "repeat", json_integer(40));
	json_object_set_new(json_object_get(n, "options"), "deadline_s", json_integer(60));
	assert_int_equal(judge(storm(), n, &paths, &err), 0);
	assert_true(rb_option_free("repeat"));
	assert_false(rb_option_free("pattern"));
	assert_false(rb_option_free("grace_s"));
}

/* The backend: runc and own never compare; a record without it ran under own. */
static void test_runtime(void **state)
{
	json_t *b = storm(), *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "options"), "runtime", json_string("runc"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "options.runtime runc, base.json has not recorded");
	n = storm();
	json_object_set_new(json_object_get(b, "options"), "runtime", json_string("own"));
	json_object_set_new(json_object_get(n, "options"), "runtime", json_string("runc"));
	assert_int_equal(judge(b, n, &paths, &err), -1);
	assert_contains(err.msg, "options.runtime runc, base.json has own");
	/* negative control: own against a record from before the option */
	n = storm();
	json_object_set_new(json_object_get(n, "options"), "runtime", json_string("own"));
	assert_int_equal(judge(storm(), n, &paths, &err), 0);
}

/* The seccomp profile: docker-default and none never compare; a record
 * without it ran with none. */
static void test_seccomp(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "options"), "seccomp", json_string("docker-default"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "options.seccomp docker-default, base.json has not recorded");
	/* negative control: none against a record from before the option */
	n = storm();
	json_object_set_new(json_object_get(n, "options"), "seccomp", json_string("none"));
	assert_int_equal(judge(storm(), n, &paths, &err), 0);
}

static void test_observer_differs(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_array_get(json_object_get(n, "runs"), 1), "observer",
			    json_string("SCHED_OTHER"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "runs with observer [\"SCHED_FIFO\",\"SCHED_OTHER\"], base.json has [\"SCHED_FIFO\"]");
	n = storm();
	json_object_set_new(json_array_get(json_object_get(n, "runs"), 0), "userns", json_true());
	json_object_set_new(json_array_get(json_object_get(n, "runs"), 1), "userns", json_true());
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "runs with userns");
}

static void test_machine_and_noise(void **state)
{
	struct rb_comparable other = paths;
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(json_object_get(n, "environment"), "hostname", json_string("elsewhere"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_contains(err.msg, "another machine: hostname elsewhere, base.json has vm");
	other.other_machine = true;
	n = storm();
	json_object_set_new(json_object_get(n, "environment"), "hostname", json_string("elsewhere"));
	assert_int_equal(judge(storm(), n, &other, &err), 0);
	/* noise: not overridable; a record without it ran without */
	n = storm();
	json_object_set_new(json_object_get(n, "environment"), "noise", json_string("cpu"));
	assert_int_equal(judge(storm(), n, &other, &err), -1);
	assert_contains(err.msg, "ran with --noise cpu, base.json has none");
	n = storm();
	json_object_set_new(json_object_get(n, "environment"), "noise", json_string("none"));
	assert_int_equal(judge(storm(), n, &paths, &err), 0);
}

static void test_command_differs(void **state)
{
	json_t *n = storm();
	struct rb_error err;

	(void)state;
	json_object_set_new(n, "command", json_string("conform"));
	assert_int_equal(judge(storm(), n, &paths, &err), -1);
	assert_prefix(err.msg, "new.json: a record of conform, base.json has storm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alike),
		cmocka_unit_test(test_option_differs),
		cmocka_unit_test(test_option_absent_in_one),
		cmocka_unit_test(test_free_options),
		cmocka_unit_test(test_runtime),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_observer_differs),
		cmocka_unit_test(test_machine_and_noise),
		cmocka_unit_test(test_command_differs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
