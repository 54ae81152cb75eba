/* Scenario programs: the decoder, the encoder and the text form. See
 * scenario.h. */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signames.h"

/* The opcode byte selects from 32 slots: spawns and sends to PID 1 are the
 * operations most programs need, so they hold more slots. */
static const uint8_t opcode_slots[32] = {
	RB_SCN_SPAWN,         RB_SCN_SPAWN,       RB_SCN_SPAWN,       RB_SCN_SPAWN,
	RB_SCN_SPAWN,         RB_SCN_SPAWN,       RB_SCN_EXIT,        RB_SCN_EXIT,
	RB_SCN_EXIT,          RB_SCN_KILL_SELF,   RB_SCN_EXIT_CHILDREN, RB_SCN_EXIT_CHILDREN,
	RB_SCN_DAEMON,        RB_SCN_SETSID,      RB_SCN_SETPGID,     RB_SCN_THREADS,
	RB_SCN_EXEC_FAIL,     RB_SCN_MASK,        RB_SCN_MASK,        RB_SCN_DISPOSITION,
	RB_SCN_DISPOSITION,   RB_SCN_STOP,        RB_SCN_CONT,        RB_SCN_WAIT,
	RB_SCN_SLEEP,         RB_SCN_SEND_PARENT, RB_SCN_SEND_PARENT, RB_SCN_SEND_PARENT,
	RB_SCN_SEND_PARENT,   RB_SCN_SEND_INSIDE, RB_SCN_SEND_GROUP,  RB_SCN_SEND_GROUP,
};

/* Signals a process can catch, block or be sent from outside: 1-31 but
 * KILL and STOP, and realtime ones (glibc keeps 32 and 33 for itself). */
static const uint8_t catchable[] = {
	1,  2,  3,  4,  5,  6,  7,  8,  10, 11, 12, 13, 14, 15, 16, 17, 18,
	20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 34, 35, 42, 64,
};
/* From inside the namespace KILL and STOP to PID 1 are dropped by the
 * kernel (SIGNAL_UNKILLABLE): worth sending. */
static const uint8_t inside[] = {
	1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18,
	19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 34, 35, 42, 64,
};
/* Signals whose default action ends the process (kill-self). */
static const uint8_t fatal[] = {
	1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
	14, 15, 16, 24, 25, 26, 27, 29, 30, 31, 34, 64,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const int64_t rb_scn_durations_ns[8] = {
	0, 20000, 100000, 500000, 1000000, 2000000, 5000000, 20000000,
};
static const char *const duration_names[8] = {
	"0", "20us", "100us", "500us", "1ms", "2ms", "5ms", "20ms",
};

static const char *const opcode_names[RB_SCN_NOPCODES] = {
	[RB_SCN_NOP] = "nop",
	[RB_SCN_SPAWN] = "spawn",
	[RB_SCN_EXIT] = "exit",
	[RB_SCN_KILL_SELF] = "kill-self",
	[RB_SCN_EXIT_CHILDREN] = "exit-children",
	[RB_SCN_DAEMON] = "daemon",
	[RB_SCN_SETSID] = "setsid",
	[RB_SCN_SETPGID] = "setpgid",
	[RB_SCN_THREADS] = "threads",
	[RB_SCN_EXEC_FAIL] = "exec-fail",
	[RB_SCN_MASK] = "mask",
	[RB_SCN_DISPOSITION] = "disposition",
	[RB_SCN_STOP] = "stop",
	[RB_SCN_CONT] = "cont",
	[RB_SCN_WAIT] = "wait",
	[RB_SCN_SLEEP] = "sleep",
	[RB_SCN_SEND_PARENT] = "send-parent",
	[RB_SCN_SEND_INSIDE] = "send-inside",
	[RB_SCN_SEND_GROUP] = "send-group",
};
static const char *const method_names[RB_SCN_NMETHODS] = { "clone-vm", "vfork-exec", "fork" };
static const char *const disp_names[RB_SCN_NDISPS] = { "handle", "ignore", "default" };
static const char *const exec_names[2] = { "missing", "noexec" };
static const char *const start_names[] = { "app", "missing", "noexec" };

const char *rb_scn_opcode_name(int code)
{
	return code >= 0 && code < RB_SCN_NOPCODES ? opcode_names[code] : "?";
}

const char *rb_scn_method_name(int method)
{
	return method >= 0 && method < RB_SCN_NMETHODS ? method_names[method] : "?";
}

const char *rb_scn_start_name(enum rb_scn_start s)
{
	return (unsigned)s < COUNT(start_names) ? start_names[s] : "?";
}

static int table_index(const uint8_t *table, size_t n, int sig)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] == sig)
			return (int)i;
	return -1;
}

int rb_scn_signal_ok(int code, int sig)
{
	switch (code) {
	case RB_SCN_KILL_SELF:
		return table_index(fatal, COUNT(fatal), sig) >= 0;
	case RB_SCN_SEND_INSIDE:
		return table_index(inside, COUNT(inside), sig) >= 0;
	default:
		return table_index(catchable, COUNT(catchable), sig) >= 0;
	}
}

/* ---- decoding ------------------------------------------------------------ */

static bool ends_app(const struct rb_scn_op *op)
{
	return op->proc == RB_SCN_APP &&
	       (op->code == RB_SCN_EXIT || op->code == RB_SCN_KILL_SELF || op->code == RB_SCN_EXEC_FAIL);
}

/* A duration index within what is left of the budget (else 0). */
static uint8_t take_time(uint8_t idx, int64_t *budget)
{
	idx &= 7;
	if (rb_scn_durations_ns[idx] > *budget)
		return 0;
	*budget -= rb_scn_durations_ns[idx];
	return idx;
}

/* A process other than the app, from X; false when there is none. */
static bool member(const struct rb_scn_program *p, uint8_t x, uint8_t *proc)
{
	if (p->nprocs < 2)
		return false;
	*proc = (uint8_t)(1 + x % (p->nprocs - 1));
	return true;
}

/* The app when X's top three bits are set (an eighth of the values: each
 * program that ends the app costs a new sandbox), else a member. */
static bool app_or_member(const struct rb_scn_program *p, uint8_t x, uint8_t *proc)
{
	if ((x & 0xe0) == 0xe0) {
		*proc = RB_SCN_APP;
		return true;
	}
	return member(p, x, proc);
}

static bool new_procs(struct rb_scn_program *p, struct rb_scn_op *op, int n)
{
	if (p->nprocs + n > RB_SCN_MAX_PROCS)
		return false;
	op->newproc = (uint8_t)p->nprocs;
	p->parent[p->nprocs] = (int8_t)op->proc;
	if (n == 2)
		p->parent[p->nprocs + 1] = (int8_t)p->nprocs;
	p->nprocs += n;
	return true;
}

/* Fill OP from its three bytes; false: nothing to act on (a nop). */
static bool decode_op(struct rb_scn_program *p, struct rb_scn_op *op, uint8_t c, uint8_t x,
		      uint8_t y, int64_t *budget)
{
	uint8_t any = (uint8_t)(x % p->nprocs);

	op->code = opcode_slots[c & 31];
	op->proc = any;
	switch (op->code) {
	case RB_SCN_SPAWN:
		op->arg = y % RB_SCN_NMETHODS;
		return new_procs(p, op, 1);
	case RB_SCN_DAEMON:
		return new_procs(p, op, 2);
	case RB_SCN_EXIT:
		op->arg = y;
		return app_or_member(p, x, &op->proc);
	case RB_SCN_KILL_SELF:
		op->arg = fatal[y % COUNT(fatal)];
		return app_or_member(p, x, &op->proc);
	case RB_SCN_EXEC_FAIL:
		op->arg = y & 1;
		return app_or_member(p, x, &op->proc);
	case RB_SCN_EXIT_CHILDREN:
		op->arg = y;
		return true;
	case RB_SCN_SETSID:
		return member(p, x, &op->proc);
	case RB_SCN_SETPGID:
		op->arg = (uint8_t)(y % p->nprocs);
		return member(p, x, &op->proc);
	case RB_SCN_THREADS:
		op->arg = (uint8_t)(1 + y % 3);
		op->arg2 = take_time((uint8_t)(y / 3), budget);
		return member(p, x, &op->proc);
	case RB_SCN_MASK:
		op->arg = catchable[(y & 0x7f) % COUNT(catchable)];
		op->arg2 = !(y & 0x80);
		return true;
	case RB_SCN_DISPOSITION:
		op->arg = catchable[(y & 0x3f) % COUNT(catchable)];
		op->arg2 = (uint8_t)((y >> 6) % RB_SCN_NDISPS);
		return true;
	case RB_SCN_STOP:
		op->arg2 = any == RB_SCN_APP ? take_time(y, budget) : 0;
		return true;
	case RB_SCN_CONT:
	case RB_SCN_WAIT:
		return true;
	case RB_SCN_SLEEP:
		op->proc = 0;
		op->arg2 = take_time(y, budget);
		return true;
	case RB_SCN_SEND_PARENT:
		op->proc = 0;
		op->arg = catchable[y % COUNT(catchable)];
		return true;
	case RB_SCN_SEND_INSIDE:
		op->arg = inside[y % COUNT(inside)];
		return true;
	case RB_SCN_SEND_GROUP:
		op->proc = x & 0x80 ? RB_SCN_HARNESS : (uint8_t)((x & 0x7f) % p->nprocs);
		op->arg = catchable[y % COUNT(catchable)];
		return true;
	}
	return false;
}

void rb_scn_decode(const uint8_t *data, size_t len, struct rb_scn_program *p)
{
	int64_t budget = RB_SCN_TIME_BUDGET_NS;
	uint8_t h = len ? data[0] : 0;

	memset(p, 0, sizeof(*p));
	p->nprocs = 1;
	p->parent[RB_SCN_APP] = -1;
	/* one header value in 32 each for the two exec failures */
	p->start = (h & 0x1f) == 0x1e ? RB_SCN_START_MISSING
		   : (h & 0x1f) == 0x1f ? RB_SCN_START_NOEXEC
					: RB_SCN_START_APP;
	if (p->start != RB_SCN_START_APP)
		return;
	for (size_t at = 1; at + RB_SCN_OP_BYTES <= len && p->nops < RB_SCN_MAX_OPS;
	     at += RB_SCN_OP_BYTES) {
		struct rb_scn_op *op = &p->ops[p->nops++];

		memset(op, 0, sizeof(*op));
		if (!decode_op(p, op, data[at], data[at + 1], data[at + 2], &budget))
			*op = (struct rb_scn_op){ .code = RB_SCN_NOP };
		if (ends_app(op))
			break;
	}
}

/* ---- encoding ------------------------------------------------------------ */

static uint8_t opcode_byte(int code)
{
	for (unsigned i = 0; i < COUNT(opcode_slots); i++)
		if (opcode_slots[i] == code)
			return (uint8_t)i;
	return 0;
}

static void encode_op(const struct rb_scn_op *op, uint8_t out[3])
{
	uint8_t x = op->proc, y = 0;

	switch (op->code) {
	case RB_SCN_SPAWN:
	case RB_SCN_EXIT:
	case RB_SCN_EXIT_CHILDREN:
	case RB_SCN_SETPGID:
	case RB_SCN_EXEC_FAIL:
		y = op->arg;
		break;
	case RB_SCN_KILL_SELF:
		y = (uint8_t)table_index(fatal, COUNT(fatal), op->arg);
		break;
	case RB_SCN_THREADS:
		y = (uint8_t)(op->arg - 1 + 3 * op->arg2);
		break;
	case RB_SCN_MASK:
		y = (uint8_t)(table_index(catchable, COUNT(catchable), op->arg) | (op->arg2 ? 0 : 0x80));
		break;
	case RB_SCN_DISPOSITION:
		y = (uint8_t)(table_index(catchable, COUNT(catchable), op->arg) | op->arg2 << 6);
		break;
	case RB_SCN_STOP:
	case RB_SCN_SLEEP:
		y = op->arg2;
		break;
	case RB_SCN_SEND_PARENT:
		y = (uint8_t)table_index(catchable, COUNT(catchable), op->arg);
		break;
	case RB_SCN_SEND_INSIDE:
		y = (uint8_t)table_index(inside, COUNT(inside), op->arg);
		break;
	case RB_SCN_SEND_GROUP:
		y = (uint8_t)table_index(catchable, COUNT(catchable), op->arg);
		x = op->proc == RB_SCN_HARNESS ? 0x80 : op->proc;
		break;
	}
	/* the decoder's process choice, inverted */
	switch (op->code) {
	case RB_SCN_EXIT:
	case RB_SCN_KILL_SELF:
	case RB_SCN_EXEC_FAIL:
		x = op->proc == RB_SCN_APP ? 0xe0 : (uint8_t)(op->proc - 1);
		break;
	case RB_SCN_SETSID:
	case RB_SCN_SETPGID:
	case RB_SCN_THREADS:
		x = (uint8_t)(op->proc - 1);
		break;
	}
	out[0] = opcode_byte(op->code);
	out[1] = x;
	out[2] = y;
}

size_t rb_scn_encode(const struct rb_scn_program *p, uint8_t *out, size_t cap)
{
	static const uint8_t headers[] = { 0x00, 0x1e, 0x1f };
	size_t n = 0;

	if (cap < 1)
		return 0;
	out[n++] = headers[p->start];
	for (int i = 0; i < p->nops && n + RB_SCN_OP_BYTES <= cap; i++) {
		if (p->ops[i].code == RB_SCN_NOP)
			continue; /* nothing encodes a nop: it is dropped */
		encode_op(&p->ops[i], out + n);
		n += RB_SCN_OP_BYTES;
	}
	return n;
}

/* ---- text ---------------------------------------------------------------- */

static const char *proc_name(uint8_t proc, char *buf, size_t len)
{
	if (proc == RB_SCN_APP)
		snprintf(buf, len, "app");
	else if (proc == RB_SCN_HARNESS)
		snprintf(buf, len, "harness");
	else
		snprintf(buf, len, "%u", proc);
	return buf;
}

void rb_scn_op_text(const struct rb_scn_op *op, char *buf, size_t len)
{
	const char *name = rb_scn_opcode_name(op->code);
	char p[16], q[16], sig[32];

	proc_name(op->proc, p, sizeof(p));
	rb_signal_name(op->arg, sig, sizeof(sig));
	switch (op->code) {
	case RB_SCN_SPAWN:
		snprintf(buf, len, "%s %s %s", name, p, rb_scn_method_name(op->arg));
		break;
	case RB_SCN_EXIT:
	case RB_SCN_EXIT_CHILDREN:
		snprintf(buf, len, "%s %s %u", name, p, op->arg);
		break;
	case RB_SCN_KILL_SELF:
	case RB_SCN_SEND_INSIDE:
	case RB_SCN_SEND_GROUP:
		snprintf(buf, len, "%s %s %s", name, p, sig);
		break;
	case RB_SCN_SETPGID:
		snprintf(buf, len, "%s %s %s", name, p, proc_name(op->arg, q, sizeof(q)));
		break;
	case RB_SCN_THREADS:
		snprintf(buf, len, "%s %s %u %s", name, p, op->arg, duration_names[op->arg2 & 7]);
		break;
	case RB_SCN_EXEC_FAIL:
		snprintf(buf, len, "%s %s %s", name, p, exec_names[op->arg & 1]);
		break;
	case RB_SCN_MASK:
		snprintf(buf, len, "%s %s %s", op->arg2 ? "block" : "unblock", p, sig);
		break;
	case RB_SCN_DISPOSITION:
		snprintf(buf, len, "%s %s %s", disp_names[op->arg2 % RB_SCN_NDISPS], p, sig);
		break;
	case RB_SCN_STOP:
		if (op->proc == RB_SCN_APP)
			snprintf(buf, len, "%s %s %s", name, p, duration_names[op->arg2 & 7]);
		else
			snprintf(buf, len, "%s %s", name, p);
		break;
	case RB_SCN_SLEEP:
		snprintf(buf, len, "%s %s", name, duration_names[op->arg2 & 7]);
		break;
	case RB_SCN_SEND_PARENT:
		snprintf(buf, len, "%s %s", name, sig);
		break;
	case RB_SCN_NOP:
		snprintf(buf, len, "# nop (an operation with nothing to act on)");
		break;
	default:
		snprintf(buf, len, "%s %s", name, p);
	}
}

char *rb_scn_program_text(const struct rb_scn_program *p)
{
	size_t cap = 64 + (size_t)p->nops * 96, at = 0;
	char *out = malloc(cap), line[80];

	if (!out)
		return NULL;
	at += (size_t)snprintf(out + at, cap - at, "start %s\n", rb_scn_start_name(p->start));
	for (int i = 0; i < p->nops; i++) {
		const struct rb_scn_op *op = &p->ops[i];

		rb_scn_op_text(op, line, sizeof(line));
		if (op->code == RB_SCN_SPAWN)
			at += (size_t)snprintf(out + at, cap - at, "%-28s # -> %u\n", line, op->newproc);
		else if (op->code == RB_SCN_DAEMON)
			at += (size_t)snprintf(out + at, cap - at, "%-28s # -> %u, %u\n", line,
					       op->newproc, op->newproc + 1);
		else
			at += (size_t)snprintf(out + at, cap - at, "%s\n", line);
	}
	return out;
}

/* ---- parsing the text form ---------------------------------------------- */

struct parser {
	const char *name;
	int line;
	struct rb_scn_program *p;
	int64_t budget;
	struct rb_error *err;
};

#define MAX_WORDS 6

static int parse_error(struct parser *ps, const char *fmt, const char *word)
{
	char msg[160];

	snprintf(msg, sizeof(msg), fmt, word);
	return rb_input_error(ps->err, "%s:%d: %s", ps->name, ps->line, msg);
}

static int lookup(const char *const *names, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], word) == 0)
			return i;
	return -1;
}

/* A process that exists by now; MEMBER: not the app. */
static int word_proc(struct parser *ps, const char *w, bool member, uint8_t *out)
{
	char *end;
	long v;

	if (strcmp(w, "app") == 0)
		v = RB_SCN_APP;
	else {
		v = strtol(w, &end, 10);
		if (!*w || *end || v < 0)
			return parse_error(ps, "'%s' is not a process (app or a number)", w);
	}
	if (v >= ps->p->nprocs)
		return parse_error(ps, "process %s does not exist yet", w);
	if (member && v == RB_SCN_APP)
		return parse_error(ps, "this operation is for processes other than the app ('%s')", w);
	*out = (uint8_t)v;
	return 0;
}

static int word_signal(struct parser *ps, const char *w, int code, uint8_t *out)
{
	int sig = rb_signal_parse(w);

	if (sig < 0)
		return parse_error(ps, "unknown signal '%s'", w);
	if (!rb_scn_signal_ok(code, sig))
		return parse_error(ps, "signal '%s' cannot be used here", w);
	*out = (uint8_t)sig;
	return 0;
}

static int word_duration(struct parser *ps, const char *w, uint8_t *out)
{
	int i = lookup(duration_names, 8, w);

	if (i < 0)
		return parse_error(ps, "'%s' is not a duration (0 20us 100us 500us 1ms 2ms 5ms 20ms)",
				   w);
	if (rb_scn_durations_ns[i] > ps->budget)
		return parse_error(ps, "'%s' is past the program's time budget (200 ms in all)", w);
	ps->budget -= rb_scn_durations_ns[i];
	*out = (uint8_t)i;
	return 0;
}

static int word_byte(struct parser *ps, const char *w, long min, long max, uint8_t *out)
{
	char *end;
	long v = strtol(w, &end, 10);

	if (!*w || *end || v < min || v > max)
		return parse_error(ps, "'%s' is out of range", w);
	*out = (uint8_t)v;
	return 0;
}

/* How many operand words CODE takes (stop: 1, or 2 for the app: N). */
static int operands_wanted(int code, int n)
{
	switch (code) {
	case RB_SCN_SLEEP:
	case RB_SCN_SEND_PARENT:
	case RB_SCN_DAEMON:
	case RB_SCN_SETSID:
	case RB_SCN_CONT:
	case RB_SCN_WAIT:
		return 1;
	case RB_SCN_THREADS:
		return 3;
	case RB_SCN_STOP:
		return n;
	default:
		return 2;
	}
}

/* The operand words of OP, by opcode. */
static int parse_operands(struct parser *ps, struct rb_scn_op *op, char **w, int n)
{
	if (n != operands_wanted(op->code, n) || n < 1)
		return parse_error(ps, "wrong number of operands for '%s'", rb_scn_opcode_name(op->code));
	switch (op->code) {
	case RB_SCN_SLEEP:
		return word_duration(ps, w[0], &op->arg2);
	case RB_SCN_SEND_PARENT:
		return word_signal(ps, w[0], op->code, &op->arg);
	case RB_SCN_SEND_GROUP:
		if (strcmp(w[0], "harness") == 0)
			op->proc = RB_SCN_HARNESS;
		else if (word_proc(ps, w[0], false, &op->proc) < 0)
			return -1;
		return word_signal(ps, w[1], op->code, &op->arg);
	default:
		break;
	}
	if (word_proc(ps, w[0], op->code == RB_SCN_SETSID || op->code == RB_SCN_SETPGID ||
					 op->code == RB_SCN_THREADS,
		      &op->proc) < 0)
		return -1;
	switch (op->code) {
	case RB_SCN_SPAWN: {
		int m = lookup(method_names, RB_SCN_NMETHODS, w[1]);

		if (m < 0)
			return parse_error(ps, "'%s' is not clone-vm, vfork-exec or fork", w[1]);
		op->arg = (uint8_t)m;
		return 0;
	}
	case RB_SCN_EXIT:
	case RB_SCN_EXIT_CHILDREN:
		return word_byte(ps, w[1], 0, 255, &op->arg);
	case RB_SCN_KILL_SELF:
	case RB_SCN_SEND_INSIDE:
	case RB_SCN_MASK:
	case RB_SCN_DISPOSITION:
		return word_signal(ps, w[1], op->code, &op->arg);
	case RB_SCN_SETPGID:
		return word_proc(ps, w[1], false, &op->arg);
	case RB_SCN_THREADS:
		if (word_byte(ps, w[1], 1, 3, &op->arg) < 0)
			return -1;
		return word_duration(ps, w[2], &op->arg2);
	case RB_SCN_EXEC_FAIL: {
		int k = lookup(exec_names, 2, w[1]);

		if (k < 0)
			return parse_error(ps, "'%s' is not missing or noexec", w[1]);
		op->arg = (uint8_t)k;
		return 0;
	}
	case RB_SCN_STOP:
		if (n == 2 && op->proc != RB_SCN_APP)
			return parse_error(ps, "only the app's stop has a duration ('%s')", w[1]);
		if (n == 1 && op->proc == RB_SCN_APP)
			return parse_error(ps, "the app's stop needs a duration (the harness "
					   "continues it)%s", "");
		return n == 2 ? word_duration(ps, w[1], &op->arg2) : 0;
	default:
		return 0;
	}
}

/* The opcode word: its own name, or block/unblock (mask) and
 * handle/ignore/default (disposition). */
static int parse_opcode(struct parser *ps, const char *w, struct rb_scn_op *op)
{
	int i = lookup(opcode_names, RB_SCN_NOPCODES, w);

	if (i > RB_SCN_NOP && i != RB_SCN_MASK && i != RB_SCN_DISPOSITION) {
		op->code = (uint8_t)i;
		return 0;
	}
	if ((i = lookup((const char *const[]){ "unblock", "block" }, 2, w)) >= 0) {
		op->code = RB_SCN_MASK;
		op->arg2 = (uint8_t)i;
		return 0;
	}
	if ((i = lookup(disp_names, RB_SCN_NDISPS, w)) >= 0) {
		op->code = RB_SCN_DISPOSITION;
		op->arg2 = (uint8_t)i;
		return 0;
	}
	return parse_error(ps, "unknown operation '%s'", w);
}

static int parse_line(struct parser *ps, char *line, bool *ended)
{
	char *w[MAX_WORDS + 1], *save = NULL;
	struct rb_scn_program *p = ps->p;
	struct rb_scn_op op = { 0 };
	int n = 0, made;

	*strchrnul(line, '#') = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save))
		if (n <= MAX_WORDS)
			w[n++] = t;
	if (n == 0)
		return 0;
	if (n > MAX_WORDS)
		return parse_error(ps, "too many words%s", "");
	if (strcmp(w[0], "start") == 0) {
		int s = n == 2 ? lookup(start_names, 3, w[1]) : -1;

		if (s < 0)
			return parse_error(ps, "expected 'start app', 'start missing' or 'start noexec'%s",
					   "");
		if (p->nops > 0)
			return parse_error(ps, "'start' must come before the operations%s", "");
		p->start = (enum rb_scn_start)s;
		return 0;
	}
	if (*ended || p->start != RB_SCN_START_APP)
		return parse_error(ps, "nothing runs after the app has ended ('%s')", w[0]);
	if (p->nops == RB_SCN_MAX_OPS)
		return parse_error(ps, "more than 64 operations%s", "");
	if (parse_opcode(ps, w[0], &op) < 0 || parse_operands(ps, &op, w + 1, n - 1) < 0)
		return -1;
	made = op.code == RB_SCN_SPAWN ? 1 : op.code == RB_SCN_DAEMON ? 2 : 0;
	if (made && !new_procs(p, &op, made))
		return parse_error(ps, "more than 16 processes%s", "");
	p->ops[p->nops++] = op;
	*ended = ends_app(&op);
	return 0;
}

int rb_scn_parse(const char *text, const char *name, struct rb_scn_program *p, struct rb_error *err)
{
	struct parser ps = { .name = name, .p = p, .budget = RB_SCN_TIME_BUDGET_NS, .err = err };
	char *copy = strdup(text), *save = NULL;
	bool ended = false;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->nprocs = 1;
	p->parent[RB_SCN_APP] = -1;
	if (!copy)
		return rb_sys_error(err, 12, "parsing %s", name);
	/* strsep keeps empty lines, so that line numbers stay right */
	for (char *rest = copy, *line; rc == 0 && (line = strsep(&rest, "\n"));) {
		ps.line++;
		rc = parse_line(&ps, line, &ended);
	}
	(void)save;
	free(copy);
	return rc;
}

/* ---- comparing, loading ------------------------------------------------- */

static void without_nops(const struct rb_scn_program *p, struct rb_scn_program *out)
{
	*out = *p;
	out->nops = 0;
	memset(out->ops, 0, sizeof(out->ops));
	for (int i = 0; i < p->nops; i++)
		if (p->ops[i].code != RB_SCN_NOP)
			out->ops[out->nops++] = p->ops[i];
}

bool rb_scn_equal(const struct rb_scn_program *a, const struct rb_scn_program *b)
{
	struct rb_scn_program x, y;

	without_nops(a, &x);
	without_nops(b, &y);
	return x.start == y.start && x.nops == y.nops && x.nprocs == y.nprocs &&
	       memcmp(x.parent, y.parent, sizeof(x.parent)) == 0 &&
	       memcmp(x.ops, y.ops, sizeof(x.ops)) == 0;
}

int rb_scn_load_file(const char *path, uint8_t *bytes, size_t *len, struct rb_error *err)
{
	static char buf[65536]; /* not reentrant: one program at a time */
	struct rb_scn_program p;
	size_t plen = strlen(path);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "%s", path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "%s", path);
	buf[n] = '\0';
	if (plen > 4 && strcmp(path + plen - 4, ".scn") == 0) {
		if (rb_scn_parse(buf, path, &p, err) < 0)
			return -1;
		*len = rb_scn_encode(&p, bytes, RB_SCN_MAX_BYTES);
		return 0;
	}
	*len = (size_t)n < RB_SCN_MAX_BYTES ? (size_t)n : RB_SCN_MAX_BYTES;
	memcpy(bytes, buf, *len);
	return 0;
}
