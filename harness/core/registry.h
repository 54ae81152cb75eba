/* The reaper registry: one INI file per reaper under reapers/ (format in
 * reapers/README.md). A reaper is chosen by name (reapers/NAME.ini) or by a
 * path to such a file; adding one needs no rebuild. */
#ifndef REAPBENCH_REGISTRY_H
#define REAPBENCH_REGISTRY_H

#include <signal.h>
#include <stdbool.h>

#include "error.h"
#include "sysinfo.h"

enum rb_reaper_mode {
	RB_MODE_WRAP,       /* the reaper execs the workload as its child: tini -- CMD */
	RB_MODE_STANDALONE, /* the reaper runs alone; the workload joins with setns (pause) */
	RB_MODE_NONE,       /* the workload itself is PID 1 */
};

enum rb_reaper_class {
	RB_CLASS_INIT,      /* a real init program from the field */
	RB_CLASS_REFERENCE, /* this repo's correct PID 1 */
	RB_CLASS_CONTROL,   /* a deliberately broken reaper: a negative control */
};

enum rb_forward_target {
	RB_FORWARD_NONE,
	RB_FORWARD_CHILD, /* kill(child, sig) */
	RB_FORWARD_GROUP, /* kill(-pgid, sig) */
};

enum rb_exit_rule {
	RB_EXIT_PASSTHROUGH, /* exit N -> N, killed by S -> 128+S */
	RB_EXIT_ZERO,        /* always 0 */
	RB_EXIT_NONE,        /* no claim (standalone reapers have no child) */
};

enum rb_main_exit {
	RB_MAIN_EXIT_UNCLAIMED,
	RB_MAIN_EXIT_KILL, /* PID 1 exits at once: the kernel SIGKILLs the rest */
	RB_MAIN_EXIT_TERM, /* PID 1 sends them SIGTERM first */
};

/* What a reaper says it does; the conformance suite checks these. */
struct rb_claims {
	bool reaps;
	sigset_t forwards; /* signals forwarded */
	enum rb_forward_target forward_to;
	enum rb_exit_rule exit_status;
	int exec_not_found;      /* PID 1's exit status, -1: no claim */
	int exec_not_executable; /* PID 1's exit status, -1: no claim */
	sigset_t stops;          /* signals it turns into SIGSTOP of the app (dumb-init) */
	bool child_blocked_claimed;
	sigset_t child_blocked;  /* signals blocked in the app when it starts */
	enum rb_main_exit main_exit; /* what the app's other processes get when it exits */
};

#define RB_ARGV_MAX 32

struct rb_reaper {
	char file[4096];
	char name[64];
	char summary[256];
	enum rb_reaper_class class_;
	enum rb_reaper_mode mode;
	char binary[4096];       /* as written: PATH name, absolute, or {builddir}/... */
	char binary_env[64];     /* environment variable that overrides binary */
	char command[1024];      /* template: {binary} -- {cmd} */
	char version_command[1024];
	char package[64];        /* Debian package, empty if built here */
	struct rb_claims claims;
	/* Resolved on this machine by rb_reaper_resolve(). */
	bool available;
	char path[4096];
	char version[64];
	char unavailable_reason[256];
};

/* Parse one descriptor file. Errors name FILE:LINE. */
int rb_reaper_load(const char *file, struct rb_reaper *r, struct rb_error *err);

/* Find NAME_OR_PATH: a path (contains '/' or ends in .ini) or a name in the
 * registry directory. */
int rb_reaper_find(const struct rb_sysinfo *si, const char *name_or_path, struct rb_reaper *r,
		   struct rb_error *err);

/* Locate the binary and read its version; sets available or the reason. */
void rb_reaper_resolve(const struct rb_sysinfo *si, struct rb_reaper *r);

/* Expand the command template around the workload argv into ARGV (NULL
 * terminated, strings malloc'd into *STORAGE; free with rb_argv_free). */
int rb_reaper_argv(const struct rb_reaper *r, char *const workload[], char ***argv,
		   struct rb_error *err);
void rb_argv_free(char **argv);

/* Append a copy of W's first LEN bytes to the NULL-terminated *ARGV of *N
 * words (grown with realloc; *ARGV may start NULL). -1: out of memory. */
int rb_argv_push(char ***argv, size_t *n, const char *w, size_t len);

/* Descriptor files in the registry directory, sorted (free with rb_argv_free). */
int rb_registry_files(const struct rb_sysinfo *si, char ***files, struct rb_error *err);

const char *rb_mode_name(enum rb_reaper_mode m);
const char *rb_class_name(enum rb_reaper_class c);
const char *rb_forward_target_name(enum rb_forward_target t);
const char *rb_exit_rule_name(enum rb_exit_rule e);
const char *rb_main_exit_name(enum rb_main_exit e);

/* 0 if R resolved as available, else an input error naming what to install. */
int rb_require_available(const struct rb_reaper *r, struct rb_error *err);

/* The reapers a suite runs: NAMES (each must exist and be available), or
 * with none given every descriptor of the registry, controls only when
 * WITH_CONTROLS (unavailable ones stay in, for the suite to report). Free *OUT
 * with free(). */
int rb_registry_select(const struct rb_sysinfo *si, const char *const names[], int nnames,
		       bool with_controls, struct rb_reaper **out, size_t *n, struct rb_error *err);

/* Split a command line into words: whitespace separates, '...' and "..."
 * quote, backslash escapes outside single quotes. Used for templates. */
int rb_split_words(const char *line, char ***words, struct rb_error *err);

/* Quote ARGV as one POSIX shell string ('a' 'b c'). */
char *rb_shell_join(char *const argv[]);



/* Every descriptor of the registry, loaded and resolved, ordered by class
 * (inits, reference, controls) then name. Malformed files are reported on
 * stderr, one line each, and counted in *BAD. Free *OUT with free(). */
int rb_registry_load_all(const struct rb_sysinfo *si, struct rb_reaper **out, size_t *n, int *bad,
			 struct rb_error *err);
#endif
