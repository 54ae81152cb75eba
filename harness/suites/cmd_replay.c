/* reapbench replay FILE... -r REAPER: run scenario programs (a fuzzer's
 * crash file, or the text form *.scn) and show the program, its timeline
 * and what each oracle says. Exit 0: every oracle held in every run; 1: an
 * oracle failed; 2: bad input. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "options.h"
#include "runner.h"
#include "scenario_report.h"

static int encode_to(const char *in, const char *out, struct rb_error *err)
{
	uint8_t bytes[RB_SCN_MAX_BYTES];
	size_t len;
	FILE *f;

	if (rb_scn_load_file(in, bytes, &len, err) < 0)
		return -1;
	f = fopen(out, "we");
	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
		return rb_sys_error(err, 5, "writing %s", out);
	return 0;
}

/* Runs FILE REPEAT times; prints the first failing run (or the first). */
static int replay_one(struct rb_scn_session *sess, const struct rb_reaper *r,
		      const struct rb_scn_opts *o, const char *file, long repeat, bool quiet,
		      struct rb_error *err)
{
	uint8_t bytes[RB_SCN_MAX_BYTES];
	struct rb_scn_result res, shown;
	struct rb_scn_verdict v, shown_v;
	bool have = false;
	size_t len;
	int failed = 0, count[RB_NORACLES] = { 0 };

	if (rb_scn_load_file(file, bytes, &len, err) < 0)
		return -1;
	for (long k = 0; k < repeat; k++) {
		if (rb_scn_run(sess, bytes, len, &res, err) < 0)
			return -1;
		rb_scn_judge(r, o, &res, &v);
		for (int f = 0; f < v.nfindings; f++)
			count[v.f[f].oracle]++;
		failed += v.nfindings > 0;
		if (!have || (v.nfindings && !shown_v.nfindings)) {
			if (have)
				rb_scn_result_free(&shown);
			shown = res;
			shown_v = v;
			have = true;
		} else {
			rb_scn_result_free(&res);
		}
	}
	printf("%s under %s (%s sandbox)\n", file, r->name, o->persistent ? "persistent" : "fresh");
	if (!quiet) {
		printf("program\n");
		rb_scn_print_program(stdout, &shown.prog);
		printf("timeline%s\n", repeat > 1 && shown_v.nfindings ? " (the first failing run)" : "");
		rb_scn_print_timeline(stdout, &shown);
	}
	printf("oracles\n");
	rb_scn_print_verdict(stdout, &shown_v);
	if (repeat > 1) {
		printf("runs      failed %d of %ld", failed, repeat);
		for (int f = 0; f < RB_NORACLES; f++)
			if (count[f])
				printf("; %s %d", rb_scn_oracle_name(f), count[f]);
		printf("\n");
	}
	rb_scn_result_free(&shown);
	return failed ? 1 : 0;
}

struct cfg {
	const char *reaper, *encode;
	bool quiet;
	long repeat;
};

#define AT(field) RB_IN_CFG, offsetof(struct cfg, field)
static const struct rb_opt replay_opts[] = {
	{ "reaper", 'r', RB_OT_STR, "R", AT(reaper),
	  .help = "the reaper: a name (reapbench list) or a descriptor file" },
	{ "repeat", 0, RB_OT_LONG, "N", AT(repeat), 1, 100000,
	  .help = "run each program N times and say how often it failed\n"
		  "(the timeline shown is of the first failing run)" },
	{ "quiet", 0, RB_OT_FLAG, NULL, AT(quiet), .help = "verdicts only, no program or timeline" },
	{ "encode", 0, RB_OT_STR, "OUT", AT(encode),
	  .help = "write FILE's bytes (as the fuzzer reads them) to OUT, run\n"
		  "nothing (make a seed from a .scn)" },
	{ 0 },
};

static const struct rb_cli replay_cli = {
	.name = "replay",
	.synopsis = "-r REAPER [OPTIONS] FILE...",
	.about = "Runs each scenario program FILE (a crash file of the scenario fuzzer, or the\n"
		 "text form FILE.scn) with REAPER as PID 1, and prints the program, its timeline\n"
		 "and the oracles' verdicts; a fresh sandbox per program unless --persistent.\n\n"
		 "Exit 0: every oracle held; 1: an oracle failed; 2: bad input.",
	.opts = replay_opts,
	.groups = RB_CLI_SCENARIO | RB_CLI_SANDBOX,
	.max_args = 1 << 20,
};

int rb_cmd_replay(int argc, char **argv, const struct rb_sysinfo *si, struct rb_error *err)
{
	struct cfg c = { .repeat = 1 };
	struct rb_scn_session *sess;
	struct rb_scn_opts o;
	struct rb_reaper r;
	int rc, worst = 0, optind;

	rb_scn_opts_default(&o);
	o.persistent = false; /* a crash file is one program: replay it as it began */
	rc = rb_cli_parse(&replay_cli, argc, argv,
			  &(struct rb_cli_targets){ .cfg = &c, .sandbox = &o.sb, .scn = &o }, &optind,
			  err);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (optind >= argc)
		return rb_input_error(err, "replay: no program file given (see replay --help)");
	if (c.encode) {
		if (argc - optind != 1)
			return rb_input_error(err, "replay: --encode takes one program file");
		return encode_to(argv[optind], c.encode, err) < 0 ? -1 : 0;
	}
	if (!c.reaper)
		return rb_input_error(err, "replay: --reaper is required (see reapbench list)");
	if (rb_reaper_find(si, c.reaper, &r, err) < 0)
		return -1;
	rb_reaper_resolve(si, &r);
	if (rb_scn_session_new(si, &r, &o, &sess, err) < 0)
		return -1;
	for (int i = optind; i < argc; i++) {
		rc = replay_one(sess, &r, &o, argv[i], c.repeat, c.quiet, err);
		if (rc < 0) {
			rb_scn_session_free(sess);
			return -1;
		}
		worst = rc > worst ? rc : worst;
	}
	rb_scn_session_free(sess);
	return worst;
}
