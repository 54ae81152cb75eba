/* The harness's version and the git commit it was built from (version.c is
 * recompiled on every build, so a record never names a stale commit). */
#ifndef REAPBENCH_VERSION_H
#define REAPBENCH_VERSION_H

extern const char rb_version[];
extern const char rb_commit[];

#endif
