#include "seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The embedded profile (the Makefile makes it from
 * harness/core/seccomp/docker-default.json with xxd -i):
 * docker_default_json[], docker_default_json_len. */
#include "docker_default_seccomp.h"

const char *const rb_seccomp_names[] = { "none", "docker-default", NULL };

/* uname's machine -> the profile's archMap key and Go's GOARCH, which
 * Docker's `arches` (includes/excludes) name. */
static const struct {
	const char *machine, *scmp, *goarch;
} arches[] = {
	{ "x86_64", "SCMP_ARCH_X86_64", "amd64" },
	{ "aarch64", "SCMP_ARCH_AARCH64", "arm64" },
	{ "s390x", "SCMP_ARCH_S390X", "s390x" },
	{ "riscv64", "SCMP_ARCH_RISCV64", "riscv64" },
	{ "ppc64le", "SCMP_ARCH_PPC64LE", "ppc64le" },
};

static bool in_strings(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static bool has_cap(const struct rb_seccomp_target *t, const char *cap)
{
	for (size_t i = 0; i < t->ncaps; i++)
		if (strcmp(t->caps[i], cap) == 0)
			return true;
	return false;
}

/* "MAJOR.MINOR" of a kernel release or a minKernel, as one number. */
static long kernel_number(const char *v)
{
	int major = 0, minor = 0;

	if (!v || sscanf(v, "%d.%d", &major, &minor) < 1)
		return -1;
	return major * 1000L + minor;
}

/* Every cap of CAPS is the container's (includes), or any is (excludes). */
static bool caps_all(json_t *caps, const struct rb_seccomp_target *t)
{
	json_t *c;
	size_t i;

	json_array_foreach(caps, i, c)
		if (!has_cap(t, json_string_value(c)))
			return false;
	return true;
}

static bool caps_any(json_t *caps, const struct rb_seccomp_target *t)
{
	json_t *c;
	size_t i;

	json_array_foreach(caps, i, c)
		if (has_cap(t, json_string_value(c)))
			return true;
	return false;
}

/* dockerd's filter (moby profiles/seccomp/seccomp_linux.go setupSeccomp):
 * a rule applies unless an `excludes` matches (the arch, any of its caps,
 * a kernel at least its minKernel) or an `includes` does not (the arch,
 * all of its caps, a kernel at least its minKernel). */
static bool rule_applies(json_t *rule, const char *goarch, const struct rb_seccomp_target *t)
{
	json_t *in = json_object_get(rule, "includes"), *ex = json_object_get(rule, "excludes");
	const char *exk = json_string_value(json_object_get(ex, "minKernel"));
	const char *ink = json_string_value(json_object_get(in, "minKernel"));
	json_t *exa = json_object_get(ex, "arches"), *ina = json_object_get(in, "arches");

	if ((json_array_size(exa) && in_strings(exa, goarch)) ||
	    caps_any(json_object_get(ex, "caps"), t) ||
	    (exk && kernel_number(t->kernel) >= kernel_number(exk)))
		return false;
	if ((json_array_size(ina) && !in_strings(ina, goarch)) ||
	    !caps_all(json_object_get(in, "caps"), t) ||
	    (ink && kernel_number(t->kernel) < kernel_number(ink)))
		return false;
	return true;
}

/* The OCI rule: names (Docker's older single "name" too), action,
 * errnoRet and args as they are. */
static json_t *oci_rule(json_t *rule)
{
	json_t *names = json_object_get(rule, "names");
	json_t *o = json_pack("{s:O}", "action", json_object_get(rule, "action"));
	const char *keep[] = { "errnoRet", "args" };

	if (!o)
		return NULL;
	if (names)
		json_object_set(o, "names", names);
	else
		json_object_set_new(o, "names", json_pack("[O]", json_object_get(rule, "name")));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (json_object_get(rule, keep[i]) && !json_is_null(json_object_get(rule, keep[i])))
			json_object_set(o, keep[i], json_object_get(rule, keep[i]));
	return o;
}

/* archMap's entry for the running arch: it and its sub-architectures. */
static json_t *architectures(json_t *docker, const char *scmp)
{
	json_t *m, *a = json_array();
	size_t i;

	json_array_foreach(json_object_get(docker, "archMap"), i, m) {
		json_t *sub = json_object_get(m, "subArchitectures"), *s;
		size_t k;

		if (strcmp(json_string_value(json_object_get(m, "architecture")) ?: "", scmp) != 0)
			continue;
		json_array_append_new(a, json_string(scmp));
		json_array_foreach(sub, k, s)
			json_array_append(a, s);
	}
	return a;
}

json_t *rb_seccomp_from_docker(json_t *docker, const struct rb_seccomp_target *t,
			       struct rb_error *err)
{
	const char *scmp = NULL, *goarch = NULL;
	json_t *out, *rules, *r;
	size_t i;

	for (size_t k = 0; k < sizeof(arches) / sizeof(arches[0]); k++)
		if (strcmp(arches[k].machine, t->machine) == 0) {
			scmp = arches[k].scmp;
			goarch = arches[k].goarch;
		}
	if (!scmp)
		return rb_fail(err, RB_ERR_UNSUPPORTED, 0, "--seccomp: no seccomp architecture for %s",
			       t->machine), NULL;
	rules = json_array();
	out = json_pack("{s:O, s:o, s:o}", "defaultAction", json_object_get(docker, "defaultAction"),
			"architectures", architectures(docker, scmp), "syscalls", rules);
	if (!out)
		return rb_sys_error(err, ENOMEM, "converting the seccomp profile"), NULL;
	if (json_object_get(docker, "defaultErrnoRet"))
		json_object_set(out, "defaultErrnoRet", json_object_get(docker, "defaultErrnoRet"));
	json_array_foreach(json_object_get(docker, "syscalls"), i, r)
		if (rule_applies(r, goarch, t))
			json_array_append_new(rules, oci_rule(r));
	return out;
}

json_t *rb_seccomp_profile(enum rb_seccomp which, const struct rb_seccomp_target *t,
			   struct rb_error *err)
{
	json_error_t je;
	json_t *docker, *oci;

	if (which == RB_SECCOMP_NONE)
		return NULL;
	docker = json_loadb((const char *)docker_default_json, docker_default_json_len, 0, &je);
	if (!docker)
		return rb_sys_error(err, EINVAL, "the embedded docker-default profile: %s", je.text),
		       NULL;
	oci = rb_seccomp_from_docker(docker, t, err);
	json_decref(docker);
	return oci;
}
