#include "units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rb_fmt_seconds(char *buf, size_t len, double s)
{
	double a = fabs(s);

	if (!isfinite(s))
		snprintf(buf, len, "%s", isnan(s) ? "-" : s > 0 ? "inf" : "-inf");
	else if (a >= 1)
		snprintf(buf, len, "%.3g s", s);
	else if (a >= 1e-3 || a == 0)
		snprintf(buf, len, "%.3g ms", s * 1e3);
	else
		snprintf(buf, len, "%.3g us", s * 1e6);
}

void rb_fmt_value(char *buf, size_t len, double v, const char *unit, double resolution_s)
{
	if (!unit)
		unit = "";
	if (resolution_s > 0 && v <= resolution_s) {
		char r[32];

		rb_fmt_seconds(r, sizeof(r), resolution_s);
		snprintf(buf, len, "<%s", r);
	} else if (strcmp(unit, "s") == 0)
		rb_fmt_seconds(buf, len, v);
	else if (strcmp(unit, "ratio") == 0 || strcmp(unit, "x") == 0)
		snprintf(buf, len, "x%.3g", v);
	else if (strcmp(unit, "reaps/s") == 0)
		snprintf(buf, len, "%.0f/s", v);
	else if (strcmp(unit, "KiB") == 0)
		snprintf(buf, len, "%.0f KiB", v);
	else
		snprintf(buf, len, "%.6g", v); /* counts: processes, pids, signals */
}
