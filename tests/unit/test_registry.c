/* Unit tests for harness/core/registry.c: descriptor loading (rb_reaper_load),
 * lookup (rb_reaper_find, rb_registry_files) and command expansion
 * (rb_reaper_argv). Runs from the repository root: it reads the .ini files
 * in reapers/ and tests/unit/fixtures/. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"

#include "error.h"
#include "registry.h"
#include "sysinfo.h"

#define FIX "tests/unit/fixtures/"


static struct rb_reaper reaper; /* large: keep it off the stack */

static void load_ok(const char *file, struct rb_reaper *r)
{
	struct rb_error err = { 0 };

	if (rb_reaper_load(file, r, &err) != 0)
		fail_msg("%s did not load: %s", file, err.msg);
}

/* FILE must fail to load with an input error whose message is exactly WANT. */
static void load_fails_with(const char *file, const char *want)
{
	struct rb_error err = { 0 };

	assert_int_equal(rb_reaper_load(file, &reaper, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_string_equal(err.msg, want);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

/* ---- the shipped descriptors ---------------------------------------------- */

static void test_every_shipped_descriptor_loads_with_its_file_name(void **state)
{
	DIR *d = opendir("reapers");
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512], name[256];

		if (!has_suffix(e->d_name, ".ini"))
			continue;
		snprintf(path, sizeof(path), "reapers/%s", e->d_name);
		snprintf(name, sizeof(name), "%.*s", (int)strlen(e->d_name) - 4, e->d_name);
		load_ok(path, &reaper);
		assert_string_equal(reaper.name, name);
		assert_string_equal(reaper.file, path);
		assert_true(reaper.summary[0] != '\0');
		assert_true(reaper.command[0] != '\0');
		if (reaper.mode != RB_MODE_NONE && reaper.binary[0] == '\0')
			fail_msg("%s: mode %s without a binary", path, rb_mode_name(reaper.mode));
		n++;
	}
	closedir(d);
	assert_true(n >= 3);
}

static void test_every_shipped_descriptor_is_found_by_name(void **state)
{
	static struct rb_sysinfo si;
	char **files = NULL;
	struct rb_error err = { 0 };

	(void)state;
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), "reapers");
	assert_int_equal(rb_registry_files(&si, &files, &err), 0);
	for (char **f = files; *f; f++) {
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)strlen(*f) - 12, *f + 8);
		if (rb_reaper_find(&si, name, &reaper, &err) != 0)
			fail_msg("rb_reaper_find(%s): %s", name, err.msg);
		assert_string_equal(reaper.name, name);
		assert_string_equal(reaper.file, *f);
	}
	rb_argv_free(files);
}

static void test_registry_files_lists_every_ini_sorted(void **state)
{
	static struct rb_sysinfo si;
	struct rb_error err = { 0 };
	char **files = NULL;
	DIR *d = opendir("reapers");
	struct dirent *e;
	size_t n = 0, want = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)))
		want += has_suffix(e->d_name, ".ini");
	closedir(d);
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), "reapers");
	assert_int_equal(rb_registry_files(&si, &files, &err), 0);
	for (; files[n]; n++) {
		assert_prefix(files[n], "reapers/");
		assert_true(has_suffix(files[n], ".ini"));
		if (n > 0 && strcmp(files[n - 1], files[n]) >= 0)
			fail_msg("not sorted: %s before %s", files[n - 1], files[n]);
	}
	assert_int_equal(n, want);
	rb_argv_free(files);
}

static void test_registry_files_missing_dir_is_input_error(void **state)
{
	static struct rb_sysinfo si;
	struct rb_error err = { 0 };
	char **files = NULL;

	(void)state;
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), FIX "no-such-dir");
	assert_int_equal(rb_registry_files(&si, &files, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_int_equal(err.errnum, ENOENT);
	assert_contains(err.msg, FIX "no-such-dir");
}

static void test_every_shipped_command_expands(void **state)
{
	static struct rb_sysinfo si;
	char *const workload[] = { "rb-payload", "a b", "it's", NULL };
	struct rb_error err = { 0 };
	char **files = NULL, **argv = NULL;

	(void)state;
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), "reapers");
	assert_int_equal(rb_registry_files(&si, &files, &err), 0);
	for (char **f = files; *f; f++) {
		load_ok(*f, &reaper);
		snprintf(reaper.path, sizeof(reaper.path), "/opt/reaper");
		if (rb_reaper_argv(&reaper, workload, &argv, &err) != 0)
			fail_msg("%s: %s", *f, err.msg);
		assert_true(argv[0] && argv[0][0]);
		if (reaper.mode == RB_MODE_NONE)
			assert_string_equal(argv[0], "rb-payload");
		else
			assert_string_equal(argv[0], "/opt/reaper");
		rb_argv_free(argv);
	}
	rb_argv_free(files);
}

/* ---- claims of particular shipped descriptors ------------------------------ */

static void test_tini_forwards_term_but_not_chld(void **state)
{
	(void)state;
	load_ok("reapers/tini.ini", &reaper);
	assert_int_equal(reaper.mode, RB_MODE_WRAP);
	assert_string_equal(reaper.binary, "tini");
	assert_true(reaper.claims.reaps);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGTERM), 1);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGINT), 1);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGRTMIN), 1);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGCHLD), 0);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGSEGV), 0);
	/* "all" means every catchable signal */
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGKILL), 0);
	assert_int_equal(sigismember(&reaper.claims.forwards, SIGSTOP), 0);
	assert_int_equal(reaper.claims.forward_to, RB_FORWARD_CHILD);
	assert_int_equal(reaper.claims.exit_status, RB_EXIT_PASSTHROUGH);
	assert_int_equal(reaper.claims.exec_not_found, 127);
	assert_int_equal(reaper.claims.exec_not_executable, 126);
}

static void test_pause_forwards_nothing(void **state)
{
	(void)state;
	load_ok("reapers/pause.ini", &reaper);
	assert_int_equal(reaper.mode, RB_MODE_STANDALONE);
	assert_true(reaper.claims.reaps);
	assert_int_equal(sigisemptyset(&reaper.claims.forwards), 1);
	assert_int_equal(reaper.claims.forward_to, RB_FORWARD_NONE);
	assert_int_equal(reaper.claims.exit_status, RB_EXIT_NONE);
	assert_int_equal(reaper.claims.exec_not_found, -1);
	assert_int_equal(reaper.claims.exec_not_executable, -1);
}

static void test_none_mode_needs_no_binary(void **state)
{
	(void)state;
	load_ok("reapers/none.ini", &reaper);
	assert_int_equal(reaper.mode, RB_MODE_NONE);
	assert_string_equal(reaper.binary, "");
	assert_string_equal(reaper.command, "{cmd}");
	assert_false(reaper.claims.reaps);
	assert_int_equal(sigisemptyset(&reaper.claims.forwards), 1);
}

/* ---- fixtures: valid ------------------------------------------------------- */

static void test_valid_fixture_every_field(void **state)
{
	(void)state;
	load_ok(FIX "valid.ini", &reaper);
	assert_string_equal(reaper.file, FIX "valid.ini");
	assert_string_equal(reaper.name, "fixture");
	assert_string_equal(reaper.summary, "a test descriptor");
	assert_int_equal(reaper.class_, RB_CLASS_INIT);
	assert_int_equal(reaper.mode, RB_MODE_WRAP);
	assert_string_equal(reaper.binary, "/bin/true");
	assert_string_equal(reaper.binary_env, "");
	assert_string_equal(reaper.command, "{binary} -- {cmd}");
	assert_string_equal(reaper.version_command, "");
	assert_true(reaper.claims.reaps);
	assert_int_equal(reaper.claims.forward_to, RB_FORWARD_CHILD);
	assert_int_equal(reaper.claims.exit_status, RB_EXIT_PASSTHROUGH);
	assert_int_equal(reaper.claims.exec_not_found, 127);
	assert_int_equal(reaper.claims.exec_not_executable, 126);
	assert_false(reaper.available);
	assert_string_equal(reaper.path, "");
}

static void test_valid_fixture_forwards_exactly_term_and_int(void **state)
{
	(void)state;
	load_ok(FIX "valid.ini", &reaper);
	for (int s = 1; s <= SIGRTMAX; s++)
		if (sigismember(&reaper.claims.forwards, s) != (s == SIGTERM || s == SIGINT))
			fail_msg("signal %d: sigismember = %d", s,
				 sigismember(&reaper.claims.forwards, s));
}

static void test_omitted_claims_take_defaults(void **state)
{
	(void)state;
	load_ok(FIX "registry/lookup.ini", &reaper);
	assert_int_equal(reaper.class_, RB_CLASS_INIT);
	assert_int_equal(sigisemptyset(&reaper.claims.forwards), 1);
	assert_int_equal(reaper.claims.forward_to, RB_FORWARD_NONE);
	assert_int_equal(reaper.claims.exit_status, RB_EXIT_NONE);
	assert_int_equal(reaper.claims.exec_not_found, -1);
	assert_int_equal(reaper.claims.exec_not_executable, -1);
}

/* ---- fixtures: malformed --------------------------------------------------- */

static void test_unknown_key_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "unknown-key.ini",
			FIX "unknown-key.ini:6: unknown key 'colour' in [reaper]");
}

static void test_unknown_section_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "unknown-section.ini",
			FIX "unknown-section.ini:11: unknown section [extras]");
}

static void test_bad_mode_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "bad-mode.ini", FIX "bad-mode.ini:6: 'sideways' is not a valid mode");
}

static void test_bad_bool_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "bad-bool.ini",
			FIX "bad-bool.ini:11: reaps must be yes or no, not 'maybe'");
}

static void test_bad_signal_in_forwards_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "bad-signal.ini", FIX "bad-signal.ini:12: 'FOO' is not a signal");
}

static void test_exec_not_found_300_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "exec-not-found-300.ini",
			FIX "exec-not-found-300.ini:15: exec_not_found must be an exit status 0..255 or none");
}

static void test_missing_name(void **state)
{
	(void)state;
	load_fails_with(FIX "missing-name.ini", FIX "missing-name.ini:15: missing [reaper] name");
}

static void test_missing_summary(void **state)
{
	(void)state;
	load_fails_with(FIX "missing-summary.ini",
			FIX "missing-summary.ini:15: missing [reaper] summary");
}

static void test_missing_mode(void **state)
{
	(void)state;
	load_fails_with(FIX "missing-mode.ini", FIX "missing-mode.ini:15: missing [reaper] mode");
}

static void test_missing_command(void **state)
{
	(void)state;
	load_fails_with(FIX "missing-command.ini",
			FIX "missing-command.ini:15: missing [reaper] command");
}

static void test_unknown_placeholder(void **state)
{
	(void)state;
	load_fails_with(FIX "unknown-placeholder.ini",
			FIX "unknown-placeholder.ini:8: command: unknown placeholder {cmdd} "
			    "(known: {binary} {cmd} {cmd_sh})");
}

static void test_command_without_workload(void **state)
{
	(void)state;
	load_fails_with(FIX "no-cmd.ini", FIX "no-cmd.ini:8: command: mode wrap needs {cmd} or "
					  "{cmd_sh} (the workload) in the command");
}

static void test_duplicate_name_refused(void **state)
{
	static struct rb_sysinfo si;
	struct rb_error err = { 0 };
	struct rb_reaper *all;
	size_t n;
	int bad;

	(void)state;
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), FIX "dupes");
	assert_int_equal(rb_registry_load_all(&si, &all, &n, &bad, &err), 0);
	/* the first (one.ini) kept, the second refused and counted */
	assert_int_equal(n, 1);
	assert_int_equal(bad, 1);
	assert_string_equal(all[0].file, FIX "dupes/one.ini");
	free(all);
	/* control: the shipped registry has no two of a name */
	snprintf(si.reapers_dir, sizeof(si.reapers_dir), "reapers");
	assert_int_equal(rb_registry_load_all(&si, &all, &n, &bad, &err), 0);
	assert_int_equal(bad, 0);
	free(all);
}

static void test_missing_reaps(void **state)
{
	(void)state;
	load_fails_with(FIX "missing-reaps.ini", FIX "missing-reaps.ini:15: missing [claims] reaps");
}

static void test_wrap_without_binary(void **state)
{
	(void)state;
	load_fails_with(FIX "wrap-no-binary.ini",
			FIX "wrap-no-binary.ini:15: mode wrap needs [reaper] binary");
}

static void test_syntax_error_names_line(void **state)
{
	(void)state;
	load_fails_with(FIX "syntax-error.ini",
			FIX "syntax-error.ini:8: syntax error (expected [section] or key = value)");
}

static void test_missing_file_names_path(void **state)
{
	struct rb_error err = { 0 };

	(void)state;
	assert_int_equal(rb_reaper_load(FIX "no-such-file.ini", &reaper, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_int_equal(err.errnum, ENOENT);
	assert_string_equal(err.msg, FIX "no-such-file.ini: No such file or directory");
}

static void test_empty_file_lacks_name(void **state)
{
	struct rb_error err = { 0 };

	(void)state;
	assert_int_equal(rb_reaper_load(FIX "empty.ini", &reaper, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_prefix(err.msg, FIX "empty.ini:");
	assert_contains(err.msg, "missing [reaper] name");
}

/* A template that cannot be split is refused when the file loads, with
 * the file and line of the template. */
static void test_unterminated_quote_names_file_and_line(void **state)
{
	struct rb_error err = { 0 };

	(void)state;
	assert_int_equal(rb_reaper_load(FIX "unterminated-quote.ini", &reaper, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_contains(err.msg, FIX "unterminated-quote.ini:8: command: unterminated quote");
}

/* inih reads lines into a 200-byte buffer (INI_MAX_LINE in Debian's build):
 * a longer line is refused with its line number, never split in two. */
static void test_long_line_names_its_line(void **state)
{
	(void)state;
	load_fails_with(FIX "long-summary.ini",
			FIX "long-summary.ini:4: line longer than 198 characters");
	load_fails_with(FIX "too-long-summary.ini",
			FIX "too-long-summary.ini:4: line longer than 198 characters");
}

/* ---- rb_reaper_argv -------------------------------------------------------- */

static void check_argv(char **argv, const char *const want[])
{
	size_t i;

	for (i = 0; want[i]; i++) {
		if (!argv[i])
			fail_msg("argv has %zu words, want more (next: \"%s\")", i, want[i]);
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("argv[%zu] = \"%s\", want \"%s\"", i, argv[i], want[i]);
	}
	if (argv[i])
		fail_msg("argv has an extra word %zu: \"%s\"", i, argv[i]);
}

static char **expand_ok(const char *file, const char *path, char *const workload[])
{
	struct rb_error err = { 0 };
	char **argv = NULL;

	load_ok(file, &reaper);
	snprintf(reaper.path, sizeof(reaper.path), "%s", path);
	if (rb_reaper_argv(&reaper, workload, &argv, &err) != 0)
		fail_msg("%s: %s", file, err.msg);
	return argv;
}

static void test_argv_wrap_keeps_workload_words(void **state)
{
	char *const workload[] = { "sh", "-c", "echo \"it's here\"", "a b", NULL };
	char **argv = expand_ok("reapers/tini.ini", "/usr/bin/tini", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "/usr/bin/tini", "--", "sh", "-c", "echo \"it's here\"",
					   "a b", NULL });
	rb_argv_free(argv);
}

static void test_argv_wrap_does_not_substitute_inside_workload(void **state)
{
	char *const workload[] = { "echo", "{binary}", "{cmd_sh}", "{cmd}", NULL };
	char **argv = expand_ok("reapers/tini.ini", "/usr/bin/tini", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "/usr/bin/tini", "--", "echo", "{binary}", "{cmd_sh}",
					   "{cmd}", NULL });
	rb_argv_free(argv);
}

static void test_argv_bash_style_quotes_workload(void **state)
{
	char *const workload[] = { "printf", "%s\\n", "a b", "it's", NULL };
	char **argv = expand_ok("reapers/bash.ini", "/bin/bash", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "/bin/bash", "-c",
					   "'printf' '%s\\n' 'a b' 'it'\\''s'; exit $?", NULL });
	rb_argv_free(argv);
}

static void test_argv_bash_style_does_not_substitute_inside_workload(void **state)
{
	char *const workload[] = { "echo", "{binary}", NULL };
	char **argv = expand_ok("reapers/bash.ini", "/bin/bash", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "/bin/bash", "-c", "'echo' '{binary}'; exit $?", NULL });
	rb_argv_free(argv);
}


/* The expanded bash command gives the workload its words back, and its status. */
static void test_argv_bash_style_runs_workload_verbatim(void **state)
{
	char *const workload[] = { "printf", "[%s]\\n", "a b", "it's", "\"q\"", "$HOME", NULL };
	char *const failing[] = { "sh", "-c", "exit 7", NULL };
	char **argv;
	char *out;
	int status;

	(void)state;
	if (access("/bin/bash", X_OK) != 0)
		skip();
	argv = expand_ok("reapers/bash.ini", "/bin/bash", workload);
	out = run_capture(argv, NULL, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "[a b]\n[it's]\n[\"q\"]\n[$HOME]\n");
	free(out);
	rb_argv_free(argv);

	argv = expand_ok("reapers/bash.ini", "/bin/bash", failing);
	out = run_capture(argv, NULL, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	free(out);
	rb_argv_free(argv);
}

static void test_argv_none_is_the_workload(void **state)
{
	char *const workload[] = { "rb-payload", "--orphans", "5", NULL };
	char **argv = expand_ok("reapers/none.ini", "", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "rb-payload", "--orphans", "5", NULL });
	rb_argv_free(argv);
}

static void test_argv_standalone_is_the_binary_alone(void **state)
{
	char *const workload[] = { "rb-payload", NULL };
	char **argv = expand_ok("reapers/pause.ini", "/build/rb-pause", workload);

	(void)state;
	check_argv(argv, (const char *[]){ "/build/rb-pause", NULL });
	rb_argv_free(argv);
}

static void test_argv_empty_expansion_is_input_error(void **state)
{
	char *const workload[] = { NULL };
	struct rb_error err = { 0 };
	char **argv = NULL;

	(void)state;
	load_ok("reapers/none.ini", &reaper);
	assert_int_equal(rb_reaper_argv(&reaper, workload, &argv, &err), -1);
	assert_int_equal(err.kind, RB_ERR_INPUT);
	assert_string_equal(err.msg, "reapers/none.ini: command template is empty");
	assert_null(argv);
}

/* ---- rb_reaper_find -------------------------------------------------------- */

static struct rb_sysinfo fixture_si;

static void find_fails(const char *name, struct rb_error *err)
{
	memset(err, 0, sizeof(*err));
	assert_int_equal(rb_reaper_find(&fixture_si, name, &reaper, err), -1);
	assert_int_equal(err->kind, RB_ERR_INPUT);
}

static void test_find_by_name_in_registry_dir(void **state)
{
	struct rb_error err = { 0 };

	(void)state;
	if (rb_reaper_find(&fixture_si, "lookup", &reaper, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(reaper.name, "lookup");
	assert_string_equal(reaper.file, FIX "registry/lookup.ini");
}

static void test_find_by_path_loads_that_file(void **state)
{
	struct rb_error err = { 0 };

	(void)state;
	assert_int_equal(rb_reaper_find(&fixture_si, FIX "valid.ini", &reaper, &err), 0);
	assert_string_equal(reaper.name, "fixture");
	assert_string_equal(reaper.file, FIX "valid.ini");
}

static void test_find_empty_name_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	find_fails("", &err);
	assert_string_equal(err.msg, "'' is not a reaper name");
}

/* "../x" holds a '/': it is taken as a path, which does not exist. */
static void test_find_dotdot_path_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	/* ("../x" alone would be the checkout itself when it is cloned to x/) */
	find_fails("../reapbench-no-such-dir/x", &err);
	assert_string_equal(err.msg, "../reapbench-no-such-dir/x: No such file or directory");
	find_fails("../", &err);
	assert_string_equal(err.msg, "../: Is a directory");
}

static void test_find_bad_characters_rejected(void **state)
{
	struct rb_error err;
	char longname[80];

	(void)state;
	find_fails("a b", &err);
	assert_string_equal(err.msg, "'a b' is not a reaper name");
	find_fails("x;rm", &err);
	assert_string_equal(err.msg, "'x;rm' is not a reaper name");
	memset(longname, 'a', 64);
	longname[64] = '\0';
	find_fails(longname, &err);
	assert_contains(err.msg, "is not a reaper name");
}

static void test_find_unknown_name(void **state)
{
	struct rb_error err;

	(void)state;
	find_fails("no-such-reaper", &err);
	assert_string_equal(err.msg, "unknown reaper 'no-such-reaper' (no " FIX
				     "registry/no-such-reaper.ini; see 'reapbench list')");
}

static void test_find_name_mismatch_rejected(void **state)
{
	struct rb_error err;

	(void)state;
	find_fails("mismatch", &err);
	assert_string_equal(err.msg, FIX "registry/mismatch.ini: name 'other-name' does not "
					 "match the file name");
}

/* ---- enum names ------------------------------------------------------------ */

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(rb_mode_name(RB_MODE_WRAP), "wrap");
	assert_string_equal(rb_mode_name(RB_MODE_STANDALONE), "standalone");
	assert_string_equal(rb_mode_name(RB_MODE_NONE), "none");
	assert_string_equal(rb_class_name(RB_CLASS_INIT), "init");
	assert_string_equal(rb_class_name(RB_CLASS_REFERENCE), "reference");
	assert_string_equal(rb_class_name(RB_CLASS_CONTROL), "control");
	assert_string_equal(rb_forward_target_name(RB_FORWARD_NONE), "none");
	assert_string_equal(rb_forward_target_name(RB_FORWARD_CHILD), "child");
	assert_string_equal(rb_forward_target_name(RB_FORWARD_GROUP), "group");
	assert_string_equal(rb_exit_rule_name(RB_EXIT_PASSTHROUGH), "passthrough");
	assert_string_equal(rb_exit_rule_name(RB_EXIT_ZERO), "zero");
	assert_string_equal(rb_exit_rule_name(RB_EXIT_NONE), "none");
}

static int setup_group(void **state)
{
	(void)state;
	if (access(FIX "valid.ini", R_OK) != 0 || access("reapers", R_OK) != 0) {
		fprintf(stderr, "test_registry: run from the repository root\n");
		return -1;
	}
	snprintf(fixture_si.reapers_dir, sizeof(fixture_si.reapers_dir), FIX "registry");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_descriptor_loads_with_its_file_name),
		cmocka_unit_test(test_every_shipped_descriptor_is_found_by_name),
		cmocka_unit_test(test_registry_files_lists_every_ini_sorted),
		cmocka_unit_test(test_registry_files_missing_dir_is_input_error),
		cmocka_unit_test(test_every_shipped_command_expands),
		cmocka_unit_test(test_tini_forwards_term_but_not_chld),
		cmocka_unit_test(test_pause_forwards_nothing),
		cmocka_unit_test(test_none_mode_needs_no_binary),
		cmocka_unit_test(test_valid_fixture_every_field),
		cmocka_unit_test(test_valid_fixture_forwards_exactly_term_and_int),
		cmocka_unit_test(test_omitted_claims_take_defaults),
		cmocka_unit_test(test_unknown_key_names_line),
		cmocka_unit_test(test_unknown_section_names_line),
		cmocka_unit_test(test_bad_mode_names_line),
		cmocka_unit_test(test_bad_bool_names_line),
		cmocka_unit_test(test_bad_signal_in_forwards_names_line),
		cmocka_unit_test(test_exec_not_found_300_names_line),
		cmocka_unit_test(test_missing_name),
		cmocka_unit_test(test_missing_summary),
		cmocka_unit_test(test_missing_mode),
		cmocka_unit_test(test_missing_command),
		cmocka_unit_test(test_unknown_placeholder),
		cmocka_unit_test(test_command_without_workload),
		cmocka_unit_test(test_duplicate_name_refused),
		cmocka_unit_test(test_missing_reaps),
		cmocka_unit_test(test_wrap_without_binary),
		cmocka_unit_test(test_syntax_error_names_line),
		cmocka_unit_test(test_missing_file_names_path),
		cmocka_unit_test(test_empty_file_lacks_name),
		cmocka_unit_test(test_unterminated_quote_names_file_and_line),
		cmocka_unit_test(test_long_line_names_its_line),
		cmocka_unit_test(test_argv_wrap_keeps_workload_words),
		cmocka_unit_test(test_argv_wrap_does_not_substitute_inside_workload),
		cmocka_unit_test(test_argv_bash_style_quotes_workload),
		cmocka_unit_test(test_argv_bash_style_does_not_substitute_inside_workload),
		cmocka_unit_test(test_argv_bash_style_runs_workload_verbatim),
		cmocka_unit_test(test_argv_none_is_the_workload),
		cmocka_unit_test(test_argv_standalone_is_the_binary_alone),
		cmocka_unit_test(test_argv_empty_expansion_is_input_error),
		cmocka_unit_test(test_find_by_name_in_registry_dir),
		cmocka_unit_test(test_find_by_path_loads_that_file),
		cmocka_unit_test(test_find_empty_name_rejected),
		cmocka_unit_test(test_find_dotdot_path_rejected),
		cmocka_unit_test(test_find_bad_characters_rejected),
		cmocka_unit_test(test_find_unknown_name),
		cmocka_unit_test(test_find_name_mismatch_rejected),
		cmocka_unit_test(test_enum_names),
	};

	return cmocka_run_group_tests_name("registry", tests, setup_group, NULL);
}
