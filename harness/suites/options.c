#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rb_parse_choice(const char *opt, const char *s, const char *const names[], int n, int *out,
		    struct rb_error *err)
{
	char list[256] = "";

	for (int i = 0; i < n; i++) {
		size_t l = strlen(list);

		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
		snprintf(list + l, sizeof(list) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			 names[i]);
	}
	return rb_input_error(err, "%s: '%s' is not %s", opt, s, list);
}

int rb_parse_long(const char *opt, const char *s, long min, long max, long *out,
		  struct rb_error *err)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return rb_input_error(err, "%s: empty value", opt);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || end == s)
		return rb_input_error(err, "%s: '%s' is not an integer", opt, s);
	if (v < min || v > max)
		return rb_input_error(err, "%s: %ld is out of range [%ld, %ld]", opt, v, min, max);
	*out = v;
	return 0;
}

static const struct {
	const char *suffix;
	double ns;
} duration_units[] = {
	{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "", 1e9 },
};

int rb_parse_duration(const char *opt, const char *s, int64_t min_ns, int64_t max_ns,
		      int64_t *out_ns, struct rb_error *err)
{
	char *end;
	double v, ns;
	size_t i;

	if (s == NULL || *s == '\0')
		return rb_input_error(err, "%s: empty duration", opt);
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || *s == '-')
		return rb_input_error(err, "%s: '%s' is not a duration (e.g. 500ms, 2s)", opt, s);
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++)
		if (strcmp(end, duration_units[i].suffix) == 0)
			break;
	if (i == sizeof(duration_units) / sizeof(duration_units[0]))
		return rb_input_error(err, "%s: '%s' has an unknown unit (ns, us, ms, s, m)", opt, s);
	ns = round(v * duration_units[i].ns);
	/* 2^63 is the first double past INT64_MAX: compare before casting */
	if (ns < (double)min_ns || ns > (double)max_ns || ns >= 9223372036854775808.0)
		return rb_input_error(err, "%s: %s is out of range [%.3gs, %.3gs]", opt, s,
				      min_ns / 1e9, max_ns / 1e9);
	*out_ns = (int64_t)ns;
	return 0;
}

int rb_parse_rate(const char *opt, const char *s, double max, double *out, struct rb_error *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v > 0) || v > max || strspn(s, "0123456789.") != strlen(s))
		return rb_input_error(err, "%s: '%s' is not a rate in (0, %g] per second", opt, s, max);
	*out = v;
	return 0;
}

int rb_bad_option(const char *cmd, char **argv, struct rb_error *err)
{
	if (optopt > 0 && optopt < 128)
		return rb_input_error(err, "%s: unknown option -%c or it lacks its value (try reapbench %s --help)",
				      cmd, optopt, cmd);
	return rb_input_error(err, "%s: unknown option '%s' or it lacks its value (try reapbench %s --help)",
			      cmd, argv[optind - 1], cmd);
}
