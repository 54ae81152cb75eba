#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "options.h"
#include "output.h"

#define MAX_OPTS 64
#define HELP_COLUMN 22
#define LINE_WIDTH 100

static int parse_reaper(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	struct rb_selection *s = field;

	if (s->n == RB_MAX_SELECTED)
		return rb_input_error(err, "%s: at most %d reapers", opt, RB_MAX_SELECTED);
	s->names[s->n++] = arg;
	return 0;
}

static const struct rb_opt selection_opts[] = {
	{ "reaper", 'r', RB_OT_FN, "R", RB_IN_SELECTION, 0, .parse = parse_reaper,
	  .help = "a reaper (repeatable; a name from reapbench list or a descriptor file)",
	  .dflt = "every reaper but the negative controls" },
	{ "all", 0, RB_OT_FLAG, NULL, RB_IN_SELECTION, offsetof(struct rb_selection, all),
	  .help = "every reaper, the negative controls too" },
	{ 0 },
};

static const char *const userns_modes[] = { "auto", "yes", "no", NULL };

static const struct rb_opt sandbox_opts[] = {
	{ "pid-max", 0, RB_OT_LONG, "N", RB_IN_SANDBOX, offsetof(struct rb_sandbox_opts, pid_max),
	  RB_MIN_PID_MAX, RB_MAX_PID_MAX, .help = "the sandbox's own pid_max (Linux 6.14+)" },
	{ "pids-max", 0, RB_OT_LONG, "N", RB_IN_SANDBOX, offsetof(struct rb_sandbox_opts, pids_max),
	  1, RB_MAX_PID_MAX, .help = "its cgroup's pids.max", .dflt = "the pid_max" },
	{ "deadline", 0, RB_OT_NS, "DUR", RB_IN_SANDBOX,
	  offsetof(struct rb_sandbox_opts, deadline_ns), 10e6, 24 * 3600e9,
	  .help = "kill the sandbox after DUR" },
	{ "userns", 0, RB_OT_CHOICE, "MODE", RB_IN_SANDBOX, offsetof(struct rb_sandbox_opts, userns),
	  .choices = userns_modes, .help = "auto | yes | no: a user namespace (auto: when not root)" },
	{ "runtime", 0, RB_OT_CHOICE, "RT", RB_IN_SANDBOX, offsetof(struct rb_sandbox_opts, runtime),
	  .choices = rb_runtime_names,
	  .help = "own | runc: who makes PID 1's container (runc: an OCI bundle, as root)" },
	{ "seccomp", 0, RB_OT_CHOICE, "PROFILE", RB_IN_SANDBOX,
	  offsetof(struct rb_sandbox_opts, seccomp), .choices = rb_seccomp_names,
	  .help = "none | docker-default: the container's seccomp profile (Docker's\n"
		  "default, shipped in harness/core/seccomp/; --runtime runc only)" },
	{ 0 },
};

static const struct rb_opt output_opts[] = {
	{ "out", 0, RB_OT_FN, "DIR", RB_IN_OUTPUT, offsetof(struct rb_output, dir),
	  .parse = rb_cli_store_path, .help = "the results directory (record, logs, plots)",
	  .dflt = "results/<date>-<host>" },
	{ "json", 0, RB_OT_STR, "PATH", RB_IN_OUTPUT, offsetof(struct rb_output, json),
	  .help = "the record", .dflt = "DIR/<command>.json" },
	{ "no-record", 0, RB_OT_FLAG, NULL, RB_IN_OUTPUT, offsetof(struct rb_output, no_record),
	  .help = "keep nothing: no record, its logs and plots in a temporary directory\n"
		  "removed at the end" },
	RB_OPT_FORMAT(rb_output_formats),
	{ 0 },
};

#define MS 1e6
static const struct rb_opt scenario_opts[] = {
	{ "linger", 0, RB_OT_NS, "DUR", RB_IN_SCENARIO, offsetof(struct rb_scn_opts, linger_ns), 0,
	  60000 * MS, .help = "a zombie may wait this long for PID 1" },
	{ "forward-bound", 0, RB_OT_NS, "DUR", RB_IN_SCENARIO,
	  offsetof(struct rb_scn_opts, forward_ns), MS, 60000 * MS,
	  .help = "a forwarded signal may take this long" },
	{ "exit-bound", 0, RB_OT_NS, "DUR", RB_IN_SCENARIO, offsetof(struct rb_scn_opts, exit_ns), MS,
	  60000 * MS, .help = "PID 1 must end this soon after the app" },
	{ "fresh", 0, RB_OT_CLEAR, NULL, RB_IN_SCENARIO, offsetof(struct rb_scn_opts, persistent),
	  .help = "a new sandbox for every program" },
	{ "persistent", 0, RB_OT_FLAG, NULL, RB_IN_SCENARIO, offsetof(struct rb_scn_opts, persistent),
	  .help = "one sandbox for many programs while they leave it clean" },
	{ "show-output", 0, RB_OT_FLAG, NULL, RB_IN_SCENARIO,
	  offsetof(struct rb_scn_opts, show_output),
	  .help = "the sandbox's stdout and stderr on ours (else /dev/null)" },
	{ 0 },
};

static bool own_option(const struct rb_cli *cli, const char *name)
{
	for (const struct rb_opt *o = cli->opts; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return true;
	return false;
}

/* Every option CLI takes, in --help's order: the selection, its own, the
 * output's, the scenario's, the sandbox's; a group's option that the
 * command declares itself is the command's. */
static int gather(const struct rb_cli *cli, const struct rb_opt *all[MAX_OPTS])
{
	const struct rb_opt *tables[] = {
		cli->groups & RB_CLI_SELECTION ? selection_opts : NULL,
		cli->opts,
		cli->groups & RB_CLI_OUTPUT ? output_opts : NULL,
		cli->groups & RB_CLI_SCENARIO ? scenario_opts : NULL,
		cli->groups & RB_CLI_SANDBOX ? sandbox_opts : NULL,
	};
	int n = 0;

	for (size_t k = 0; k < sizeof(tables) / sizeof(tables[0]); k++)
		for (const struct rb_opt *o = tables[k]; o && o->name && n < MAX_OPTS; o++)
			if (tables[k] == cli->opts || !own_option(cli, o->name))
				all[n++] = o;
	return n;
}

static void *field_of(const struct rb_opt *o, const struct rb_cli_targets *t)
{
	char *base = o->in == RB_IN_CFG ? t->cfg
		     : o->in == RB_IN_SANDBOX ? (char *)t->sandbox
		     : o->in == RB_IN_SCENARIO ? (char *)t->scn
		     : o->in == RB_IN_OUTPUT ? (char *)t->output : (char *)t->sel;

	return base ? base + o->off : NULL;
}

int rb_cli_store_path(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	if (!*arg || strlen(arg) >= RB_CLI_PATH_MAX)
		return rb_input_error(err, "%s: %s path", opt, *arg ? "too long a" : "an empty");
	memcpy(field, arg, strlen(arg) + 1);
	return 0;
}

int rb_cli_store_pct(const char *opt, const char *arg, void *field, struct rb_error *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || !(v >= 0) || v > 1000 ||
	    strspn(arg, "0123456789.") != strlen(arg))
		return rb_input_error(err, "%s: '%s' is not a percentage in [0, 1000]", opt, arg);
	*(double *)field = v;
	return 0;
}

void rb_fmt_duration_ns(char *buf, size_t len, int64_t ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = { { "m", 60000000000LL }, { "s", 1000000000LL }, { "ms", 1000000 }, { "us", 1000 } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns && ns % units[i].ns == 0) {
			snprintf(buf, len, "%" PRId64 "%s", ns / units[i].ns, units[i].unit);
			return;
		}
	snprintf(buf, len, ns ? "%" PRId64 "ns" : "0", ns);
}

/* The default as --help shows it, "" for none. */
static void fmt_default(const struct rb_cli *cli, const struct rb_opt *o,
			const struct rb_cli_targets *t, char *buf, size_t len)
{
	const void *f = field_of(o, t);

	buf[0] = '\0';
	for (const struct rb_opt_default *d = cli->defaults; d && d->name; d++)
		if (strcmp(d->name, o->name) == 0) {
			snprintf(buf, len, "%s", d->text);
			return;
		}
	if (o->dflt) {
		snprintf(buf, len, "%s", o->dflt);
		return;
	}
	if (!f)
		return;
	switch (o->type) {
	case RB_OT_LONG:
		snprintf(buf, len, "%ld", *(const long *)f);
		break;
	case RB_OT_ULONG:
		snprintf(buf, len, "%lu", *(const unsigned long *)f);
		break;
	case RB_OT_INT:
		snprintf(buf, len, "%d", *(const int *)f);
		break;
	case RB_OT_NS:
		rb_fmt_duration_ns(buf, len, *(const int64_t *)f);
		break;
	case RB_OT_RATE:
		snprintf(buf, len, "%g", *(const double *)f);
		break;
	case RB_OT_STR:
		if (*(const char *const *)f)
			snprintf(buf, len, "%s", *(const char *const *)f);
		break;
	case RB_OT_CHOICE:
		snprintf(buf, len, "%s", o->choices[*(const int *)f]);
		break;
	case RB_OT_FLAG:
	case RB_OT_CLEAR:
	case RB_OT_FN:
		break;
	}
}

/* O's value in T as the record holds it; NULL: none. */
static json_t *record_value(const struct rb_opt *o, const struct rb_cli_targets *t)
{
	const void *f = field_of(o, t);

	if (!f)
		return NULL;
	switch (o->type) {
	case RB_OT_LONG:
		return json_integer(*(const long *)f);
	case RB_OT_ULONG:
		return json_integer((json_int_t)*(const unsigned long *)f);
	case RB_OT_INT:
		return json_integer(*(const int *)f);
	case RB_OT_NS:
		return json_real((double)*(const int64_t *)f / 1e9);
	case RB_OT_RATE:
		return json_real(*(const double *)f);
	case RB_OT_STR:
		return *(const char *const *)f ? json_string(*(const char *const *)f) : json_null();
	case RB_OT_CHOICE:
		return json_string(o->choices[*(const int *)f]);
	case RB_OT_FLAG:
	case RB_OT_CLEAR:
		return json_boolean(*(const bool *)f);
	case RB_OT_FN:
		return o->to_json ? o->to_json(f) : NULL;
	}
	return NULL;
}

void rb_cli_record(const struct rb_cli *cli, const struct rb_cli_targets *t, json_t *options)
{
	for (const struct rb_opt *o = cli->opts; o && o->name; o++) {
		json_t *v = o->record ? record_value(o, t) : NULL;

		if (v)
			json_object_set_new(options, o->record, v);
	}
}

static void usage_line(const struct rb_cli *cli, const struct rb_opt *o,
		       const struct rb_cli_targets *t, FILE *out)
{
	char left[64], def[128];
	const char *help = o->help ? o->help : "", *nl;
	int w;

	if (o->letter)
		w = snprintf(left, sizeof(left), "  -%c, --%s%s%s", o->letter, o->name,
			     o->metavar ? " " : "", o->metavar ? o->metavar : "");
	else
		w = snprintf(left, sizeof(left), "  --%s%s%s", o->name, o->metavar ? " " : "",
			     o->metavar ? o->metavar : "");
	fmt_default(cli, o, t, def, sizeof(def));
	fprintf(out, "%s", left);
	if (w >= HELP_COLUMN - 1) /* at least two spaces before the help */
		fprintf(out, "\n%*s", HELP_COLUMN, "");
	else
		fprintf(out, "%*s", HELP_COLUMN - w, "");
	while ((nl = strchr(help, '\n'))) {
		fprintf(out, "%.*s\n%*s", (int)(nl - help), help, HELP_COLUMN, "");
		help = nl + 1;
	}
	/* the default on a line of its own where it would make the line long */
	if (def[0] && (HELP_COLUMN + strlen(help) + strlen(def) + 11 > LINE_WIDTH || strchr(def, '\n')))
		fprintf(out, "%s\n%*s(default ", help, HELP_COLUMN, "");
	else
		fprintf(out, "%s%s", help, def[0] ? " (default " : "");
	for (const char *d = def; *d; d++) { /* a default over lines stays in the column */
		if (*d == '\n')
			fprintf(out, "\n%*s", HELP_COLUMN + 9, "");
		else
			fputc(*d, out);
	}
	fprintf(out, "%s\n", def[0] ? ")" : "");
	if (o->help_more)
		o->help_more(out);
}

void rb_cli_usage(const struct rb_cli *cli, const struct rb_cli_targets *t, FILE *out)
{
	const struct rb_opt *all[MAX_OPTS];
	int n = gather(cli, all);
	bool durations = false;

	fprintf(out, "usage: reapbench %s %s\n\n", cli->name, cli->synopsis ? cli->synopsis : "[OPTIONS]");
	if (cli->about)
		fprintf(out, "%s\n\n", cli->about);
	for (int i = 0; i < n; i++) {
		usage_line(cli, all[i], t, out);
		durations = durations || all[i]->type == RB_OT_NS;
	}
	fprintf(out, "  -h, --help%*sthis help\n", HELP_COLUMN - 12, "");
	if (durations)
		fprintf(out, "\nDUR: 250us, 500ms, 1.5s, 2m; a bare number is seconds (10 is 10s).\n");
}

static int store(const struct rb_opt *o, const char *arg, const struct rb_cli_targets *t,
		 struct rb_error *err)
{
	void *f = field_of(o, t);
	char opt[64];
	long v;
	int n = 0;

	snprintf(opt, sizeof(opt), "--%s", o->name);
	if (!f)
		return rb_sys_error(err, EINVAL, "%s: no place for its value", opt);
	switch (o->type) {
	case RB_OT_FLAG:
	case RB_OT_CLEAR:
		*(bool *)f = o->type == RB_OT_FLAG;
		return 0;
	case RB_OT_LONG:
	case RB_OT_ULONG:
	case RB_OT_INT:
		if (rb_parse_long(opt, arg, (long)o->min, (long)o->max, &v, err) < 0)
			return -1;
		if (o->type == RB_OT_LONG)
			*(long *)f = v;
		else if (o->type == RB_OT_ULONG)
			*(unsigned long *)f = (unsigned long)v;
		else
			*(int *)f = (int)v;
		return 0;
	case RB_OT_NS:
		return rb_parse_duration(opt, arg, (int64_t)o->min, (int64_t)o->max, f, err);
	case RB_OT_RATE:
		return rb_parse_rate(opt, arg, o->max, f, err);
	case RB_OT_STR:
		*(const char **)f = arg;
		return 0;
	case RB_OT_CHOICE:
		while (o->choices[n])
			n++;
		return rb_parse_choice(opt, arg, o->choices, n, f, err);
	case RB_OT_FN:
		return o->parse(opt, arg, f, err);
	}
	return rb_sys_error(err, EINVAL, "%s: unknown option type", opt);
}

int rb_cli_parse(const struct rb_cli *cli, int argc, char **argv, const struct rb_cli_targets *t,
		 int *first_arg, struct rb_error *err)
{
	const struct rb_opt *all[MAX_OPTS];
	struct option longopts[MAX_OPTS + 2];
	char shorts[2 * MAX_OPTS + 4] = "";
	int n = gather(cli, all), opt, nargs;
	size_t ns = 0;

	if (cli->stop_at_args)
		shorts[ns++] = '+';
	shorts[ns++] = 'h';
	for (int i = 0; i < n; i++) {
		bool has_arg = all[i]->type != RB_OT_FLAG && all[i]->type != RB_OT_CLEAR;

		longopts[i] = (struct option){ all[i]->name, has_arg ? required_argument : no_argument,
					       NULL, 256 + i };
		if (all[i]->letter) {
			shorts[ns++] = all[i]->letter;
			if (has_arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ 0 };

	optind = 0; /* a fresh scan (glibc), whoever parsed before */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		int k = opt >= 256 ? opt - 256 : -1;

		if (opt == 'h') {
			rb_cli_usage(cli, t, stdout);
			return 1;
		}
		for (int i = 0; k < 0 && i < n; i++)
			if (all[i]->letter && all[i]->letter == opt)
				k = i;
		if (k < 0 || k >= n)
			return rb_bad_option(cli->name, argv, err);
		if (store(all[k], optarg, t, err) < 0)
			return -1;
	}
	if (t->sandbox && t->sandbox->seccomp != RB_SECCOMP_NONE &&
	    t->sandbox->runtime != RB_RUNTIME_RUNC) /* the own sandbox applies no seccomp */
		return rb_input_error(err, "--seccomp %s needs --runtime runc",
				      rb_seccomp_names[t->sandbox->seccomp]);
	nargs = argc - optind;
	if (nargs > cli->max_args)
		return rb_input_error(err, "%s: unexpected argument '%s'", cli->name,
				      argv[optind + cli->max_args]);
	if (nargs < cli->min_args)
		return rb_input_error(err, "%s: %s (try reapbench %s --help)", cli->name,
				      nargs ? "too few arguments" : "missing argument", cli->name);
	*first_arg = optind;
	return 0;
}
