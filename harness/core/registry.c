#include "registry.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "signames.h"

static const char *const mode_names[] = {
	[RB_MODE_WRAP] = "wrap", [RB_MODE_STANDALONE] = "standalone", [RB_MODE_NONE] = "none",
};
static const char *const class_names[] = {
	[RB_CLASS_INIT] = "init", [RB_CLASS_REFERENCE] = "reference", [RB_CLASS_CONTROL] = "control",
};
static const char *const forward_names[] = {
	[RB_FORWARD_NONE] = "none", [RB_FORWARD_CHILD] = "child", [RB_FORWARD_GROUP] = "group",
};
static const char *const exit_rule_names[] = {
	[RB_EXIT_PASSTHROUGH] = "passthrough", [RB_EXIT_ZERO] = "zero", [RB_EXIT_NONE] = "none",
};

static const char *const main_exit_names[] = {
	[RB_MAIN_EXIT_UNCLAIMED] = "unclaimed", [RB_MAIN_EXIT_KILL] = "kill",
	[RB_MAIN_EXIT_TERM] = "term",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *rb_mode_name(enum rb_reaper_mode m) { return mode_names[m]; }
const char *rb_class_name(enum rb_reaper_class c) { return class_names[c]; }
const char *rb_forward_target_name(enum rb_forward_target t) { return forward_names[t]; }
const char *rb_exit_rule_name(enum rb_exit_rule e) { return exit_rule_names[e]; }
const char *rb_main_exit_name(enum rb_main_exit e) { return main_exit_names[e]; }

static int lookup_name(const char *const names[], size_t n, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], value) == 0)
			return (int)i;
	return -1;
}

/* ---- parsing ---------------------------------------------------------- */

struct load_state {
	struct rb_reaper *r;
	struct rb_error *err;
	unsigned seen;    /* bit per required key */
	int line;         /* current line, counted by the reader */
	int command_line; /* where [reaper] command was */
};

enum { SEEN_NAME = 1, SEEN_MODE = 2, SEEN_COMMAND = 4, SEEN_SUMMARY = 8, SEEN_REAPS = 16 };

static int copy_value(struct load_state *st, char *dst, size_t len, const char *key,
		      const char *value)
{
	if (strlen(value) >= len)
		return rb_input_error(st->err, "%s:%d: value of '%s' is too long", st->r->file,
				      st->line, key);
	strcpy(dst, value);
	return 0;
}

static int parse_enum(struct load_state *st, const char *const names[], size_t n, const char *key,
		      const char *value, int *out)
{
	int v = lookup_name(names, n, value);

	if (v < 0)
		return rb_input_error(st->err, "%s:%d: '%s' is not a valid %s", st->r->file, st->line,
				      value, key);
	*out = v;
	return 0;
}

static int parse_bool(struct load_state *st, const char *key, const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
		*out = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
		*out = false;
	else
		return rb_input_error(st->err, "%s:%d: %s must be yes or no, not '%s'", st->r->file,
				      st->line, key, value);
	return 0;
}

static int parse_status(struct load_state *st, const char *key, const char *value, int *out)
{
	char *end;
	long v;

	if (strcmp(value, "none") == 0) {
		*out = -1;
		return 0;
	}
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || v < 0 || v > 255)
		return rb_input_error(st->err, "%s:%d: %s must be an exit status 0..255 or none",
				      st->r->file, st->line, key);
	*out = (int)v;
	return 0;
}

static void fill_catchable(sigset_t *set)
{
	sigemptyset(set);
	for (int s = 1; s <= SIGRTMAX; s++)
		if (s != SIGKILL && s != SIGSTOP && (s < 32 || s >= SIGRTMIN))
			sigaddset(set, s);
}

/* "all", "none", "all -CHLD -TSTP", "TERM INT HUP" */
static int parse_signal_set(struct load_state *st, const char *value, sigset_t *set)
{
	char buf[1024], *save = NULL, *tok;

	sigemptyset(set);
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		bool remove = tok[0] == '-';
		int sig;

		if (strcmp(tok, "all") == 0) {
			fill_catchable(set);
			continue;
		}
		if (strcmp(tok, "none") == 0)
			continue;
		sig = rb_signal_parse(remove ? tok + 1 : tok);
		if (sig < 0)
			return rb_input_error(st->err, "%s:%d: '%s' is not a signal", st->r->file,
					      st->line, tok);
		if (remove)
			sigdelset(set, sig);
		else
			sigaddset(set, sig);
	}
	return 0;
}

/* Every "{name}" in TEMPLATE must be one of KNOWN (a space-separated list):
 * a misspelt {cmdd} would reach the reaper as a word. */
static int check_placeholders(struct load_state *st, const char *key, const char *value,
			      const char *known)
{
	for (const char *p = strchr(value, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
		char name[64];

		if (p[1 + n] != '}' || n == 0 || n + 3 > sizeof(name))
			continue; /* not a placeholder: a brace of the command's own */
		snprintf(name, sizeof(name), "%.*s", (int)n + 2, p);
		if (!strstr(known, name))
			return rb_input_error(st->err, "%s:%d: %s: unknown placeholder %s (known: %s)",
					      st->r->file, st->line, key, name, known);
	}
	return 0;
}

/* A template must split into words now, so its error names file:line. */
static int check_template(struct load_state *st, const char *key, const char *value,
			  const char *known)
{
	struct rb_error werr;
	char **words;

	if (rb_split_words(value, &words, &werr) < 0)
		return rb_input_error(st->err, "%s:%d: %s: %s", st->r->file, st->line, key, werr.msg);
	if (!words[0]) {
		rb_argv_free(words);
		return rb_input_error(st->err, "%s:%d: %s is empty", st->r->file, st->line, key);
	}
	rb_argv_free(words);
	return check_placeholders(st, key, value, known);
}

static int reaper_key(struct load_state *st, const char *key, const char *value)
{
	struct rb_reaper *r = st->r;
	int v;

	if (strcmp(key, "name") == 0) {
		st->seen |= SEEN_NAME;
		return copy_value(st, r->name, sizeof(r->name), key, value);
	}
	if (strcmp(key, "summary") == 0) {
		st->seen |= SEEN_SUMMARY;
		return copy_value(st, r->summary, sizeof(r->summary), key, value);
	}
	if (strcmp(key, "class") == 0) {
		if (parse_enum(st, class_names, N_OF(class_names), key, value, &v) < 0)
			return -1;
		r->class_ = v;
		return 0;
	}
	if (strcmp(key, "mode") == 0) {
		st->seen |= SEEN_MODE;
		if (parse_enum(st, mode_names, N_OF(mode_names), key, value, &v) < 0)
			return -1;
		r->mode = v;
		return 0;
	}
	if (strcmp(key, "binary") == 0)
		return copy_value(st, r->binary, sizeof(r->binary), key, value);
	if (strcmp(key, "binary_env") == 0)
		return copy_value(st, r->binary_env, sizeof(r->binary_env), key, value);
	if (strcmp(key, "command") == 0) {
		st->seen |= SEEN_COMMAND;
		st->command_line = st->line;
		return check_template(st, key, value, "{binary} {cmd} {cmd_sh}") < 0
			       ? -1 : copy_value(st, r->command, sizeof(r->command), key, value);
	}
	if (strcmp(key, "version_command") == 0)
		return check_template(st, key, value, "{binary}") < 0
			       ? -1
			       : copy_value(st, r->version_command, sizeof(r->version_command), key,
					    value);
	if (strcmp(key, "package") == 0)
		return copy_value(st, r->package, sizeof(r->package), key, value);
	return rb_input_error(st->err, "%s:%d: unknown key '%s' in [reaper]", r->file, st->line, key);
}

static int claims_key(struct load_state *st, const char *key, const char *value)
{
	struct rb_claims *c = &st->r->claims;
	int v;

	if (strcmp(key, "reaps") == 0) {
		st->seen |= SEEN_REAPS;
		return parse_bool(st, key, value, &c->reaps);
	}
	if (strcmp(key, "forwards") == 0)
		return parse_signal_set(st, value, &c->forwards);
	if (strcmp(key, "forward_to") == 0) {
		if (parse_enum(st, forward_names, N_OF(forward_names), key, value, &v) < 0)
			return -1;
		c->forward_to = v;
		return 0;
	}
	if (strcmp(key, "exit_status") == 0) {
		if (parse_enum(st, exit_rule_names, N_OF(exit_rule_names), key, value, &v) < 0)
			return -1;
		c->exit_status = v;
		return 0;
	}
	if (strcmp(key, "stops") == 0)
		return parse_signal_set(st, value, &c->stops);
	if (strcmp(key, "child_blocked") == 0) {
		c->child_blocked_claimed = true;
		return parse_signal_set(st, value, &c->child_blocked);
	}
	if (strcmp(key, "main_exit") == 0) {
		if (parse_enum(st, main_exit_names, N_OF(main_exit_names), key, value, &v) < 0)
			return -1;
		c->main_exit = v;
		return 0;
	}
	if (strcmp(key, "exec_not_found") == 0)
		return parse_status(st, key, value, &c->exec_not_found);
	if (strcmp(key, "exec_not_executable") == 0)
		return parse_status(st, key, value, &c->exec_not_executable);
	return rb_input_error(st->err, "%s:%d: unknown key '%s' in [claims]", st->r->file, st->line,
			      key);
}

/* inih handler: returns nonzero to go on; on 0, ini_parse_stream reports
 * the line, and our error already holds the message. */
static int descriptor_key(void *user, const char *section, const char *key, const char *value)
{
	struct load_state *st = user;

	if (strcmp(section, "reaper") == 0)
		return reaper_key(st, key, value) == 0;
	if (strcmp(section, "claims") == 0)
		return claims_key(st, key, value) == 0;
	rb_input_error(st->err, "%s:%d: unknown section [%s]", st->r->file, st->line, section);
	return 0;
}

/* A line reader that counts lines, so handler errors can name them, and
 * refuses lines longer than inih's buffer (INI_MAX_LINE, 200 in Debian's
 * build) instead of letting inih split them into two "lines". */
struct line_reader {
	FILE *f;
	struct load_state *st;
	bool too_long;
};

static char *counting_reader(char *buf, int size, void *stream)
{
	struct line_reader *in = stream;
	char *s = fgets(buf, size, in->f);
	size_t len;

	if (!s)
		return NULL;
	in->st->line++;
	len = strlen(s);
	if (len == (size_t)size - 1 && s[len - 1] != '\n' && !feof(in->f)) {
		rb_input_error(in->st->err, "%s:%d: line longer than %d characters", in->st->r->file,
			       in->st->line, size - 2);
		in->too_long = true;
		return NULL;
	}
	return s;
}

static int check_required(struct load_state *st)
{
	static const struct { unsigned bit; const char *what; } required[] = {
		{ SEEN_NAME, "[reaper] name" },       { SEEN_SUMMARY, "[reaper] summary" },
		{ SEEN_MODE, "[reaper] mode" },       { SEEN_COMMAND, "[reaper] command" },
		{ SEEN_REAPS, "[claims] reaps" },
	};

	for (size_t i = 0; i < N_OF(required); i++)
		if (!(st->seen & required[i].bit))
			return st->line > 0 ? rb_input_error(st->err, "%s:%d: missing %s", st->r->file,
							     st->line, required[i].what)
					    : rb_input_error(st->err, "%s: empty, missing %s",
							     st->r->file, required[i].what);
	if (st->r->mode != RB_MODE_NONE && st->r->binary[0] == '\0')
		return rb_input_error(st->err, "%s:%d: mode %s needs [reaper] binary", st->r->file,
				      st->line, mode_names[st->r->mode]);
	/* wrap and none run the workload: without it every check sees the reaper alone */
	if (st->r->mode != RB_MODE_STANDALONE && !strstr(st->r->command, "{cmd}") &&
	    !strstr(st->r->command, "{cmd_sh}"))
		return rb_input_error(st->err, "%s:%d: command: mode %s needs {cmd} or {cmd_sh} (the "
				      "workload) in the command", st->r->file, st->command_line,
				      mode_names[st->r->mode]);
	return 0;
}

int rb_reaper_load(const char *file, struct rb_reaper *r, struct rb_error *err)
{
	struct load_state st = { .r = r, .err = err };
	struct line_reader in = { NULL, &st, false };
	struct stat sb;
	int rc;

	memset(r, 0, sizeof(*r));
	r->claims.exec_not_found = -1;
	r->claims.exec_not_executable = -1;
	r->claims.exit_status = RB_EXIT_NONE;
	sigemptyset(&r->claims.forwards);
	sigemptyset(&r->claims.stops);
	sigemptyset(&r->claims.child_blocked);
	if (strlen(file) >= sizeof(r->file))
		return rb_input_error(err, "%.64s...: path too long", file);
	strcpy(r->file, file);
	in.f = fopen(file, "re");
	if (!in.f)
		return rb_fail(err, RB_ERR_INPUT, errno, "%s", file);
	if (fstat(fileno(in.f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(in.f);
		return rb_fail(err, RB_ERR_INPUT, EISDIR, "%s", file);
	}
	err->kind = RB_ERR_NONE;
	rc = ini_parse_stream(counting_reader, &in, descriptor_key, &st);
	fclose(in.f);
	if (in.too_long)
		return -1;
	if (rc != 0) {
		/* rc > 0: a handler or syntax error on line rc. */
		if (err->kind == RB_ERR_NONE)
			rb_input_error(err, "%s:%d: syntax error (expected [section] or key = value)",
				       file, rc > 0 ? rc : st.line);
		return -1;
	}
	return check_required(&st);
}

static bool looks_like_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') != NULL || (n > 4 && strcmp(s + n - 4, ".ini") == 0);
}

static bool valid_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 63)
		return false;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

int rb_reaper_find(const struct rb_sysinfo *si, const char *name_or_path, struct rb_reaper *r,
		   struct rb_error *err)
{
	char file[PATH_MAX];

	if (looks_like_path(name_or_path))
		return rb_reaper_load(name_or_path, r, err);
	if (!valid_name(name_or_path))
		return rb_input_error(err, "'%s' is not a reaper name", name_or_path);
	snprintf(file, sizeof(file), "%s/%s.ini", si->reapers_dir, name_or_path);
	if (access(file, F_OK) != 0)
		return rb_input_error(err, "unknown reaper '%s' (no %s; see 'reapbench list')",
				      name_or_path, file);
	if (rb_reaper_load(file, r, err) < 0)
		return -1;
	if (strcmp(r->name, name_or_path) != 0)
		return rb_input_error(err, "%s: name '%s' does not match the file name", file, r->name);
	return 0;
}

/* ---- words and templates ---------------------------------------------- */

int rb_argv_push(char ***words, size_t *n, const char *w, size_t len)
{
	char **grown = realloc(*words, (*n + 2) * sizeof(char *));

	if (!grown)
		return -1;
	*words = grown;
	grown[*n] = strndup(w, len);
	if (!grown[*n])
		return -1;
	grown[++*n] = NULL;
	return 0;
}

int rb_split_words(const char *line, char ***words, struct rb_error *err)
{
	size_t n = 0, len = 0, cap = strlen(line) + 1;
	char *word = malloc(cap), quote = 0;
	bool in_word = false;

	*words = calloc(1, sizeof(char *));
	if (!word || !*words)
		goto oom;
	for (const char *p = line;; p++) {
		char c = *p;

		if (c == '\0' || (!quote && (c == ' ' || c == '\t'))) {
			if (quote)
				goto unterminated;
			if (in_word && rb_argv_push(words, &n, word, len) < 0)
				goto oom;
			in_word = false;
			len = 0;
			if (c == '\0')
				break;
			continue;
		}
		in_word = true;
		if (quote ? c == quote : (c == '\'' || c == '"')) {
			quote = quote ? 0 : c;
			continue;
		}
		if (c == '\\' && quote != '\'' && p[1] != '\0')
			c = *++p;
		word[len++] = c;
	}
	free(word);
	return 0;
unterminated:
	free(word);
	rb_argv_free(*words);
	*words = NULL;
	return rb_input_error(err, "unterminated quote in '%s'", line);
oom:
	free(word);
	rb_argv_free(*words);
	*words = NULL;
	return rb_sys_error(err, ENOMEM, "splitting '%s'", line);
}

void rb_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}

char *rb_shell_join(char *const argv[])
{
	size_t len = 1;
	char *out, *o;

	for (char *const *a = argv; *a; a++)
		for (const char *c = *a; ; c++) {
			len += *c == '\'' ? 4 : 1;
			if (!*c) {
				len += 3;
				break;
			}
		}
	out = o = malloc(len);
	if (!out)
		return NULL;
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			*o++ = ' ';
		*o++ = '\'';
		for (const char *c = *a; *c; c++) {
			if (*c == '\'') {
				memcpy(o, "'\\''", 4);
				o += 4;
			} else {
				*o++ = *c;
			}
		}
		*o++ = '\'';
	}
	*o = '\0';
	return out;
}

/* Replace every "{KEY}" in WORD by VALUE; returns a new string. */
static char *substitute(const char *word, const char *key, const char *value)
{
	size_t klen = strlen(key), vlen = strlen(value), n = 0;
	const char *p;
	char *out, *o;

	for (p = word; (p = strstr(p, key)); p += klen)
		n++;
	out = o = malloc(strlen(word) + n * vlen + 1);
	if (!out)
		return NULL;
	for (p = word; *p;) {
		if (strncmp(p, key, klen) == 0) {
			memcpy(o, value, vlen);
			o += vlen;
			p += klen;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

int rb_reaper_argv(const struct rb_reaper *r, char *const workload[], char ***argv,
		   struct rb_error *err)
{
	char **words = NULL, **out = NULL, *joined = NULL;
	size_t n = 0;
	int rc = -1;

	if (rb_split_words(r->command, &words, err) < 0)
		return -1;
	joined = rb_shell_join(workload);
	out = calloc(1, sizeof(char *));
	if (!joined || !out)
		goto oom;
	for (char **w = words; *w; w++) {
		if (strcmp(*w, "{cmd}") == 0) {
			for (char *const *a = workload; *a; a++)
				if (rb_argv_push(&out, &n, *a, strlen(*a)) < 0)
					goto oom;
			continue;
		}
		char *s1 = substitute(*w, "{binary}", r->path);
		char *s2 = s1 ? substitute(s1, "{cmd_sh}", joined) : NULL;

		free(s1);
		if (!s2 || rb_argv_push(&out, &n, s2, strlen(s2)) < 0) {
			free(s2);
			goto oom;
		}
		free(s2);
	}
	if (n == 0) {
		rb_input_error(err, "%s: command template is empty", r->file);
		goto out;
	}
	*argv = out;
	out = NULL;
	rc = 0;
	goto out;
oom:
	rb_sys_error(err, ENOMEM, "%s: expanding the command", r->file);
out:
	rb_argv_free(words);
	rb_argv_free(out);
	free(joined);
	return rc;
}

int rb_registry_files(const struct rb_sysinfo *si, char ***files, struct rb_error *err)
{
	struct dirent **ents;
	size_t n = 0;
	int count;

	count = scandir(si->reapers_dir, &ents, NULL, alphasort);
	if (count < 0)
		return rb_fail(err, RB_ERR_INPUT, errno, "reaper registry %s", si->reapers_dir);
	*files = calloc(1, sizeof(char *));
	for (int i = 0; i < count; i++) {
		const char *nm = ents[i]->d_name;
		size_t len = strlen(nm);
		char path[PATH_MAX];

		if (*files && len > 4 && strcmp(nm + len - 4, ".ini") == 0) {
			snprintf(path, sizeof(path), "%s/%s", si->reapers_dir, nm);
			if (rb_argv_push(files, &n, path, strlen(path)) < 0) {
				rb_argv_free(*files);
				*files = NULL;
			}
		}
		free(ents[i]);
	}
	free(ents);
	if (!*files)
		return rb_sys_error(err, ENOMEM, "listing %s", si->reapers_dir);
	return 0;
}

/* ---- resolution on this machine ------------------------------------------ */

static void set_unavailable(struct rb_reaper *r, const char *fmt, const char *arg)
{
	r->available = false;
	snprintf(r->unavailable_reason, sizeof(r->unavailable_reason), fmt, arg);
}

/* Run the version command, read the first line of its output (stdout and
 * stderr: dumb-init prints to stderr) and keep the first dotted number. */
static void read_version(struct rb_reaper *r)
{
	char *words_line = substitute(r->version_command, "{binary}", r->path);
	char **argv = NULL, buf[512] = "";
	struct rb_error err;
	int pipefd[2], st;
	regex_t re;
	regmatch_t m;
	ssize_t got = 0, n;
	pid_t pid;

	if (!words_line || rb_split_words(words_line, &argv, &err) < 0 || !argv[0])
		goto out;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (pid > 0 && (n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &st, 0);
	buf[got] = '\0';
	if (regcomp(&re, "[0-9]+(\\.[0-9]+)+", REG_EXTENDED) == 0) {
		if (regexec(&re, buf, 1, &m, 0) == 0 && m.rm_eo - m.rm_so < (int)sizeof(r->version))
			snprintf(r->version, sizeof(r->version), "%.*s", (int)(m.rm_eo - m.rm_so),
				 buf + m.rm_so);
		regfree(&re);
	}
out:
	if (r->version[0] == '\0')
		snprintf(r->version, sizeof(r->version), "unknown");
	free(words_line);
	rb_argv_free(argv);
}

void rb_reaper_resolve(const struct rb_sysinfo *si, struct rb_reaper *r)
{
	const char *env = r->binary_env[0] ? getenv(r->binary_env) : NULL;
	char *bin;

	r->available = true;
	if (r->mode == RB_MODE_NONE) {
		snprintf(r->version, sizeof(r->version), "-");
		return;
	}
	bin = substitute(env && *env ? env : r->binary, "{builddir}", si->exe_dir);
	if (!bin) {
		set_unavailable(r, "%s", "out of memory");
		return;
	}
	if (strchr(bin, '/')) {
		snprintf(r->path, sizeof(r->path), "%s", bin);
		if (access(r->path, X_OK) != 0)
			set_unavailable(r, "%s is not an executable file", r->path);
	} else if (!rb_find_in_path(bin, r->path, sizeof(r->path))) {
		r->path[0] = '\0';
		set_unavailable(r, "'%s' not found in PATH", bin);
	}
	free(bin);
	if (r->available && r->version_command[0])
		read_version(r);
}

static int by_class_then_name(const void *a, const void *b)
{
	const struct rb_reaper *x = a, *y = b;

	if (x->class_ != y->class_)
		return (int)x->class_ - (int)y->class_;
	return strcmp(x->name, y->name);
}

/* A name two descriptors share would make two columns of one name (and
 * compare, which matches by name, could not tell them apart). */
static int unique_name(const struct rb_reaper *loaded, size_t n, const struct rb_reaper *r,
		       struct rb_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(loaded[i].name, r->name) == 0)
			return rb_input_error(err, "%s: name '%s' is taken by %s; ignored", r->file,
					      r->name, loaded[i].file);
	return 0;
}

int rb_registry_load_all(const struct rb_sysinfo *si, struct rb_reaper **out, size_t *n, int *bad,
			 struct rb_error *err)
{
	struct rb_reaper *all;
	size_t count = 0, used = 0;
	char **files;

	if (rb_registry_files(si, &files, err) < 0)
		return -1;
	while (files[count])
		count++;
	all = calloc(count ? count : 1, sizeof(*all));
	if (!all) {
		rb_argv_free(files);
		return rb_sys_error(err, ENOMEM, "loading the registry");
	}
	*bad = 0;
	for (size_t i = 0; i < count; i++) {
		struct rb_error ferr;

		if (rb_reaper_load(files[i], &all[used], &ferr) < 0 ||
		    unique_name(all, used, &all[used], &ferr) < 0) {
			fprintf(stderr, "reapbench: %s\n", ferr.msg);
			++*bad;
			continue;
		}
		rb_reaper_resolve(si, &all[used++]);
	}
	rb_argv_free(files);
	qsort(all, used, sizeof(*all), by_class_then_name);
	*out = all;
	*n = used;
	return 0;
}

int rb_require_available(const struct rb_reaper *r, struct rb_error *err)
{
	if (r->available)
		return 0;
	return rb_input_error(err, "reaper %s is unavailable: %s%s%s%s", r->name,
			      r->unavailable_reason, r->package[0] ? " (apt-get install " : "",
			      r->package, r->package[0] ? ")" : "");
}

int rb_registry_select(const struct rb_sysinfo *si, const char *const names[], int nnames,
		       bool with_controls, struct rb_reaper **out, size_t *n, struct rb_error *err)
{
	struct rb_reaper *all;
	size_t nall, k = 0;
	int bad;

	if (nnames > 0) {
		all = calloc((size_t)nnames, sizeof(*all));
		if (!all)
			return rb_sys_error(err, ENOMEM, "reapers");
		for (int i = 0; i < nnames; i++) {
			if (rb_reaper_find(si, names[i], &all[i], err) < 0) {
				free(all);
				return -1;
			}
			rb_reaper_resolve(si, &all[i]);
			if (rb_require_available(&all[i], err) < 0) {
				free(all);
				return -1;
			}
		}
		*out = all;
		*n = (size_t)nnames;
		return 0;
	}
	if (rb_registry_load_all(si, &all, &nall, &bad, err) < 0)
		return -1;
	for (size_t i = 0; i < nall; i++)
		if (all[i].class_ != RB_CLASS_CONTROL || with_controls)
			all[k++] = all[i];
	*out = all;
	*n = k;
	return 0;
}
