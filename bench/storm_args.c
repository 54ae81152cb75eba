#include "storm_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "spawn.h"

enum arg_type {
	ARG_COUNT,  /* unsigned long, 0..max */
	ARG_NS,     /* int64_t ns, the word in UNIT ns, 0..max units */
	ARG_RATE,   /* double, (0, max] per second */
	ARG_METHOD, /* enum rb_spawn_method */
	ARG_FLAG,   /* bool, no value */
};

static const struct storm_arg {
	const char *flag; /* "--count" */
	enum arg_type type;
	size_t off;
	double max;
	int64_t unit; /* ARG_NS: ns per unit of the word */
} args[] = {
	{ "--count", ARG_COUNT, offsetof(struct storm_opts, count), STORM_MAX_COUNT, 0 },
	{ "--method", ARG_METHOD, offsetof(struct storm_opts, method), 0, 0 },
	{ "--branch", ARG_COUNT, offsetof(struct storm_opts, branch), 1000, 0 },
	{ "--depth", ARG_COUNT, offsetof(struct storm_opts, depth), 64, 0 },
	{ "--threads", ARG_COUNT, offsetof(struct storm_opts, threads), 1000, 0 },
	{ "--rate", ARG_RATE, offsetof(struct storm_opts, rate), 1e7, 0 },
	{ "--hold-ms", ARG_NS, offsetof(struct storm_opts, hold_ns), 1ul << 31, 1000000 },
	{ "--wait-reaped-ms", ARG_NS, offsetof(struct storm_opts, wait_ns), 1ul << 31, 1000000 },
	{ "--resolution-us", ARG_NS, offsetof(struct storm_opts, resolution_ns), 1000000, 1000 },
	{ "--no-monitor", ARG_FLAG, offsetof(struct storm_opts, no_monitor), 0, 0 },
	{ "--spawners", ARG_COUNT, offsetof(struct storm_opts, spawners), RB_SPAWNERS_MAX, 0 },
};
#define NARGS (sizeof(args) / sizeof(args[0]))

void storm_opts_defaults(struct storm_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count = 1000;
	o->method = RB_SPAWN_CLONE_VM; /* the fastest: no page-table copy */
	o->branch = STORM_DEFAULT_BRANCH;
	o->depth = STORM_DEFAULT_DEPTH;
	o->threads = STORM_DEFAULT_THREADS;
	o->rate = STORM_DEFAULT_RATE;
	o->wait_ns = STORM_DEFAULT_WAIT_NS;
	o->resolution_ns = STORM_DEFAULT_RESOLUTION_NS;
	o->spawners = 1;
}

char **storm_argv(struct storm_argv *a, const char *pattern, const struct storm_opts *o)
{
	int n = 0;

	a->w[n++] = (char *)"storm";
	a->w[n++] = (char *)pattern;
	storm_args_words(o, a->w, &n, a->store);
	a->w[n] = NULL;
	return a->w;
}

void storm_args_words(const struct storm_opts *o, char **w, int *n, char store[][32])
{
	int k = 0;

	for (size_t a = 0; a < NARGS; a++) {
		const void *f = (const char *)o + args[a].off;
		char *v = store[k];

		switch (args[a].type) {
		case ARG_FLAG:
			if (*(const bool *)f)
				w[(*n)++] = (char *)args[a].flag;
			continue;
		case ARG_COUNT:
			if (strcmp(args[a].flag, "--spawners") == 0 && *(const unsigned long *)f <= 1)
				continue;
			snprintf(v, 32, "%lu", *(const unsigned long *)f);
			break;
		case ARG_NS:
			snprintf(v, 32, "%lld", (long long)(*(const int64_t *)f / args[a].unit));
			break;
		case ARG_RATE:
			snprintf(v, 32, "%g", *(const double *)f);
			break;
		case ARG_METHOD:
			snprintf(v, 32, "%s", rb_spawn_method_name(*(const enum rb_spawn_method *)f));
			break;
		}
		w[(*n)++] = (char *)args[a].flag;
		w[(*n)++] = v;
		k++;
	}
}

/* A whole number 0..MAX, digits only. */
static int parse_count(const char *s, double max, unsigned long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || (double)*out > max ? -1 : 0;
}

static int store_value(const struct storm_arg *a, const char *v, void *f, char *why, size_t len)
{
	unsigned long n;
	double r;
	char *end;
	int m;

	switch (a->type) {
	case ARG_COUNT:
	case ARG_NS:
		if (parse_count(v, a->max, &n) < 0) {
			snprintf(why, len, "%s: expected a whole number 0..%.0f, got '%s'", a->flag,
				 a->max, v);
			return -1;
		}
		if (a->type == ARG_COUNT)
			*(unsigned long *)f = n;
		else
			*(int64_t *)f = (int64_t)n * a->unit;
		return 1;
	case ARG_RATE:
		r = strtod(v, &end);
		if (strspn(v, "0123456789.") != strlen(v) || !*v || *end || !(r > 0) || r > a->max) {
			snprintf(why, len, "%s: expected a positive rate up to %g per second, got '%s'",
				 a->flag, a->max, v);
			return -1;
		}
		*(double *)f = r;
		return 1;
	case ARG_METHOD:
		m = rb_spawn_method_parse(v);
		if (m < 0) {
			snprintf(why, len, "--method: expected clone-vm, vfork or fork, got '%s'", v);
			return -1;
		}
		*(enum rb_spawn_method *)f = (enum rb_spawn_method)m;
		return 1;
	case ARG_FLAG:
		break;
	}
	return -1;
}

int storm_args_parse(int argc, char **argv, int *i, struct storm_opts *o, char *why, size_t len)
{
	const char *word = argv[*i], *eq = strchr(word, '=');
	size_t nlen = eq ? (size_t)(eq - word) : strlen(word);

	for (size_t a = 0; a < NARGS; a++) {
		void *f = (char *)o + args[a].off;

		if (strlen(args[a].flag) != nlen || strncmp(args[a].flag, word, nlen) != 0)
			continue;
		if (args[a].type == ARG_FLAG) {
			if (eq) {
				snprintf(why, len, "%s takes no value", args[a].flag);
				return -1;
			}
			*(bool *)f = true;
			return 1;
		}
		if (eq)
			return store_value(&args[a], eq + 1, f, why, len);
		if (*i + 1 >= argc) {
			snprintf(why, len, "%s needs a value", args[a].flag);
			return -1;
		}
		return store_value(&args[a], argv[++*i], f, why, len);
	}
	return 0;
}
