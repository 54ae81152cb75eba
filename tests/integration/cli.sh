# Bad input: one line naming the problem, exit 2, nothing started or left.
. "$(dirname "$0")/../lib.sh"

cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)

bad_input() { # DESC ARGS...: expect exit 2 and exactly one line of output
	local d=$1; shift
	rb "$@"
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q '^reapbench: ' "$TMP/out"; then
		ok "$d: $(cat "$TMP/out")"
	else
		notok "$d (rc $rc)"; diag <"$TMP/out"
	fi
}

bad_input "unknown reaper" run -r no-such-reaper -- exit 0
bad_input "reaper name with a slash-less traversal" run -r '..' -- exit 0
bad_input "missing descriptor file" run -r /nonexistent/x.ini -- exit 0
bad_input "malformed descriptor names file:line" run -r "$ROOT/tests/fixtures/bad-mode.ini" -- exit 0
grep -q 'bad-mode.ini:4:' "$TMP/out" && ok "error names bad-mode.ini:4" || notok "error names bad-mode.ini:4"
bad_input "reaper not installed" run -r "$ROOT/tests/fixtures/missing-binary.ini" -- exit 0
grep -q 'unavailable' "$TMP/out" && ok "missing binary reported unavailable" || notok "missing binary reported unavailable"
bad_input "pid_max below 301" run -r tini --pid-max 300 -- exit 0
bad_input "pid_max not a number" run -r tini --pid-max lots -- exit 0
bad_input "negative pids.max" run -r tini --pids-max -5 -- exit 0
bad_input "zero deadline" run -r tini --deadline 0 -- exit 0
bad_input "absurd deadline" run -r tini --deadline 1000h -- exit 0
bad_input "deadline with a bad unit" run -r tini --deadline 10parsecs -- exit 0
bad_input "bad --userns" run -r tini --userns maybe -- exit 0
bad_input "unknown option" run -r tini --frobnicate -- exit 0
bad_input "no payload" run -r tini
bad_input "payload not found" run -r tini -- /nonexistent/app
bad_input "payload not executable" run -r tini -- /etc/passwd
bad_input "unknown command" frobnicate
bad_input "negative smoke count" smoke --count -3

# The payload rejects its own bad arguments (exit 2) and PID 1 reports it.
rb run -r tini --no-record -- orphans -5
expect_eq "payload rejects a negative count, PID 1 passes 2 on" "$(field pid1 | cut -d' ' -f1-2)" "exited 2"

# A malformed descriptor in the registry: list shows the rest, names it, exits 2.
mkdir -p "$TMP/reg"
cp "$ROOT"/reapers/tini.ini "$ROOT/tests/fixtures/bad-mode.ini" "$ROOT/tests/fixtures/missing-binary.ini" "$TMP/reg/"
REAPBENCH_REAPERS="$TMP/reg" rb list
expect_eq "list exits 2 with a malformed descriptor" "$rc" 2
grep -q 'bad-mode.ini:4:' "$TMP/out" && grep -q '^tini ' "$TMP/out" \
	&& ok "list names the bad file and still lists the good one" || notok "list names the bad file and still lists the good one"
grep -qE '^missing-binary +init +wrap +unavailable' "$TMP/out" && ok "list marks a missing binary unavailable" \
	|| { notok "list marks a missing binary unavailable"; diag <"$TMP/out"; }

# The shipped registry: all nine inits available after make setup.
rb list
expect_eq "list exits 0" "$rc" 0
for r in tini tini-g dumb-init dumb-init-c catatonit catatonit-g pause bash none; do
	grep -qE "^$r +init +[a-z]+ +available" "$TMP/out" && ok "list: $r available" \
		|| { notok "list: $r available"; diag <"$TMP/out"; }
done
grep -qE '^tini +init +wrap +available +[0-9]+\.[0-9]+\.[0-9]+ +/' "$TMP/out" && ok "list shows tini's version and path" \
	|| notok "list shows tini's version and path"

cgroups_after=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
expect_eq "bad input left no cgroup behind" "$cgroups_after" "$cgroups_before"
