#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

const char *const rb_output_formats[] = { "text", "json", "md", NULL };
const char *const rb_output_formats_no_md[] = { "text", "json", NULL };

static int check_options(const struct rb_output *o, const char *suite, struct rb_error *err)
{
	if (o->no_record && (o->dir[0] || o->json))
		return rb_input_error(err, "%s: --no-record keeps nothing; --%s names where to keep it",
				      suite, o->dir[0] ? "out" : "json");
	if (o->json && !o->json[0])
		return rb_input_error(err, "%s: --json: an empty path", suite);
	return 0;
}

static int make_dir(struct rb_output *o, unsigned flags, const struct rb_sysinfo *si,
		    struct rb_error *err)
{
	char logs[PATH_MAX], day[RB_CLI_PATH_MAX - 16];

	if (o->no_record) {
		snprintf(o->dir, sizeof(o->dir), "%s/reapbench-%s-XXXXXX",
			 getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp", o->suite);
		if (!mkdtemp(o->dir))
			return rb_sys_error(err, errno, "creating %s", o->dir);
		o->temporary = true;
	} else if (!o->dir[0] && (flags & RB_OUTPUT_OWN_DIR)) {
		rb_results_dir(day, sizeof(day), si);
		snprintf(o->dir, sizeof(o->dir), "%s/%s", day, o->suite);
	} else if (!o->dir[0]) {
		rb_results_dir(o->dir, sizeof(o->dir), si);
	}
	snprintf(logs, sizeof(logs), flags & RB_OUTPUT_DIR ? "%s/logs" : "%s", o->dir);
	if (rb_mkdir_p(logs) < 0)
		return rb_sys_error(err, errno, "creating %s", logs);
	return 0;
}

static void record_path(struct rb_output *o, unsigned flags)
{
	if (o->no_record)
		o->record[0] = '\0';
	else if (o->json)
		snprintf(o->record, sizeof(o->record), "%s", o->json);
	else if (o->dir[0] || (flags & (RB_OUTPUT_DIR | RB_OUTPUT_OWN_DIR)))
		snprintf(o->record, sizeof(o->record), "%s/%s.json", o->dir, o->suite);
	else
		rb_default_record_path(o->record, sizeof(o->record), o->suite);
}

/* Under --format json stdout carries the record alone: what the suite
 * prints meanwhile (and what its children inherit) goes to stderr. */
static int divert_stdout(struct rb_output *o, struct rb_error *err)
{
	fflush(stdout);
	o->real_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (o->real_stdout < 0)
		return rb_sys_error(err, errno, "%s: saving stdout", o->suite);
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return rb_sys_error(err, errno, "%s: stdout to stderr", o->suite);
	return 0;
}

static void restore_stdout(struct rb_output *o)
{
	if (o->real_stdout < 0)
		return;
	fflush(stdout);
	dup2(o->real_stdout, STDOUT_FILENO);
	close(o->real_stdout);
	o->real_stdout = -1;
}

int rb_output_begin(struct rb_output *o, const char *suite, unsigned flags,
		    const struct rb_sysinfo *si, struct rb_error *err)
{
	o->suite = suite;
	o->real_stdout = -1;
	if (check_options(o, suite, err) < 0)
		return -1;
	if ((flags & (RB_OUTPUT_DIR | RB_OUTPUT_OWN_DIR)) && make_dir(o, flags, si, err) < 0)
		return -1;
	record_path(o, flags);
	if (o->format == RB_FORMAT_JSON)
		return divert_stdout(o, err);
	return 0;
}

int rb_output_end(struct rb_output *o, json_t *rec, struct rb_error *err)
{
	if (o->record[0] && rb_record_write(rec, o->record, err) < 0)
		return -1;
	if (o->format != RB_FORMAT_JSON)
		return 0;
	restore_stdout(o);
	if (json_dumpf(rec, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) < 0 || printf("\n") < 0 ||
	    fflush(stdout) != 0)
		return rb_sys_error(err, errno ? errno : EIO, "%s: printing the record", o->suite);
	return 0;
}

bool rb_output_kept(const struct rb_output *o)
{
	return o->record[0] && o->format != RB_FORMAT_JSON;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void rb_output_close(struct rb_output *o)
{
	restore_stdout(o);
	if (o->temporary) {
		nftw(o->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		o->temporary = false;
	}
}

void rb_output_closep(struct rb_output **o)
{
	if (*o)
		rb_output_close(*o);
}
