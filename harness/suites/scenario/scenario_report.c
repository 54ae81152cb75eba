/* Scenario runs for people: see scenario_report.h. */
#include "scenario_report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sandbox.h"
#include "signames.h"

void rb_scn_print_program(FILE *out, const struct rb_scn_program *p)
{
	char *text = rb_scn_program_text(p);

	if (!text)
		return;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		fprintf(out, "  %s\n", line);
	free(text);
}

/* ---- the timeline --------------------------------------------------------------- */

struct item {
	int64_t t;
	char text[160];
};

struct timeline {
	struct item *items;
	size_t n, cap;
};

static void add(struct timeline *tl, int64_t t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct timeline *tl, int64_t t, const char *fmt, ...)
{
	va_list ap;

	if (!t)
		return;
	if (tl->n == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 256;
		struct item *more = realloc(tl->items, cap * sizeof(*more));

		if (!more)
			return;
		tl->items = more;
		tl->cap = cap;
	}
	tl->items[tl->n].t = t;
	va_start(ap, fmt);
	vsnprintf(tl->items[tl->n].text, sizeof(tl->items[0].text), fmt, ap);
	va_end(ap);
	tl->n++;
}

static int by_time(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

static const char *result_text(int r, char *buf, size_t len)
{
	switch (r) {
	case 0:
		return "";
	case RB_SCN_SKIP_GONE:
		return "  [skipped: its process had ended]";
	case RB_SCN_SKIP_STOPPED:
		return "  [skipped: its process was stopped]";
	case RB_SCN_SKIP_NO_ACK:
		return "  [skipped: its process did not answer]";
	case RB_SCN_SKIP_NO_HARNESS:
		return "  [skipped: no harness]";
	case RB_SCN_SKIP_NOT_CHILD:
		return "  [nothing to act on]";
	}
	snprintf(buf, len, "  [failed: %s]", r < 0 ? strerror(-r) : "?");
	return buf;
}

static void add_events(struct timeline *tl, const struct rb_scn_result *res)
{
	char op[96], buf[64];

	for (uint32_t k = 0; k < res->nevents; k++) {
		const struct rb_scn_event *e = &res->events[k];

		if (e->op < 0) {
			if (e->code == RB_SCN_REQ_SETTLE + 100)
				add(tl, e->t_ns, "teardown: the app SIGKILLs process %d", e->proc);
			continue;
		}
		rb_scn_op_text(&res->prog.ops[e->op], op, sizeof(op));
		if ((e->code == RB_SCN_SPAWN || e->code == RB_SCN_DAEMON) && !e->result)
			add(tl, e->t_ns, "op %-2d %s  -> pid %d%s", e->op, op, e->value,
			    result_text(e->result, buf, sizeof(buf)));
		else if (e->code == RB_SCN_WAIT && !e->result)
			add(tl, e->t_ns, "op %-2d %s  (reaped %d)", e->op, op, e->value);
		else
			add(tl, e->t_ns, "op %-2d %s%s", e->op, op, result_text(e->result, buf, sizeof(buf)));
	}
}

static const char *route_text(int route)
{
	switch (route) {
	case RB_SCN_ROUTE_PARENT:
		return "to PID 1 from the parent namespace";
	case RB_SCN_ROUTE_INSIDE:
		return "to PID 1 from inside";
	case RB_SCN_ROUTE_GROUP_HARNESS:
		return "to the app's group from outside";
	default:
		return "to the app's group from inside";
	}
}

static void add_sends(struct timeline *tl, const struct rb_scn_result *res)
{
	char name[32];

	for (int k = 0; k < res->nsends; k++) {
		const struct rb_scn_send *sd = &res->sends[k];

		rb_signal_name(sd->sig, name, sizeof(name));
		if (sd->rc)
			add(tl, sd->t_ns, "sent %s %s: failed (%s)", name, route_text(sd->route),
			    strerror(-sd->rc));
		else if (sd->to_pid1 && sd->expect)
			add(tl, sd->t_ns, "sent %s %s; claimed: %s (must log it: %#x, can't tell: %#x)",
			    name, route_text(sd->route), sd->expect, sd->required, sd->unverifiable);
		else
			add(tl, sd->t_ns, "sent %s %s", name, route_text(sd->route));
	}
}

static void add_processes(struct timeline *tl, const struct rb_scn_result *res)
{
	for (int i = 1; i < res->prog.nprocs; i++) {
		const struct rb_scn_seen *se = &res->seen[i];

		if (!se->adopted)
			continue;
		add(tl, se->t_exit_ns, "process %d (pid %d) exited%s", i, res->slots[i].pid,
		    se->t_reap_ns == se->t_exit_ns ? " and was reaped" : "");
		if (se->t_reap_ns != se->t_exit_ns)
			add(tl, se->t_reap_ns, "process %d (pid %d) reaped", i, res->slots[i].pid);
	}
}

static void add_signals(struct timeline *tl, const struct rb_scn_result *res)
{
	char name[32], from[32];

	for (uint32_t k = 0; k < res->nsigs; k++) {
		const struct rb_signal_entry *e = &res->sigs[k];
		int to = rb_scn_proc_of(res, e->receiver), src = rb_scn_proc_of(res, e->pid);

		rb_signal_name(e->signo, name, sizeof(name));
		if (e->pid == 0)
			snprintf(from, sizeof(from), "outside");
		else if (e->pid == 1)
			snprintf(from, sizeof(from), "PID 1");
		else if (src >= 0)
			snprintf(from, sizeof(from), "process %d", src);
		else
			snprintf(from, sizeof(from), "pid %d", e->pid);
		if (to == RB_SCN_APP)
			add(tl, e->t_ns, "  the app got %s from %s (si_code %d)", name, from, e->code);
		else
			add(tl, e->t_ns, "  process %d got %s from %s (si_code %d)", to, name, from,
			    e->code);
	}
}

void rb_scn_print_timeline(FILE *out, const struct rb_scn_result *res)
{
	struct timeline tl = { 0 };
	char st[48];

	if (!res->ran) {
		fprintf(out, "  (not run: %s)\n", res->skip);
		return;
	}
	add(&tl, res->t_input_ns, "the harness posts the program%s",
	    res->fresh ? " to a new sandbox" : " (the sandbox of earlier programs)");
	add_events(&tl, res);
	add_sends(&tl, res);
	add_processes(&tl, res);
	add_signals(&tl, res);
	for (int k = 0; k < res->nnotes; k++)
		add(&tl, res->notes[k].t_ns, "harness: %s", res->notes[k].text);
	add(&tl, res->t_ops_done_ns, "the operations are done: quiet, then teardown");
	if (res->app_ended)
		add(&tl, res->t_app_exit_ns, "the app ended%s: %s", res->app_quit ? " (told to quit)" : "",
		    res->app_status_known ? rb_status_string(res->app_status, st, sizeof(st)) : "status unknown");
	if (res->pid1_ended)
		add(&tl, res->t_pid1_exit_ns, "PID 1 %s", rb_status_string(res->pid1_status, st, sizeof(st)));
	qsort(tl.items, tl.n, sizeof(*tl.items), by_time);
	for (size_t k = 0; k < tl.n; k++)
		fprintf(out, "  +%9.3f ms  %s\n", (tl.items[k].t - res->t_input_ns) / 1e6,
			tl.items[k].text);
	if (res->done)
		fprintf(out, "  (the app finished the program%s)\n",
			res->sandbox_ended ? "; the sandbox was ended" : " and serves the next one");
	if (res->sandbox_ended)
		fprintf(out, "  sandbox: %s\n", res->containment);
	free(tl.items);
}

void rb_scn_print_verdict(FILE *out, const struct rb_scn_verdict *v)
{
	for (int o = 0; o < RB_NORACLES; o++) {
		int n = 0;

		for (int k = 0; k < v->nfindings; k++)
			if (v->f[k].oracle == (enum rb_scn_oracle)o) {
				if (v->f[k].op >= 0)
					fprintf(out, "  %-12s FAIL  op %d: %s\n", rb_scn_oracle_name(o),
						v->f[k].op, v->f[k].msg);
				else
					fprintf(out, "  %-12s FAIL  %s\n", rb_scn_oracle_name(o), v->f[k].msg);
				n++;
			}
		if (!n)
			fprintf(out, "  %-12s %s\n", rb_scn_oracle_name(o), v->applies[o] ? "ok" : "n/a");
	}
}
