/* Errors are values (after crun): a fallible function returns a negative
 * number and fills a struct rb_error; only main() turns it into an exit code.
 * The kind decides the exit code, so bad input is told apart from a machine
 * that cannot host a sandbox. */
#ifndef REAPBENCH_ERROR_H
#define REAPBENCH_ERROR_H

#include <unistd.h>

enum rb_error_kind {
	RB_ERR_NONE = 0,
	RB_ERR_SYSTEM,      /* a system call failed: exit 1 */
	RB_ERR_INPUT,       /* bad option, file or command: exit 2 */
	RB_ERR_UNSUPPORTED, /* no way to build a sandbox here: exit 3 */
};

struct rb_error {
	enum rb_error_kind kind;
	int errnum; /* errno, or 0 */
	char msg[768];
};

/* Fill ERR and return -1. ERRNUM (an errno or 0) is appended as ": strerror". */
__attribute__((format(printf, 4, 5)))
int rb_fail(struct rb_error *err, enum rb_error_kind kind, int errnum, const char *fmt, ...);

/* Shorthands for the common kinds. */
#define rb_input_error(err, ...) rb_fail((err), RB_ERR_INPUT, 0, __VA_ARGS__)
#define rb_sys_error(err, errnum, ...) rb_fail((err), RB_ERR_SYSTEM, (errnum), __VA_ARGS__)

/* "reapbench: MSG" on stderr; returns the exit code for ERR's kind. */
int rb_error_report(const struct rb_error *err);

/* Cleanup attributes for fds and heap memory (as crun and systemd do). */
static inline void rb_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
void rb_freep(void *p);
#define cleanup_close __attribute__((cleanup(rb_closep)))
#define cleanup_free __attribute__((cleanup(rb_freep)))

#endif
