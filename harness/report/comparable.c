#include "comparable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options that do not shape what a run measures: how many runs (compare
 * tests the difference, whatever the counts), how long a failing run may
 * last, and where the output goes. Every other recorded option does. */
static const char *const free_options[] = {
	"repeat", "deadline_s", "runs", "warmup", "hyperfine_json",
	"observer_why", /* why auto was not bpf: the observer itself is compared */
};

/* Per-run facts that change what is observed: the storm's observer
 * (SCHED_FIFO sees every event, SCHED_OTHER is starved), a user namespace
 * (no pids cgroup), the signal sender's class. */
static const char *const run_facts[] = { "observer", "userns", "sender.sched_fifo" };

/* Options added after records were first kept: a record without one ran
 * with what was then the only behaviour (a NULL command: any command). */
static const struct {
	const char *command, *key, *implied;
} implied_options[] = {
	{ "storm", "observer", "pidfd" },
	{ "signals", "observer", "app" },
	{ "startup", "observer", "harness" },
	{ "exhaust", "observer", "harness" },
	{ "conform", "observer", "pidfd" },
	{ NULL, "runtime", "own" },
	{ NULL, "seccomp", "none" },
};

bool rb_option_free(const char *key)
{
	for (size_t i = 0; i < sizeof(free_options) / sizeof(free_options[0]); i++)
		if (strcmp(key, free_options[i]) == 0)
			return true;
	return false;
}

/* V as a reader writes it: a string bare, a number as %g, anything else as JSON, absent as
 * "not recorded". */
static void show(json_t *v, char *buf, size_t len)
{
	char *s;

	if (!v) {
		snprintf(buf, len, "not recorded");
		return;
	}
	if (json_is_string(v)) {
		snprintf(buf, len, "%s", json_string_value(v));
		return;
	}
	if (json_is_number(v)) {
		snprintf(buf, len, "%g", json_number_value(v));
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(buf, len, "%s", s ? s : "?");
	free(s);
}

/* JSON equality, but 1 and 1.0 are the same number (jq rewrites one as the
 * other). */
static bool same_value(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

/* "WHAT: V_BASE in BASE, V_NEW in NEW" as an input error. */
static int differs(const struct rb_comparable *c, const char *what, json_t *vb, json_t *vn,
		   const char *why, struct rb_error *err)
{
	char sb[160], sn[160];

	show(vb, sb, sizeof(sb));
	show(vn, sn, sizeof(sn));
	return rb_input_error(err, "%s: %s %s, %s has %s: %s", c->new_path, what, sn, c->base_path,
			      sb, why);
}

static int same_command(json_t *b, json_t *n, const struct rb_comparable *c, struct rb_error *err)
{
	json_t *cb = json_object_get(b, "command"), *cn = json_object_get(n, "command");

	if (json_is_string(cb) && json_equal(cb, cn))
		return 0;
	return differs(c, "a record of", cb, cn, "compare records of the same command", err);
}

/* Same machine: hostname, kernel and cpus. */
static int same_machine(json_t *b, json_t *n, const struct rb_comparable *c, struct rb_error *err)
{
	static const char *const keys[] = { "hostname", "kernel", "cpus" };
	json_t *eb = json_object_get(b, "environment"), *en = json_object_get(n, "environment");

	if (c->other_machine)
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *vb = json_object_get(eb, keys[i]), *vn = json_object_get(en, keys[i]);
		char what[64];

		if (same_value(vb, vn) || (!vb && !vn))
			continue;
		snprintf(what, sizeof(what), "another machine: %s", keys[i]);
		return differs(c, what, vb, vn, "--allow-other-machine to compare anyway", err);
	}
	return 0;
}

/* The same background load (--noise); a record without it ran without.
 * Not overridable: a quiet baseline says nothing about a run under load. */
static int same_noise(json_t *b, json_t *n, const struct rb_comparable *c, struct rb_error *err)
{
	json_t *none = json_string("none"), *vb, *vn;
	int rc = 0;

	vb = json_object_get(json_object_get(b, "environment"), "noise");
	vn = json_object_get(json_object_get(n, "environment"), "noise");
	if (!json_equal(vb ? vb : none, vn ? vn : none))
		rc = differs(c, "ran with --noise", vb ? vb : none, vn ? vn : none,
			     "compare runs under the same load", err);
	json_decref(none);
	return rc;
}

/* KEY of options differs between the two (absent in one counts). */
static int same_option(const char *command, json_t *ob, json_t *on, const char *key,
		       const struct rb_comparable *c, struct rb_error *err)
{
	json_t *vb = json_object_get(ob, key), *vn = json_object_get(on, key), *implied = NULL;
	char what[96];
	bool same;

	for (size_t i = 0; i < sizeof(implied_options) / sizeof(implied_options[0]); i++)
		if (strcmp(key, implied_options[i].key) == 0 && (!vb || !vn) &&
		    (!implied_options[i].command ||
		     (command && strcmp(command, implied_options[i].command) == 0)))
			implied = json_string(implied_options[i].implied);
	same = rb_option_free(key) || same_value(vb ? vb : implied, vn ? vn : implied);
	json_decref(implied);
	if (same)
		return 0;
	snprintf(what, sizeof(what), "made with options.%s", key);
	return differs(c, what, vb, vn, "records made with other options measure something else", err);
}

static int same_options(json_t *b, json_t *n, const struct rb_comparable *c, struct rb_error *err)
{
	json_t *ob = json_object_get(b, "options"), *on = json_object_get(n, "options"), *v;
	const char *key, *command = json_string_value(json_object_get(b, "command"));

	json_object_foreach(ob, key, v)
		if (same_option(command, ob, on, key, c, err) < 0)
			return -1;
	json_object_foreach(on, key, v)
		if (same_option(command, ob, on, key, c, err) < 0)
			return -1;
	return 0;
}

/* RUN's value of FACT ("a.b": a member of a member), or NULL. */
static json_t *fact_of(json_t *run, const char *fact)
{
	const char *dot = strchr(fact, '.');
	char head[64];

	if (!dot)
		return json_object_get(run, fact);
	snprintf(head, sizeof(head), "%.*s", (int)(dot - fact), fact);
	return json_object_get(json_object_get(run, head), dot + 1);
}

/* The distinct values of FACT over REC's runs, in order of appearance (a
 * new array; empty when no run has it). */
static json_t *facts(json_t *rec, const char *fact)
{
	json_t *out = json_array(), *run, *v, *x;
	size_t i, j;

	json_array_foreach(json_object_get(rec, "runs"), i, run) {
		bool seen = false;

		if (!(v = fact_of(run, fact)))
			continue;
		json_array_foreach(out, j, x)
			seen |= same_value(x, v);
		if (!seen)
			json_array_append(out, v);
	}
	return out;
}

/* Whether the two sets (arrays of distinct values) hold the same values. */
static bool same_set(json_t *a, json_t *b)
{
	json_t *x, *y;
	size_t i, j;

	if (json_array_size(a) != json_array_size(b))
		return false;
	json_array_foreach(a, i, x) {
		bool found = false;

		json_array_foreach(b, j, y)
			found |= same_value(x, y);
		if (!found)
			return false;
	}
	return true;
}

static int same_observation(json_t *b, json_t *n, const struct rb_comparable *c,
			    struct rb_error *err)
{
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < sizeof(run_facts) / sizeof(run_facts[0]); k++) {
		json_t *fb = facts(b, run_facts[k]), *fn = facts(n, run_facts[k]);
		char what[96];

		snprintf(what, sizeof(what), "runs with %s", run_facts[k]);
		if (!same_set(fb, fn))
			rc = differs(c, what, fb, fn, "observed otherwise, not comparable", err);
		json_decref(fb);
		json_decref(fn);
	}
	return rc;
}

int rb_records_comparable(json_t *base, json_t *new_, const struct rb_comparable *c,
			  struct rb_error *err)
{
	if (same_command(base, new_, c, err) < 0 || same_machine(base, new_, c, err) < 0 ||
	    same_noise(base, new_, c, err) < 0 || same_options(base, new_, c, err) < 0)
		return -1;
	return same_observation(base, new_, c, err);
}
