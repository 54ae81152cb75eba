/* The storm patterns, one file each (pattern_*.c), listed once. */
#include <stdio.h>
#include <string.h>

#include "storm.h"

extern const struct storm_pattern storm_burst, storm_hoard, storm_chain, storm_tree,
	storm_threads, storm_stream, storm_daemon;

const struct storm_pattern *const storm_patterns[] = {
	&storm_burst, &storm_hoard, &storm_chain, &storm_tree,
	&storm_threads, &storm_stream, &storm_daemon,
};

const size_t storm_npatterns = sizeof(storm_patterns) / sizeof(storm_patterns[0]);

const struct storm_pattern *storm_pattern_find(const char *name)
{
	for (size_t i = 0; i < storm_npatterns; i++)
		if (strcmp(storm_patterns[i]->name, name) == 0)
			return storm_patterns[i];
	return NULL;
}

const char *storm_pattern_names(void)
{
	static char names[256];

	if (!names[0])
		for (size_t i = 0; i < storm_npatterns; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", storm_patterns[i]->name);
	return names;
}
