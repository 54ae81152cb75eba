/* libFuzzer target: the scenario program codec (harness/common/scenario.c). Any
 * bytes decode to a valid program, and its text form and its encoding both
 * lead back to the same program (nops, which nothing encodes, aside): a
 * mismatch aborts. Seeds: the text programs of fuzz/seeds/scenario, encoded
 * (make fuzz-build). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

static void must_equal(const struct rb_scn_program *a, const struct rb_scn_program *b,
		       const char *how)
{
	if (rb_scn_equal(a, b))
		return;
	fprintf(stderr, "fuzz_scenario_decode: %s differs\n", how);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_scn_program p, again;
	struct rb_error err;
	uint8_t bytes[RB_SCN_MAX_BYTES];
	size_t n;
	char *text;

	rb_scn_decode(data, size, &p);
	if (p.nops > RB_SCN_MAX_OPS || p.nprocs < 1 || p.nprocs > RB_SCN_MAX_PROCS)
		abort();
	for (int i = 0; i < p.nops; i++)
		if (p.ops[i].code >= RB_SCN_NOPCODES ||
		    (p.ops[i].proc >= p.nprocs && p.ops[i].proc != RB_SCN_HARNESS))
			abort();
	n = rb_scn_encode(&p, bytes, sizeof(bytes));
	rb_scn_decode(bytes, n, &again);
	must_equal(&p, &again, "the decoding of its encoding");
	text = rb_scn_program_text(&p);
	if (!text)
		return 0;
	if (rb_scn_parse(text, "decoded", &again, &err) < 0) {
		fprintf(stderr, "fuzz_scenario_decode: its text does not parse: %s\n%s", err.msg, text);
		abort();
	}
	free(text);
	must_equal(&p, &again, "the parse of its text");
	/* any text: an error or a program, never a crash */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		rb_scn_parse(text, "input", &again, &err);
		free(text);
	}
	return 0;
}
