# reapbench gate: two versions measured side by side in pairs, no stored
# baseline. The reference against itself passes; against a control that
# drops SIGUSR1 it fails (the conformance cell and the lost signals), and
# against a copy that burns 1 ms of CPU per reap it fails on PID 1's CPU per
# reap; bad input is one line and exit 2. Small plans: behaviour, not power
# (bench/gate-quality measures that).
. "$(dirname "$0")/../lib.sh"

small=(--pairs 6 --signal-pairs 2 --count 200 --check forward.parent.SIGUSR1)

# identical: at 6 pairs, every pair one way happens 1 time in 32 per metric,
# and under ASan a drain 60 % apart with it (bench/gate-ab-quality measures
# the rate at 30 pairs): judged here only on changes of 4x
wide=(--threshold 300)
for m in drain_time reap_latency_p50 reap_latency_p99 signal_latency_p50 spawn_rate; do
	wide+=(--metric-threshold "$m=300")
done
rb gate --base reference "${small[@]}" "${wide[@]}" --out "$TMP/same" \
	--export-gab "$TMP/same/gab.json" --export-bmf "$TMP/same/bmf.json"
expect_eq "gate: the reference against itself passes" "$rc" 0
grep -q '^no regression$' "$TMP/out" || { notok "gate: says no regression"; diag <"$TMP/out"; }
pairs=$(jq '[.metrics[] | select(.name == "pid1_cpu_per_1000_reaps") | .values | length] | .[0]' \
	"$TMP/same/gate.json" 2>/dev/null)
expect_eq "gate: the record holds every pair" "$pairs" 6
expect_eq "gate: the parts' records are kept" \
	"$(ls "$TMP/same/storm" 2>/dev/null | wc -l)/$(ls "$TMP/same/signals" 2>/dev/null | wc -l)" "12/4"

rb gate --base reference --new broken-drop-signal "${small[@]}" --out "$TMP/drop"
expect_eq "gate: a change that drops SIGUSR1 fails" "$rc" 1
grep -qE '^signals_lost .* REGRESSES$' "$TMP/out" && grep -q 'conformance forward.parent.SIGUSR1: .*REGRESSES' "$TMP/out" \
	&& ok "gate: it names the lost signals and the broken claim" \
	|| { notok "gate: the drop is not named"; diag <"$TMP/out"; }

# the storm generator gated too (--new-payload: the change's rb-payload): a
# generator that burns 500 us after every spawn (a third of its speed or
# less) fails on the spawn rate
printf '#!/bin/sh\nREAPBENCH_STORM_SPAWN_SPIN_NS=500000 exec %s "$@"\n' "$ROOT/$BUILD/rb-payload" >"$TMP/slow-payload"
chmod +x "$TMP/slow-payload"
rb gate --base reference --new-payload "$TMP/slow-payload" --pairs 6 --signal-pairs 0 --count 200 \
	--no-conform --out "$TMP/gen" --format md
expect_eq "gate: a slower storm generator fails" "$rc" 1
grep -qE '^\| spawn_rate \| storm \| 6 \| .* \| REGRESSES \|$' "$TMP/out" && grep -q '^| METRIC | PART | PAIRS |' "$TMP/out" \
	&& ok "gate --format md: the table names the spawn rate" \
	|| { notok "gate: the generator's slowdown is not named"; diag <"$TMP/out"; }
expect_eq "gate: the record names the payload" "$(jq -r '.options.new_payload' "$TMP/gen/gate.json")" \
	"$(realpath "$TMP/slow-payload")"
rb gate --base reference --base-payload "$TMP/no-such-payload"
expect_eq "gate: a missing --base-payload is bad input" "$rc" 2

# a copy of the reference that spins 1 ms after each reap: ~50x its CPU per reap
sed -e 's/^name = .*/name = slow-reference/' -e 's/^command = {binary} /command = {binary} --reap-spin-ns=1000000 /' \
	"$ROOT/reapers/reference.ini" >"$TMP/slow.ini"
rb gate --base reference --new "$TMP/slow.ini" --pairs 6 --signal-pairs 0 --count 200 --no-conform --out "$TMP/slow"
expect_eq "gate: a change slower at reaping fails" "$rc" 1
grep -qE '^pid1_cpu_per_1000_reaps .* REGRESSES$' "$TMP/out" && ok "gate: it names PID 1's CPU per reap" \
	|| { notok "gate: the slowdown is not named"; diag <"$TMP/out"; }

bad() { # DESC WANT ARGS...: exit 2, one line containing WANT
	local d=$1 want=$2; shift 2
	rb "$@"
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -qF -- "$want" "$TMP/out"; then
		ok "gate bad input: $d"
	else
		notok "gate bad input: $d (rc $rc)"; diag <"$TMP/out"
	fi
}
bad "no --base" "--base is required" gate --out "$TMP/b1"
bad "unknown reaper" "nosuchinit" gate --base nosuchinit --out "$TMP/b2"
bad "missing binary" "--base-binary /nonexistent/rb-init" gate --base reference --base-binary /nonexistent/rb-init --out "$TMP/b3"
bad "too few pairs" "--pairs: 3 is out of range" gate --base reference --pairs 3
bad "an unknown metric" "--metric-threshold: 'pids=5'" gate --base reference --metric-threshold pids=5
bad "a count's threshold" "--metric-threshold: 'signals_lost=5'" gate --base reference --metric-threshold signals_lost=5

# the dashboards' exports (of the first run): ratios for the timed metrics, counts as counts
expect_eq "gate --export-gab: every figure, the CPU per reap as a ratio" \
	"$(jq -r 'length' "$TMP/same/gab.json" 2>/dev/null)/$(jq -r '.[] | select(.name == "storm/pid1_cpu_per_1000_reaps new/base") | .unit' "$TMP/same/gab.json" 2>/dev/null)" \
	"7/ratio"
expect_eq "gate --export-bmf: the same with its interval" \
	"$(jq -r '.gate.signals_lost.value, (.gate.pid1_cpu_per_1000_reaps | (.lower_value <= .value and .value <= .upper_value))' "$TMP/same/bmf.json" 2>/dev/null | tr '\n' ' ')" "0 true "

# The example CI workflow names only what exists: the scripts it runs, and
# every option it gives bench/gate-ref and reapbench gate (git's, apt's and
# the container's own options aside).
W=$ROOT/docs/ci/github-actions-gate.yml
help=$("$RB" gate --help 2>&1; "$ROOT/bench/gate-ref" --help 2>&1)
missing=
for f in .ci/cgroup-leaf bench/gate-ref; do
	grep -q "$f" "$W" && [ -x "$ROOT/$f" ] || missing+=" $f"
done
for o in $(grep -vE '^ *#' "$W" | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
	case $o in --global | --add | --depth | --privileged) continue ;; esac
	grep -qE -- "^ *$o( |$)|\[$o " <<<"$help" || missing+=" $o"
done
expect_eq "the example workflow: its scripts exist, gate-ref and gate take every option it passes" "${missing:-none}" none
