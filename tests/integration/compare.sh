# reapbench compare: a record against itself is all "same"; a metric scaled
# x1.5 in every run regresses and is named; bad input (truncated, wrong
# schema, another machine, another command) is one line and exit 2; a
# conformance cell that went from ok to DEVIATES fails the gate; the exports
# are the shapes github-action-benchmark and Bencher read.
. "$(dirname "$0")/../lib.sh"

S=$TMP/s
"$RB" storm -r reference --count 200 --repeat 5 --out "$S" >"$TMP/storm.out" 2>&1
if [ ! -s "$S/storm.json" ]; then
	skip "compare (storm): reapbench storm made no record here"; diag <"$TMP/storm.out"
else
	base=$S/storm.json
	rb compare "$base" "$base"
	expect_eq "a storm record against itself: exit 0" "$rc" 0
	rows=$(awk 'NR > 1 && $1 == "reference"' "$TMP/out" | wc -l)
	same=$(awk 'NR > 1 && $1 == "reference" && $NF == "same"' "$TMP/out" | wc -l)
	[ "$rows" -gt 5 ] && [ "$rows" -eq "$same" ] && ok "against itself: all $rows rows same" ||
		{ notok "against itself: all rows same ($same of $rows)"; diag <"$TMP/out"; }

	# every run's pids_peak x1.5
	jq '(.runs[].measurements[] | select(.name == "pids_peak") | .value) |= . * 1.5' "$base" >"$TMP/worse.json"
	rb compare "$base" "$TMP/worse.json"
	expect_eq "pids_peak x1.5: exit 1" "$rc" 1
	grep -qE '^reference +pids_peak .*REGRESSES$' "$TMP/out" && grep -qE '^[0-9]+ figures in both: 1 regression, .*: reference/pids_peak$' "$TMP/out" &&
		ok "pids_peak x1.5: named as the one regression" || { notok "pids_peak x1.5 named"; diag <"$TMP/out"; }
	# and reversed it improves, exit 0; a threshold above 50% swallows it
	rb compare "$TMP/worse.json" "$base"
	expect_eq "pids_peak /1.5: improves, exit 0" "$rc/$(awk '$2 == "pids_peak" {print $NF}' "$TMP/out")" "0/improves"
	rb compare --metric-threshold pids_peak=60 "$base" "$TMP/worse.json"
	expect_eq "--metric-threshold pids_peak=60: exit 0" "$rc" 0

	# --trim: timed metrics lose their worst runs (5 -> 3 here), counts keep all
	jq '(.runs[].measurements[] | select(.name == "pids_peak" or .name == "pid1_cpu_per_1000_reaps") | .value) |= . * 1.5' \
		"$base" >"$TMP/worse2.json"
	"$RB" compare --format json --trim 50 "$base" "$TMP/worse2.json" >"$TMP/j3" 2>&1
	expect_eq "--trim 50: n of a timed metric, n of a count" \
		"$(jq -r '[.results[] | select(.metric == "pid1_cpu_per_1000_reaps" or .metric == "pids_peak") | "\(.metric)=\(.n_base)/\(.n_new)"] | sort | join(" ")' "$TMP/j3")" \
		"pid1_cpu_per_1000_reaps=3/3 pids_peak=5/5"
	rb compare --trim 100 "$base" "$base"
	expect_eq "--trim 100: exit 2" "$rc" 2

	# --relative-to: a yardstick in the same record. Both slowed x3 (the
	# machine): the same; the reference alone: a regression; the yardstick
	# itself is not judged.
	# (PID 1's CPU made 1.0 .. 1.4 ms per 1000 reaps in the 5 runs: separable x3)
	jq '.runs += [.runs[] | .reaper.name = "yard"] | .runs |= [to_entries[] | .key as $k | .value
		| (.measurements[] | select(.name == "pid1_cpu_per_1000_reaps") | .value) |= 0.001 * (1 + ($k % 5) / 10)]' \
		"$base" >"$TMP/yb.json"
	cpu15='(.measurements[] | select(.name == "pid1_cpu_per_1000_reaps") | .value) |= . * 3'
	jq "(.runs[]) |= ($cpu15)" "$TMP/yb.json" >"$TMP/yboth.json"
	jq "(.runs[] | select(.reaper.name == \"reference\")) |= ($cpu15)" "$TMP/yb.json" >"$TMP/yref.json"
	rb compare --relative-to yard "$TMP/yb.json" "$TMP/yboth.json"
	expect_eq "--relative-to: both x3 (the machine) is no regression" "$rc/$(grep -c '^yard ' "$TMP/out")" "0/0"
	rb compare "$TMP/yb.json" "$TMP/yboth.json"
	expect_eq "without it the same records regress" "$rc" 1
	rb compare --relative-to yard "$TMP/yb.json" "$TMP/yref.json"
	expect_eq "--relative-to: the reference alone x3 regresses" "$rc/$(awk '$2 == "pid1_cpu_per_1000_reaps" {print $NF}' "$TMP/out")" "1/REGRESSES"
	rb compare --relative-to nobody "$base" "$base"
	expect_eq "--relative-to a reaper not in the records: exit 2" "$rc" 2

	# the same seed, the same report (JSON)
	"$RB" compare --format json --seed 7 "$base" "$TMP/worse.json" >"$TMP/j1" 2>&1
	"$RB" compare --format json --seed 7 "$base" "$TMP/worse.json" >"$TMP/j2" 2>&1
	cmp -s "$TMP/j1" "$TMP/j2" && [ "$(jq -r '.regressions' "$TMP/j1")" = 1 ] &&
		ok "--format json: reproducible for a seed, 1 regression" || { notok "--format json"; diag <"$TMP/j1"; }

	# --format md: the same verdicts as a Markdown table (a pull request's comment)
	rb compare --format md --seed 7 "$base" "$TMP/worse.json"
	expect_eq "--format md: a table, the one regression in its row, the closing line" \
		"$rc/$(grep -c '^| REAPER | METRIC | BASE | NEW |' "$TMP/out")/$(grep -cE '^\| .* \| REGRESSES \|$' "$TMP/out")/$(grep -c 'regression' "$TMP/out")" \
		"1/1/1/1"
	# exports
	jqe() { jq -e "$@" >/dev/null; }
	rb compare --export-gab "$TMP/gab.json" --export-bmf "$TMP/bmf.json" "$base" "$base"
	check "exports: GAB smaller-is-better is [{name, unit, value, range}]" \
		jqe 'length > 0 and all(.[]; (.name|type) == "string" and (.unit|type) == "string" and (.value|type) == "number" and (.range|type) == "string") and any(.[]; .name == "reference/reap_latency_p99")' "$TMP/gab.json"
	check "exports: GAB bigger-is-better holds drain_rate" jqe 'any(.[]; .name == "reference/drain_rate")' "$TMP/gab-bigger.json"
	check "exports: BMF reaper/bench -> measure -> value, lower_value, upper_value" \
		jqe '.["reference/storm-burst"].reap_latency_p99 | .lower_value <= .value and .value <= .upper_value' "$TMP/bmf.json"

	# bad input: exit 2, one line naming the file
	bad() { # DESC FILE
		rb compare "$base" "$2"
		if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -qF "$2" "$TMP/out"; then ok "$1: exit 2, one line naming it"
		else notok "$1: exit 2, one line naming it (exit $rc)"; diag <"$TMP/out"; fi
	}
	head -c 2000 "$base" >"$TMP/truncated.json"
	bad "truncated" "$TMP/truncated.json"
	jq '.schema = "reapbench.record/2"' "$base" >"$TMP/schema.json"
	bad "wrong schema" "$TMP/schema.json"
	jq '.environment.hostname = "elsewhere"' "$base" >"$TMP/host.json"
	bad "another hostname" "$TMP/host.json"
	grep -q hostname "$TMP/out" && ok "another hostname: says hostname" || notok "another hostname: says hostname"
	jq '.environment.cpus += 1' "$base" >"$TMP/cpus.json"
	bad "other cpus" "$TMP/cpus.json"
	rb compare --allow-other-machine "$base" "$TMP/host.json"
	expect_eq "--allow-other-machine: compared, exit 0" "$rc" 0
	jq '.command = "conform"' "$base" >"$TMP/cmd.json"
	bad "another command" "$TMP/cmd.json"
fi

# conform: a cell ok -> DEVIATES fails the gate
cat >"$TMP/c1.json" <<JSON
{ "schema": "reapbench.record/1", "command": "conform", "created": "2026-11-27T00:00:00Z",
  "harness": {"version": "0", "commit": "x"},
  "environment": {"hostname": "vm", "kernel": "6.1", "cpus": 2, "machine": "x86_64", "root": true, "per_ns_pid_max": false},
  "options": {}, "skips": [],
  "runs": [ { "reaper": {"name": "tini"}, "measurements": [], "skips": [],
              "conformance": [ {"check": "reap", "verdict": "ok"}, {"check": "forward", "verdict": "ok"},
                               {"check": "pod", "verdict": "DEVIATES"} ] },
            { "reaper": {"name": "dumb-init"}, "measurements": [], "skips": [],
              "conformance": [ {"check": "reap", "verdict": "ok"}, {"check": "forward", "verdict": "unclaimed"} ] } ] }
JSON
rb compare "$TMP/c1.json" "$TMP/c1.json"
expect_eq "conform against itself: exit 0" "$rc" 0
jq '(.runs[0].conformance[] | select(.check == "forward") | .verdict) = "DEVIATES"' "$TMP/c1.json" >"$TMP/c2.json"
rb compare "$TMP/c1.json" "$TMP/c2.json"
expect_eq "conform: tini forward ok -> DEVIATES: exit 1" "$rc" 1
grep -qE '^tini +forward +ok -> DEVIATES +REGRESSES$' "$TMP/out" && ok "conform: the cell is listed" ||
	{ notok "conform: the cell is listed"; diag <"$TMP/out"; }
# DEVIATES -> ok is no regression
rb compare "$TMP/c2.json" "$TMP/c1.json"
expect_eq "conform: DEVIATES -> ok: exit 0" "$rc" 0
# a racy check (the record says so): one run's flip is chance, a collapse is not
racy() { # BASE_MATCHES NEW_MATCHES RUNS NEW_VERDICT -> $TMP/r1.json $TMP/r2.json
	jq --argjson m "$1" --argjson n "$3" '.checks = [{"name": "forward", "racy": true}]
		| (.runs[0].conformance[] | select(.check == "forward")) += {"matches": $m, "runs": $n}' \
		"$TMP/c1.json" >"$TMP/r1.json"
	jq --argjson m "$2" --arg v "$4" '(.runs[0].conformance[] | select(.check == "forward")) += {"matches": $m, "verdict": $v}' \
		"$TMP/r1.json" >"$TMP/r2.json"
}
racy 1 0 1 DEVIATES
rb compare "$TMP/r1.json" "$TMP/r2.json"
expect_eq "racy cell, 1/1 -> 0/1: chance (p 0.5), exit 0" "$rc/$(grep -c '(chance)' "$TMP/out")" "0/1"
racy 20 2 20 DEVIATES
rb compare "$TMP/r1.json" "$TMP/r2.json"
expect_eq "racy cell, 20/20 -> 2/20: regresses, exit 1" "$rc/$(grep -c 'racy: 20/20 -> 2/20.*REGRESSES' "$TMP/out")" "1/1"
