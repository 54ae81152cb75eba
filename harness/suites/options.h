/* Strict parsers for option values: whole string, in range, or an error
 * naming the option. Used by every subcommand; unit-tested. */
#ifndef REAPBENCH_OPTIONS_H
#define REAPBENCH_OPTIONS_H

#include <stdint.h>

#include "error.h"

/* Decimal integer in [MIN, MAX]; OPT names the option in the message. */
int rb_parse_long(const char *opt, const char *s, long min, long max, long *out,
		  struct rb_error *err);

/* A duration: "250ms", "1.5s", "2m", "500us", or plain seconds "10".
 * Result in nanoseconds, in [MIN_NS, MAX_NS]. */
int rb_parse_duration(const char *opt, const char *s, int64_t min_ns, int64_t max_ns,
		      int64_t *out_ns, struct rb_error *err);



/* A positive rate per second in (0, MAX]: plain decimal ("2000", "12.5"). */
int rb_parse_rate(const char *opt, const char *s, double max, double *out, struct rb_error *err);

/* One of NAMES (N of them): its index in *OUT; else an error listing them
 * ("--format: 'xml' is not text, md or json"). */
int rb_parse_choice(const char *opt, const char *s, const char *const names[], int n, int *out,
		    struct rb_error *err);

/* The error for getopt's '?' (opterr is off: we print one line, not two). */
int rb_bad_option(const char *cmd, char **argv, struct rb_error *err);
#endif
