/* A figure as a reader reads it: with its unit, scaled (s -> ms, us), and a
 * latency below the observer's resolution shown as "<RES" rather than as a
 * number the observer could not tell. Used by compare and verdict. */
#ifndef REAPBENCH_UNITS_H
#define REAPBENCH_UNITS_H

#include <stddef.h>

/* V in UNIT (as records write it: "s", "reaps/s", "ratio", "processes",
 * ...). RESOLUTION_S > 0: V is a latency the observer resolves only to that
 * many seconds, so a V at or below it prints as "<RES" (the observer
 * cannot tell it from less). */
void rb_fmt_value(char *buf, size_t len, double v, const char *unit, double resolution_s);

/* Seconds, scaled: "12.3 s", "4.56 ms", "78.9 us". */
void rb_fmt_seconds(char *buf, size_t len, double s);

#endif
