#include "signames.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Standard signals 1..31 on Linux (x86, arm, ...); index = number. */
static const char *const standard_names[32] = {
	[SIGHUP] = "HUP",   [SIGINT] = "INT",     [SIGQUIT] = "QUIT",     [SIGILL] = "ILL",
	[SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",   [SIGBUS] = "BUS",       [SIGFPE] = "FPE",
	[SIGKILL] = "KILL", [SIGUSR1] = "USR1",   [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",   [SIGTERM] = "TERM",     [SIGSTKFLT] = "STKFLT",
	[SIGCHLD] = "CHLD", [SIGCONT] = "CONT",   [SIGSTOP] = "STOP",     [SIGTSTP] = "TSTP",
	[SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",   [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",   [SIGWINCH] = "WINCH",
	[SIGIO] = "IO",     [SIGPWR] = "PWR",     [SIGSYS] = "SYS",
};

static int parse_small_int(const char *s, int *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 1000)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_realtime(const char *s)
{
	int base, off = 0;
	const char *rest;

	if (strncasecmp(s, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		rest = s + 5;
		if (*rest == '\0')
			return base;
		if (*rest != '+' || parse_small_int(rest + 1, &off) < 0)
			return -1;
		return base + off <= SIGRTMAX ? base + off : -1;
	}
	if (strncasecmp(s, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		rest = s + 5;
		if (*rest == '\0')
			return base;
		if (*rest != '-' || parse_small_int(rest + 1, &off) < 0)
			return -1;
		return base - off >= SIGRTMIN ? base - off : -1;
	}
	return -1;
}

int rb_signal_parse(const char *s)
{
	int n;

	if (s == NULL || *s == '\0')
		return -1;
	if (parse_small_int(s, &n) == 0)
		return n >= 1 && n <= SIGRTMAX ? n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	if (parse_small_int(s, &n) == 0) /* "SIG32": what rb_signal_name gives glibc's own */
		return n >= 1 && n <= SIGRTMAX ? n : -1;
	for (n = 1; n < 32; n++)
		if (standard_names[n] && strcasecmp(s, standard_names[n]) == 0)
			return n;
	if (strcasecmp(s, "IOT") == 0)
		return SIGABRT;
	if (strcasecmp(s, "POLL") == 0)
		return SIGIO;
	return parse_realtime(s);
}

const char *rb_signal_name(int sig, char *buf, size_t len)
{
	if (sig >= 1 && sig < 32 && standard_names[sig])
		snprintf(buf, len, "SIG%s", standard_names[sig]);
	else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, len, sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, len, "SIG%d", sig);
	return buf;
}
