#include "suite.h"

#include <stdio.h>

#include "record.h"

bool rb_suite_skip_unavailable(json_t *rec, const struct rb_reaper *r, const char *suite,
			       int name_w)
{
	if (r->available)
		return false;
	rb_record_skip(rb_record_add_run(rec, r, NULL), suite, r->unavailable_reason);
	printf("%-*s unavailable: %s\n", name_w, r->name, r->unavailable_reason);
	return true;
}
