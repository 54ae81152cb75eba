#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rb_fail(struct rb_error *err, enum rb_error_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	err->kind = kind;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (errnum && len < sizeof(err->msg))
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(errnum));
	return -1;
}

int rb_error_report(const struct rb_error *err)
{
	fprintf(stderr, "reapbench: %s\n", err->msg);
	switch (err->kind) {
	case RB_ERR_INPUT:
		return 2;
	case RB_ERR_UNSUPPORTED:
		return 3;
	default:
		return 1;
	}
}

void rb_freep(void *p)
{
	free(*(void **)p);
}
