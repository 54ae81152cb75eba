/* Seccomp profiles for the runc backend (--seccomp): Docker's default
 * (harness/core/seccomp/docker-default.json, embedded at build time),
 * converted from Docker's format to config.json's linux.seccomp as dockerd
 * does it: a rule is kept when its `includes` match the container and its
 * `excludes` do not (capabilities, architecture, kernel version). */
#ifndef REAPBENCH_SECCOMP_H
#define REAPBENCH_SECCOMP_H

#include <jansson.h>
#include <stddef.h>

#include "error.h"

enum rb_seccomp { RB_SECCOMP_NONE, RB_SECCOMP_DOCKER_DEFAULT };
extern const char *const rb_seccomp_names[]; /* "none", "docker-default", NULL */

/* What a profile is converted against. */
struct rb_seccomp_target {
	const char *machine;           /* uname's machine: x86_64, aarch64, ... */
	const char *kernel;            /* uname's release: "6.18.44-..." */
	const char *const *caps;       /* the container's bounding set */
	size_t ncaps;
};

/* Docker's profile DOCKER converted for T: linux.seccomp's object (new
 * reference), or NULL with ERR (an unknown architecture, ENOMEM). Pure. */
json_t *rb_seccomp_from_docker(json_t *docker, const struct rb_seccomp_target *t,
			       struct rb_error *err);

/* The profile WHICH for T (NULL for RB_SECCOMP_NONE, without an error). */
json_t *rb_seccomp_profile(enum rb_seccomp which, const struct rb_seccomp_target *t,
			   struct rb_error *err);

#endif
