/* Signal names <-> numbers, as users type them: "TERM", "SIGTERM", "15",
 * "RTMIN+3", "SIGRTMAX-1". */
#ifndef REAPBENCH_SIGNAMES_H
#define REAPBENCH_SIGNAMES_H

#include <stddef.h>

/* Returns the signal number (1..SIGRTMAX), or -1 if S names no signal. */
int rb_signal_parse(const char *s);

/* Writes "SIGTERM" / "SIGRTMIN+3" into BUF and returns BUF. */
const char *rb_signal_name(int sig, char *buf, size_t len);

#endif
