# bench/summary on records made for the purpose: the figures as the tables
# define them. A storm p50 at or below the observer's resolution is "<" the
# resolution, not "0 ms"; a signal p50 is the median of every run's signals
# pooled, not one run's. Each with its control.
. "$(dirname "$0")/../lib.sh"

D=$TMP/res
mkdir -p "$D"
jq -n '{ schema: "reapbench.record/1", command: "storm", options: {pattern: "hoard", resolution_s: 0.0001},
  runs: [{reaper: {name: "fast"}}, {reaper: {name: "slow"}}],
  summary: [ {reaper: "fast", runs: 5, cleared: 5, metrics: {reap_latency_p50: {median: 0.00004}}},
             {reaper: "slow", runs: 5, cleared: 5, metrics: {reap_latency_p50: {median: 0.0021}}} ] }' >"$D/storm.json"
# per-run p50s 150 and 350 us; pooled, the four signals' median is 250 us
jq -n '{ schema: "reapbench.record/1", command: "signals", runs: [
  {reaper: {name: "fast"}, condition: "idle", latency_s: [0.0001, 0.0002],
   measurements: [{name: "signals_sent", value: 2}, {name: "signals_lost", value: 0}, {name: "signal_latency_p50", value: 0.00015}]},
  {reaper: {name: "fast"}, condition: "idle", latency_s: [0.0003, 0.0004, null],
   measurements: [{name: "signals_sent", value: 3}, {name: "signals_lost", value: 1}, {name: "signal_latency_p50", value: 0.00035}]} ] }' \
	>"$D/signals.json"
"$ROOT/bench/summary" "$D" >"$TMP/out" 2>&1
expect_eq "bench/summary: exit 0" "$?" 0
grep -q '^| fast | - | 5/5 cleared, p50 <0.1 ms | 1/5 lost, p50 250 us |' "$TMP/out" &&
	ok "below the resolution: '<0.1 ms'; signals: the pooled p50 (250 us, not a run's 150)" ||
	{ notok "below the resolution, pooled p50"; diag <"$TMP/out"; }
grep -q '^| slow | - | 5/5 cleared, p50 2.1 ms |' "$TMP/out" && ok "control: above the resolution, the figure" ||
	{ notok "control: above the resolution"; diag <"$TMP/out"; }
grep -q '^| reaper | conformance (own claims) | storm (hoard) |' "$TMP/out" &&
	ok "the header names the storm's pattern and says conformance is to own claims" ||
	{ notok "the header"; diag <"$TMP/out"; }
