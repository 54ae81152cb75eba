# reapbench compare on records made for the purpose (no sandbox): what it
# refuses (a --relative-to reaper a record lacks, other options, another
# observer) and how it shows what it compares (units, below the resolution,
# a base of 0, one CPU row, the closing line). Each refusal has its control.
. "$(dirname "$0")/../lib.sh"

# storm_rec FILE [JQ]: a storm record, reapers reference and yard, 5 runs
# each, figures that differ by run (no ties), then JQ applied to it
storm_rec() {
	jq -n '
	def m($n; $v; $u): {name: $n, value: $v, unit: $u};
	{ schema: "reapbench.record/1", command: "storm", created: "2026-12-01T00:00:00Z",
	  harness: {version: "0", commit: "x"},
	  environment: {hostname: "vm", kernel: "6.1", cpus: 2, machine: "x86_64", root: true, per_ns_pid_max: true},
	  options: {pattern: "hoard", count: 1000, repeat: 5, method: "clone-vm", resolution_s: 0.0001,
	            hold_s: 0, wait_reaped_s: 2, monitor: true, pid_max: 4096, pids_max: 4096, deadline_s: 20},
	  skips: [],
	  runs: [range(5) as $k | ("reference", "yard") as $r | {
	    reaper: {name: $r}, repeat: $k, observer: "SCHED_FIFO", userns: false, skips: [],
	    measurements: [
	      m("reap_latency_p50"; 0.00002 * $k; "s"),
	      m("reap_latency_p99"; 0.002 * (1 + $k / 10); "s"),
	      m("drain_rate"; 190000 + 1000 * $k; "reaps/s"),
	      m("leaked"; 0; "processes"),
	      m("pid1_cpu"; 0.0025 * (1 + $k / 20); "s"),
	      m("pid1_cpu_per_1000_reaps"; 0.0025 * (1 + $k / 20); "s") ] }] }' | jq "${2:-.}" >"$1"
}
# out_has DESC PATTERN: compare's output (in $TMP/out) has a line matching PATTERN
out_has() { if grep -qE -- "$2" "$TMP/out"; then ok "$1"; else notok "$1"; diag <"$TMP/out"; fi; }
out_lacks() { if grep -qE -- "$2" "$TMP/out"; then notok "$1"; diag <"$TMP/out"; else ok "$1"; fi; }
one_line() { [ "$(wc -l <"$TMP/out")" -eq 1 ]; }

B=$TMP/b.json
storm_rec "$B"

# --relative-to a reaper a record lacks: exit 2, naming it, never a raw verdict
rb compare --relative-to tinni "$B" "$B"
expect_eq "--relative-to tinni (no such reaper): exit 2" "$rc" 2
out_has "--relative-to tinni: one line naming it and the records" \
	"^reapbench: --relative-to tinni: no reaper 'tinni' in $B nor in $B\$"
storm_rec "$TMP/noyard.json" '.runs |= map(select(.reaper.name != "yard"))'
rb compare --relative-to yard "$B" "$TMP/noyard.json"
expect_eq "--relative-to yard, NEW without yard: exit 2" "$rc/$(grep -c "no reaper 'yard' in $TMP/noyard.json\$" "$TMP/out")" "2/1"
rb compare --relative-to yard "$TMP/noyard.json" "$B"
expect_eq "--relative-to yard, BASE without yard: exit 2" "$rc/$(grep -c "no reaper 'yard' in $TMP/noyard.json\$" "$TMP/out")" "2/1"
# control: present in both, compared as ratios, the yardstick not judged
rb compare --relative-to yard "$B" "$B"
expect_eq "--relative-to yard (in both): exit 0, no yard row" "$rc/$(grep -c '^yard ' "$TMP/out")" "0/0"
out_has "--relative-to yard: timed figures shown as ratios" '^reference +pid1_cpu_per_1000_reaps +x1 +x1 '
# the yardstick lacks a figure in one record: that row is raw, and says so
storm_rec "$TMP/yardnorate.json" '(.runs[] | select(.reaper.name == "yard") | .measurements) |= map(select(.name != "drain_rate"))'
rb compare --relative-to yard "$B" "$TMP/yardnorate.json"
out_has "--relative-to: a row the yardstick cannot divide is raw, with a note" \
	"^note: reference/drain_rate raw: yard has no drain_rate above 0 in $TMP/yardnorate.json\$"

# signals: the yardstick of reference/idle is yard/idle (same condition)
jq -n '{ schema: "reapbench.record/1", command: "signals", created: "x", harness: {},
	environment: {hostname: "vm", kernel: "6.1", cpus: 2}, options: {rate: 200, count: 100},
	runs: [range(6) as $k | ("reference", "yard") as $r | ("idle", "storm") as $c | {
	  reaper: {name: $r}, condition: $c, userns: false, sender: {sched_fifo: true},
	  measurements: [{name: "signal_latency_p50", unit: "s",
	    value: ((if $c == "idle" then 0.0001 else 0.001 end) * (1 + $k / 10))}] }] }' >"$TMP/sig.json"
# the reference 3x slower idle, and so is yard: the machine, no regression
jq '(.runs[] | select(.condition == "idle") | .measurements[0].value) |= . * 3' "$TMP/sig.json" >"$TMP/sig3.json"
rb compare --relative-to yard "$TMP/sig.json" "$TMP/sig3.json"
expect_eq "signals --relative-to yard: both 3x idle is no regression; yard not judged" \
	"$rc/$(grep -c '^yard/' "$TMP/out")" "0/0"
rb compare "$TMP/sig.json" "$TMP/sig3.json"
expect_eq "control: without --relative-to the same records regress" "$rc" 1
jq '(.runs[] | select(.condition == "idle" and .reaper.name == "reference") | .measurements[0].value) |= . * 3' \
	"$TMP/sig.json" >"$TMP/sigref.json"
rb compare --relative-to yard "$TMP/sig.json" "$TMP/sigref.json"
expect_eq "signals --relative-to yard: the reference alone 3x idle regresses" \
	"$rc/$(awk '$1 == "reference/idle" {print $NF}' "$TMP/out")" "1/REGRESSES"

# other options: exit 2 naming the option and both values
storm_rec "$TMP/burst.json" '.options.pattern = "burst" | .options.count = 5000'
rb compare "$B" "$TMP/burst.json"
expect_eq "a burst against a hoard: exit 2" "$rc" 2
one_line && out_has "a burst against a hoard: names the option and both values" \
	"^reapbench: $TMP/burst.json: made with options.pattern burst, $B has hoard: " ||
	{ notok "a burst against a hoard: one line"; diag <"$TMP/out"; }
storm_rec "$TMP/n.json" '.options.count = 5000'
rb compare "$B" "$TMP/n.json"
expect_eq "--count 5000 against 1000: exit 2, both values" "$rc/$(grep -c "options.count 5000, $B has 1000" "$TMP/out")" "2/1"
storm_rec "$TMP/m.json" '.options.method = "fork"'
rb compare "$B" "$TMP/m.json"
expect_eq "another --method: exit 2" "$rc/$(grep -c 'options.method fork' "$TMP/out")" "2/1"
# control: another --repeat is the same measurement, more often
storm_rec "$TMP/r.json" '.options.repeat = 40'
rb compare "$B" "$TMP/r.json"
expect_eq "control: another --repeat is compared (exit 0)" "$rc" 0
storm_rec "$TMP/o.json" '.runs[3].observer = "SCHED_OTHER"'
rb compare "$B" "$TMP/o.json"
expect_eq "a run observed SCHED_OTHER against SCHED_FIFO: exit 2" "$rc/$(grep -c 'runs with observer' "$TMP/out")" "2/1"

# conform: --grace is in the record, and compared
cat >"$TMP/c.json" <<JSON
{ "schema": "reapbench.record/1", "command": "conform", "created": "x", "harness": {},
  "environment": {"hostname": "vm", "kernel": "6.1", "cpus": 2},
  "options": {"repeat": 1, "grace_s": 1.0, "pid_max": 4096, "pids_max": 4096, "deadline_s": 6.0},
  "runs": [ { "reaper": {"name": "tini"}, "conformance": [ {"check": "shutdown.slow", "verdict": "ok"} ] } ] }
JSON
jq '.options.grace_s = 10.0' "$TMP/c.json" >"$TMP/c10.json"
rb compare "$TMP/c.json" "$TMP/c10.json"
expect_eq "conform with another --grace: exit 2" "$rc/$(grep -c 'options.grace_s 10, .* has 1: ' "$TMP/out")" "2/1"
jq '.options = {"repeat": 1}' "$TMP/c.json" >"$TMP/cold.json"
rb compare "$TMP/cold.json" "$TMP/c.json"
expect_eq "conform against a record without grace_s: exit 2, 'not recorded'" \
	"$rc/$(grep -c 'has not recorded' "$TMP/out")" "2/1"
# conform's observer: a record without it ran with the pidfds; the kernel's is another measurement
jq '.options.observer = "bpf"' "$TMP/c.json" >"$TMP/cbpf.json"
rb compare "$TMP/c.json" "$TMP/cbpf.json"
expect_eq "conform timed by the kernel against one without an observer (pidfd): exit 2 naming it" \
	"$rc/$(grep -c 'observer' "$TMP/out")" "2/1"
jq '.options.observer = "pidfd"' "$TMP/c.json" >"$TMP/cpid.json"
rb compare "$TMP/c.json" "$TMP/cpid.json"
expect_eq "control: conform with observer pidfd against one without: exit 0" "$rc" 0
jq '.options.repeat = 10' "$TMP/c.json" >"$TMP/crep.json"
rb compare "$TMP/c.json" "$TMP/crep.json"
expect_eq "control: conform with another --repeat: exit 0" "$rc" 0
if "$RB" conform -r reference --check exit.code.42 --grace 300ms --format md --json "$TMP/real.json" >/dev/null 2>&1; then
	expect_eq "conform writes --grace into its record" "$(jq -c '.options | [.grace_s, .repeat]' "$TMP/real.json")" "[0.3,1]"
else
	skip "conform could not run here"
fi

# how figures are shown
rb compare "$B" "$B"
out_has "units: a latency in ms" '^reference +reap_latency_p99 +2.4 ms +2.4 ms '
out_has "units: a rate per second" '^reference +drain_rate +192000/s +192000/s '
out_has "below the resolution (options.resolution_s): <100 us" '^reference +reap_latency_p50 +<100 us +<100 us '
out_lacks "pid1_cpu is not a second row of pid1_cpu_per_1000_reaps" '^reference +pid1_cpu '
out_has "control: pid1_cpu_per_1000_reaps is a row" '^reference +pid1_cpu_per_1000_reaps '
out_has "no regression: a closing line all the same" '^10 figures in both: 0 regressions, 0 improve, 10 the same$'
# a base of 0: said so, no "inf"
storm_rec "$TMP/leak.json" '(.runs[] | select(.reaper.name == "reference") | .measurements[] | select(.name == "leaked") | .value) |= 50'
rb compare "$B" "$TMP/leak.json"
out_has "a base of 0: the change is 'from 0'" '^reference +leaked +0 +50 +from 0 '
out_lacks "a base of 0: no inf printed" 'inf'
expect_eq "a base of 0 -> 50 in every run: regresses, exit 1" "$rc/$(awk '$2 == "leaked" && $1 == "reference" {print $NF}' "$TMP/out")" "1/REGRESSES"
storm_rec "$TMP/leak1.json" '(.runs[] | select(.reaper.name == "reference" and .repeat >= 3) | .measurements[] | select(.name == "leaked") | .value) |= 50'
rb compare "$TMP/leak1.json" "$TMP/leak.json"
out_has "a resampled base of 0: the interval says 'unbounded'" '^reference +leaked .*unbounded\]'
out_lacks "a resampled base of 0: no inf printed" 'inf'
# below the resolution both times: alike to the observer, not a regression
storm_rec "$TMP/lo4.json" '(.runs[].measurements[] | select(.name == "reap_latency_p50") | .value) |= . * 1.2 + 0.00001'
rb compare "$B" "$TMP/lo4.json"
expect_eq "p50 below the resolution in both, x1.2+: the same" "$rc/$(awk '$1 == "reference" && $2 == "reap_latency_p50" {print $NF}' "$TMP/out")" "0/same"
storm_rec "$TMP/hi.json" '(.runs[].measurements[] | select(.name == "reap_latency_p50") | .value) |= . * 10 + 0.001'
rb compare "$B" "$TMP/hi.json"
expect_eq "control: p50 from below the resolution to 1+ ms regresses" "$rc/$(awk '$1 == "reference" && $2 == "reap_latency_p50" {print $NF}' "$TMP/out")" "1/REGRESSES"
