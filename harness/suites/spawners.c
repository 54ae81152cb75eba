/* --spawners for the storm-driven suites: see spawners.h. */
#include "spawners.h"

#include <stdio.h>
#include <unistd.h>

unsigned long rb_spawners_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned long)n : 1;
}

int rb_spawners_check(const char *command, unsigned long n, struct rb_error *err)
{
	unsigned long online = rb_spawners_default(), max = RB_SPAWNERS_PER_CPU_MAX * online;

	if (max > RB_SPAWNERS_MAX)
		max = RB_SPAWNERS_MAX;
	if (n < 1 || n > max)
		return rb_input_error(err, "%s: --spawners %lu: expected 1 to %lu (%u per online CPU, "
				      "%lu online)", command, n, max, RB_SPAWNERS_PER_CPU_MAX, online);
	return 0;
}

unsigned rb_spawners_record(json_t *run, const struct rb_channel *ch)
{
	unsigned n = ch->storm_spawners ? ch->storm_spawners : 1;
	json_t *cpus = json_array();

	for (unsigned c = 0; c < 32; c++)
		if (ch->storm_spawner_cpus & (1u << c))
			json_array_append_new(cpus, json_integer(c));
	json_object_set_new(run, "spawners", json_integer(n));
	json_object_set_new(run, "spawner_cpus", cpus);
	return n;
}
