# make bench-check's plumbing (bench/check, bench/baseline) on small records in
# temp dirs: an identical record passes (exit 0), a doctored regression fails
# (exit 1, named), a missing, empty, corrupt, other-machine or other-plan
# baseline is bad input (exit 2, saying to run `make baseline`); and the whole
# path (baseline, then check) on a tiny plan.
. "$(dirname "$0")/../lib.sh"

CHECK="$ROOT/bench/check"
# chk ARGS: bench/check, output in $TMP/out, exit code in $rc
chk() { "$CHECK" --build "$BUILD" "$@" >"$TMP/out" 2>&1; rc=$?; return 0; }
says_baseline() { # DESC: exit 2 and the hint
	if [ "$rc" -eq 2 ] && grep -q 'make baseline' "$TMP/out"; then ok "$1: exit 2, says make baseline"
	else notok "$1: exit 2, says make baseline (exit $rc)"; diag <"$TMP/out"; fi
}

# the reference and, as in the gate's plan, its yardstick tini beside it
yard=()
command -v tini >/dev/null && yard=(-r tini)
"$RB" storm -r reference "${yard[@]}" --pattern hoard --count 200 --repeat 5 --out "$TMP/s" >"$TMP/storm.out" 2>&1
if [ ! -s "$TMP/s/storm.json" ]; then
	skip "gate: reapbench storm made no record here"; diag <"$TMP/storm.out"
	exit 0
fi
B=$TMP/base N=$TMP/new
mkdir -p "$B" "$N"
cp "$TMP/s/storm.json" "$B/" && cp "$TMP/s/storm.json" "$N/"

chk --no-run --baseline "$B" --out "$N"
expect_eq "identical storm record: exit 0" "$rc" 0
grep -q '^-- storm.json: no regression' "$TMP/out" && grep -q '^== conform.json: not in both' "$TMP/out" &&
	ok "identical: storm compared, conform said missing" || { notok "identical: verdicts printed"; diag <"$TMP/out"; }

# every run's pids_peak x1.5: a regression, named (a count: the gate's --trim
# leaves its 5 runs, while a timed metric keeps 3, too few for p < 0.05)
jq '(.runs[].measurements[] | select(.name == "pids_peak") | .value) |= . * 1.5' \
	"$TMP/s/storm.json" >"$N/storm.json"
chk --no-run --baseline "$B" --out "$N"
expect_eq "pids_peak x1.5: exit 1" "$rc" 1
grep -qE '^reference +pids_peak .*REGRESSES$' "$TMP/out" && grep -q 'REGRESSION against' "$TMP/out" &&
	ok "x1.5: the metric is named" || { notok "x1.5: the metric is named"; diag <"$TMP/out"; }

# conform: a cell ok -> DEVIATES fails even when the storm is the same
cp "$TMP/s/storm.json" "$N/storm.json"
cat >"$B/conform.json" <<JSON
{ "schema": "reapbench.record/1", "command": "conform", "created": "2026-11-27T00:00:00Z",
  "harness": {"version": "0", "commit": "x"}, "environment": $(jq -c .environment "$TMP/s/storm.json"),
  "options": {"repeat": 1}, "skips": [],
  "runs": [ { "reaper": {"name": "reference"}, "measurements": [], "skips": [],
              "conformance": [ {"check": "forward.parent.SIGUSR1", "verdict": "ok"} ] } ] }
JSON
jq '.runs[0].conformance[0].verdict = "DEVIATES"' "$B/conform.json" >"$N/conform.json"
chk --no-run --baseline "$B" --out "$N"
expect_eq "conform ok -> DEVIATES: exit 1" "$rc" 1
cp "$B/conform.json" "$N/conform.json"
chk --no-run --baseline "$B" --out "$N"
expect_eq "conform and storm identical: exit 0" "$rc" 0

# bad baselines
chk --no-run --baseline "$TMP/nothing" --out "$N"
says_baseline "missing baseline"
mkdir -p "$TMP/empty"
chk --no-run --baseline "$TMP/empty" --out "$N"
says_baseline "empty baseline"
mkdir -p "$TMP/bad"
head -c 1000 "$TMP/s/storm.json" >"$TMP/bad/storm.json"
chk --no-run --baseline "$TMP/bad" --out "$N"
says_baseline "truncated baseline"
jq '.environment.hostname = "elsewhere"' "$TMP/s/storm.json" >"$TMP/bad/storm.json"
chk --no-run --baseline "$TMP/bad" --out "$N"
says_baseline "baseline from another machine"
# ... refused before the plan runs: nothing measured, nothing written
start=$(date +%s)
chk --baseline "$TMP/bad" --out "$TMP/not-run"
expect_eq "another machine's baseline: exit 2 before running the plan" \
	"$rc/$([ -e "$TMP/not-run/storm.json" ] && echo ran || echo not-run)/$(( $(date +%s) - start < 10 ))" "2/not-run/1"
jq '.options.count = 1000' "$TMP/s/storm.json" >"$TMP/bad/storm.json"
chk --no-run --baseline "$TMP/bad" --out "$N"
says_baseline "baseline of another plan (count)"
# a regression elsewhere does not hide the bad input
cp "$B/conform.json" "$TMP/bad/" && jq '.runs[0].conformance[0].verdict = "DEVIATES"' "$B/conform.json" >"$N/conform.json"
chk --no-run --baseline "$TMP/bad" --out "$N"
expect_eq "bad storm baseline and a conform regression: exit 2" "$rc" 2

# rb-init --reap-spin-ns, the gate's slowdown knob: 20 us per reap shows in
# PID 1's CPU per reap (~2-4 us without), a bad value is a usage error
mkdir -p "$TMP/reg"
sed -e 's|^command = {binary} -- {cmd}$|command = {binary} --reap-spin-ns=20000 -- {cmd}|' \
	-e "s|{builddir}|$ROOT/$BUILD|" "$ROOT/reapers/reference.ini" >"$TMP/reg/reference.ini"
REAPBENCH_REAPERS=$TMP/reg "$RB" storm -r reference --pattern hoard --count 200 --repeat 3 --out "$TMP/spin" >"$TMP/out" 2>&1
cpu() { jq '[.runs[].measurements[] | select(.name == "pid1_cpu_per_1000_reaps") | .value] | sort | .[1]' "$1"; }
if [ -s "$TMP/spin/storm.json" ] && awk -v s="$(cpu "$TMP/spin/storm.json")" -v b="$(cpu "$TMP/s/storm.json")" \
	'BEGIN { exit !(s > 2 * b && s > 0.010) }'; then
	ok "--reap-spin-ns=20000: PID 1's CPU per 1000 reaps $(cpu "$TMP/spin/storm.json") s (without: $(cpu "$TMP/s/storm.json"))"
else
	notok "--reap-spin-ns=20000 raises PID 1's CPU per reap"; diag <"$TMP/out"
fi
"$ROOT/$BUILD/rb-init" --reap-spin-ns=x -- true >"$TMP/out" 2>&1
expect_eq "rb-init --reap-spin-ns=x: exit 2" "$?" 2

# the whole path on a tiny plan: make baseline, then bench-check
export GATE_STORM="--pattern hoard --count 200 --repeat 3" GATE_CONFORM="-r reference --check exit.code.42" \
	GATE_SIGNALS="--conditions idle --count 20 --rate 500 --repeat 2"
"$ROOT/bench/baseline" --build "$BUILD" --baseline "$TMP/b2" >"$TMP/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ -s "$TMP/b2/storm.json" ] && [ -s "$TMP/b2/conform.json" ] && [ -s "$TMP/b2/signals.json" ] &&
	grep -q "commit" "$TMP/b2/README.md" && grep -qF "$(hostname)" "$TMP/b2/README.md"; then
	ok "bench/baseline: records and README.md (host, commit)"
else
	notok "bench/baseline: records and README.md (exit $rc)"; diag <"$TMP/out"
fi
chk --baseline "$TMP/b2" --out "$TMP/n2"
# 3 runs against 3 cannot reach p < 0.05: only the conform cell could fail
expect_eq "bench/check after bench/baseline: exit 0" "$rc" 0
[ -s "$TMP/n2/storm.json" ] && [ -s "$TMP/n2/conform.json" ] && [ -s "$TMP/n2/signals.json" ] &&
	grep -q '^-- signals.json: no regression' "$TMP/out" && ok "bench/check: ran the plan (conform, storm, signals) into --out" ||
	{ notok "bench/check: ran the plan into --out"; diag <"$TMP/out"; }
chk --baseline "$TMP/b2" --out "$TMP/n2"
expect_eq "bench/check into a used --out: exit 2" "$rc" 2

# The knob that matters most: a reference that drops SIGUSR1 (under the
# reference's name) fails bench/check, on the signal train.
mkdir -p "$TMP/reg-drop"
sed -e 's/^name = broken-drop-signal/name = reference/' "$ROOT/reapers/broken-drop-signal.ini" \
	>"$TMP/reg-drop/reference.ini"
cp "$ROOT/reapers/tini.ini" "$TMP/reg-drop/" # the gate's yardstick
REAPBENCH_REAPERS="$TMP/reg-drop" chk --baseline "$TMP/b2" --out "$TMP/n3"
expect_eq "bench/check with a reference that drops SIGUSR1: exit 1" "$rc" 1
grep -q 'reference/idle .*signals_lost .*REGRESSES' "$TMP/out" && grep -q '^-- signals.json: REGRESSION' "$TMP/out" \
	&& ok "bench/check names signals_lost" || { notok "bench/check names signals_lost"; diag <"$TMP/out"; }
