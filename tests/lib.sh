# Helpers for integration tests (sourced). Each test file prints TAP lines;
# tests/run numbers and counts them. Conventions after kselftest: a missing
# feature is a loud SKIP with its reason, never a pass.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RB_BUILD:-build}
RB="$ROOT/$BUILD/reapbench"
TMP=$(mktemp -d /tmp/reapbench-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
chmod 755 "$TMP"

ok()    { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
skip()  { echo "ok - # SKIP $*"; }
# check DESC CMD...: ok if CMD succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
diag()  { sed 's/^/# /' >&2; }

# rb ARGS: run reapbench, output in $TMP/out, exit code in $rc
rb() { "$RB" "$@" >"$TMP/out" 2>&1; rc=$?; return 0; }
# field NAME: the value after NAME in reapbench run's output
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$TMP/out"; }
expect_eq() { # DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got '$2', want '$3'"; cat "$TMP/out" | diag; fi
}
# Processes of a nested PID namespace that run this build (its binaries, or
# a reaper's command line naming them, from the checkout or this test's
# copy): other checkouts' sandboxes on the same machine do not count.
nested_count() {
	local n=0 st
	for st in /proc/[0-9]*/status; do
		[ "$(awk '/^NSpid:/{print NF-1}' "$st" 2>/dev/null)" -gt 1 ] 2>/dev/null || continue
		tr '\0' ' ' <"${st%/status}/cmdline" 2>/dev/null | grep -qF -e "$ROOT/$BUILD/" -e "$TMP/" \
			&& n=$((n + 1))
	done
	echo $n
}
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# reapbench as uid 65534. If the checkout is not reachable by that uid (a
# clone under /root), run a copy of the build and the registry from $TMP.
RB_NOBODY=$RB
if [ "$(id -u)" -eq 0 ] && ! as_nobody test -x "$RB" -a -r "$ROOT/reapers/tini.ini"; then
	mkdir -p "$TMP/nobody"
	cp -r "$ROOT/$BUILD" "$TMP/nobody/build" && cp -r "$ROOT/reapers" "$TMP/nobody/reapers"
	chmod -R a+rX "$TMP/nobody"
	RB_NOBODY="$TMP/nobody/build/reapbench"
fi
mkdir -p "$TMP/w" && chmod 777 "$TMP/w"
# exec keeps the pid: "rb_nobody ... &" gives $! = the harness
rb_nobody() { (cd "$TMP/w" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$RB_NOBODY" "$@"); }

# gone_within PID SECONDS: PID is gone within SECONDS
gone_within() {
	for _ in $(seq $(($2 * 50))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.02; done
	return 1
}
# await_pid REGEX: the pid of a process whose command line matches, waiting
# up to 10 s for it to start; empty if none did
await_pid() {
	local p=
	for _ in $(seq 200); do p=$(pgrep -f "$1" | head -1); [ -n "$p" ] && break; sleep 0.05; done
	echo "$p"
}

# A process that cannot die, for the harness's bounded waits: frozen by a
# cgroup v1 freezer of this test's, a task ignores SIGKILL until thawed
# (cgroup v2's freezer lets SIGKILL through). freezer_make fails where there
# is no v1 freezer to write; the freezer is thawed whatever ends the test.
FREEZER=
freezer_make() {
	[ "$(id -u)" -eq 0 ] && [ -w /sys/fs/cgroup/freezer ] || return 1
	FREEZER=/sys/fs/cgroup/freezer/reapbench-test-$$
	mkdir "$FREEZER" && trap 'thaw; rm -rf "$TMP"' EXIT
}
freeze() { echo "$1" >"$FREEZER/cgroup.procs" && echo FROZEN >"$FREEZER/freezer.state"; }
thaw() { if [ -n "$FREEZER" ] && [ -e "$FREEZER" ]; then echo THAWED >"$FREEZER/freezer.state"; fi; }
freezer_remove() { thaw; rmdir "$FREEZER"; }
# the harness's one line when a process of the sandbox's namespace, PID,
# outlived PID 1's end (a regex)
stuck_line() {
	echo "^reapbench: PID 1 \(pid [0-9]*\) did not finish exiting: for 15 s no task of its namespace went away, and it still holds 1 task: $1 \(D\)$"
}
