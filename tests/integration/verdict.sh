# reapbench verdict on records made for the purpose: each row of the profile
# answers ✓ where a reaper does what PID 1 must and ✗ (with what happens
# instead) where it does not, whatever the reaper claims; each ✗ has a ✓
# beside it from the same records (the control). Missing records are said,
# bad ones are one line and exit 2.
. "$(dirname "$0")/../lib.sh"

D=$TMP/res
mkdir -p "$D"
env='{"hostname": "vm", "kernel": "6.1", "cpus": 2}'

# conform: good does what the reference does; bad, leaky and pod do not
jq -n --argjson env "$env" '
def good: {
  "exit.code.0": "0", "exit.code.42": "42", "exit.killed.SIGTERM": "143", "exit.killed.SIGSEGV": "139",
  "exit.exec.not-found": "127", "exit.exec.not-executable": "126",
  "reap.orphans": "all reaped", "reap.hoard": "all reaped", "reap.prompt": "prompt",
  "forward.parent.SIGTERM": "app", "forward.parent.SIGSEGV": "app", "forward.inside.SIGUSR1": "app",
  "forward.parent.SIGCHLD": "dropped", "forward.parent.SIGTSTP": "app", "forward.parent.SIGTTIN": "app",
  "forward.parent.SIGTTOU": "app", "inherit.blocked": "none", "inherit.ignored": "none",
  "shutdown.no-handler": "graceful", "shutdown.exits": "graceful", "shutdown.slow": "graceful",
  "main_exit.members": "kill", "early.sigterm.1ms": "delivered" };
def cells($o; $extra): (good + $o) | to_entries | map({check: .key, observed: .value, expected: "",
  verdict: "unclaimed", detail: "d", runs: 1, matches: 1}) | map(. + ($extra[.check] // {}));
def run($n; $mode; $path; $o; $extra): {reaper: {name: $n, class: "init", mode: $mode, path: $path},
  conformance: cells($o; $extra)};
{ schema: "reapbench.record/1", command: "conform", created: "x", harness: {}, environment: $env,
  options: {repeat: 10, grace_s: 1}, skips: [],
  runs: [
    run("good"; "wrap"; "/bin/good"; {}; {}),
    run("good-g"; "wrap"; "/bin/good"; {}; {}),
    run("bad"; "wrap"; "/bin/bad"; {"shutdown.exits": "killed", "shutdown.slow": "killed",
        "shutdown.no-handler": "killed", "forward.parent.SIGSEGV": "dropped",
        "forward.parent.SIGTERM": "dropped", "exit.exec.not-found": "1", "exit.exec.not-executable": "1",
        "main_exit.members": "pid1 stays", "forward.parent.SIGTSTP": "stopped"};
        {"early.sigterm.1ms": {expected: "delivered", verdict: "DEVIATES", observed: "lost", runs: 10, matches: 7}}),
    run("leaky"; "wrap"; "/bin/leaky"; {"exit.code.42": "0", "exit.killed.SIGTERM": "0", "exit.killed.SIGSEGV": "0",
        "reap.hoard": "leaks", "inherit.blocked": "TSTP TTIN TTOU"};
        {"early.sigterm.1ms": {observed: "lost", runs: 10, matches: 3}}),
    run("pod"; "standalone"; "/bin/pod"; {"shutdown.exits": "killed"}; {}) ] }' >"$D/conform.json"

# verdict_cell ROW REAPER: the text of one answer (JSON)
cell() { jq -r --arg row "$1" --arg r "$2" '.answers[] | select(.row == $row and .reaper == $r)
	| "\(.answer) \(.word)"' "$TMP/v.json"; }
"$RB" verdict "$D" --format json >"$TMP/v.json" 2>"$TMP/err"
expect_eq "verdict --format json: exit 0" "$?" 0

expect_eq "docker stop: bad ✗ app killed" "$(cell stop bad)" "no app killed"
expect_eq "docker stop: control good ✓" "$(cell stop good)" "yes graceful"
expect_eq "docker stop: pod (standalone) n/a" "$(cell stop pod)" "n/a no app"
expect_eq "exit codes: leaky ✗ always 0" "$(cell exit_code leaky)" "no always 0"
expect_eq "exit codes: control good ✓" "$(cell exit_code good)" "yes passed on"
expect_eq "death by signal: leaky ✗ always 0" "$(cell exit_signal leaky)" "no always 0"
expect_eq "command missing: bad ✗ 1 / 1" "$(cell exec bad)" "no 1 / 1"
expect_eq "command missing: control good ✓ 127 / 126" "$(cell exec good)" "yes 127 / 126"
expect_eq "reaping: leaky ✗ leaks" "$(cell reap leaky)" "no leaks"
expect_eq "reaping: control good ✓" "$(cell reap good)" "yes all reaped"
expect_eq "signals: bad ✗ drops TERM and SEGV (not CHLD: PID 1's own)" "$(cell dropped bad)" "no TERM SEGV"
expect_eq "signals: control good ✓ (SIGCHLD dropped is no fault)" "$(cell dropped good)" "yes none"
expect_eq "job control: leaky ✗ blocked" "$(cell job leaky)" "no TSTP TTIN TTOU blocked"
expect_eq "job control: bad ✗ stops group" "$(cell job bad)" "no stops group"
expect_eq "job control: control good ✓" "$(cell job good)" "yes works"
expect_eq "app exits: bad ✗ PID 1 stays" "$(cell main_exit bad)" "no PID 1 stays"
expect_eq "app exits: control good ✓ SIGKILL" "$(cell main_exit good)" "yes SIGKILL"
# racy: one outcome's rate in every column, claimed or not
expect_eq "early SIGTERM, claimed delivered, 7 of 10 matched: lost 3/10" "$(cell early bad)" "no lost 3/10"
expect_eq "early SIGTERM, unclaimed, 'lost' seen 3 of 10: lost 3/10" "$(cell early leaky)" "no lost 3/10"
expect_eq "early SIGTERM: control good lost 0/1" "$(cell early good)" "yes lost 0/1"
expect_eq "no storm.json: said, not guessed" "$(cell storm good)" "unknown no storm.json"
jqe() { jq -e "$@" >/dev/null; }
check "every answer cites its sources (checks with their values)" \
	jqe '[.answers[] | select(.row == "stop" and .reaper == "bad") | .sources[]
		| select(.record == "conform.json" and .item == "shutdown.exits" and .value == "killed")] | length == 1' "$TMP/v.json"
# the sentences: what a ✗ means, and which init here does it (one per binary)
s_bad=$(jq -r '.sentences.bad' "$TMP/v.json")
case "$s_bad" in
*"docker stop never reaches your app"*"for a graceful docker stop use good."*) ok "bad's sentence: what it means, use good" ;;
*) notok "bad's sentence: what it means, use good"; echo "# $s_bad" ;;
esac
case "$s_bad" in *good-g*) notok "good-g (the same binary as good) is not named twice" ;; *) ok "good-g (the same binary as good) is not named twice" ;; esac
expect_eq "good's sentence: does everything" "$(jq -r '.sentences.good' "$TMP/v.json")" \
	"good: does everything the profile asks, as far as measured here."

# the other records: storm (a failed run is not a reaper's fault), exhaust,
# signals (pooled p50 above none's), startup
jq -n --argjson env "$env" '{ schema: "reapbench.record/1", command: "storm", created: "x", harness: {},
  environment: $env, options: {pattern: "burst", count: 1000, resolution_s: 0.0001}, skips: [],
  runs: [ {reaper: {name: "good"}, cleared: true}, {reaper: {name: "good"}, cleared: true},
          {reaper: {name: "good"}, cleared: null}, {reaper: {name: "leaky"}, cleared: true},
          {reaper: {name: "leaky"}, cleared: false} ],
  summary: [ {reaper: "good", runs: 3, cleared: 2, metrics: {reap_latency_p99: {median: 0.00005}}} ] }' >"$D/storm.json"
jq -n --argjson env "$env" '{ schema: "reapbench.record/1", command: "exhaust", created: "x", harness: {},
  environment: $env, options: {pid_max: 1024}, skips: [], runs: [],
  summary: [ {reaper: "good", streams: 2, streams_survived: 2, metrics: {stream_eagain: {max: 0}}},
             {reaper: "leaky", streams: 2, streams_survived: 0, metrics: {stream_eagain: {max: 2201}}} ] }' >"$D/exhaust.json"
jq -n --argjson env "$env" '{ schema: "reapbench.record/1", command: "signals", created: "x", harness: {},
  environment: $env, options: {}, skips: [], runs: [
   {reaper: {name: "none"}, condition: "idle", latency_s: [0.0001, 0.0001, 0.0001],
    measurements: [{name: "signals_sent", value: 3}, {name: "signals_lost", value: 0}]},
   {reaper: {name: "good"}, condition: "idle", latency_s: [0.0001, 0.00015],
    measurements: [{name: "signals_sent", value: 2}, {name: "signals_lost", value: 0}]},
   {reaper: {name: "good"}, condition: "idle", latency_s: [0.00016, 0.0009],
    measurements: [{name: "signals_sent", value: 2}, {name: "signals_lost", value: 0}]},
   {reaper: {name: "bad"}, condition: "storm", latency_s: [null, null],
    measurements: [{name: "signals_sent", value: 2}, {name: "signals_lost", value: 2}]} ] }' >"$D/signals.json"
jq -n --argjson env "$env" '{ schema: "reapbench.record/1", command: "startup", created: "x", harness: {},
  environment: $env, options: {}, skips: [], runs: [
   {reaper: {name: "none"}, measurements: [{name: "lifecycle", value: 0.005}, {name: "lifecycle_ratio_to_none", value: 1},
     {name: "teardown_1000", value: 0.020}]},
   {reaper: {name: "good"}, measurements: [{name: "lifecycle", value: 0.006}, {name: "lifecycle_ratio_to_none", value: 1.2},
     {name: "teardown_1000", value: 0.030}]} ] }' >"$D/startup.json"
"$RB" verdict "$D" --format json >"$TMP/v.json" 2>"$TMP/err"
expect_eq "storm: 2 cleared, 1 run not measured: ✓ 2/2, p99 below the resolution" "$(cell storm good)" "yes 2/2, p99 <100 us"
expect_eq "storm: a run not cleared: ✗" "$(cell storm leaky)" "no 1/2 cleared"
expect_eq "exhaust: ✗ 2201 EAGAIN" "$(cell pids leaky)" "no 2201 EAGAIN"
expect_eq "exhaust: control ✓" "$(cell pids good)" "yes 0 EAGAIN"
expect_eq "signal train: bad ✗ 2/2 lost" "$(cell train bad)" "no 2/2 lost"
expect_eq "signal train: control good ✓" "$(cell train good)" "yes 0/4 lost"
# good's idle latencies pooled: 100, 150, 160, 900 us -> 155 us; none's 100 us
expect_eq "forwarding latency: the pooled p50 above none's" "$(cell cost_signal good)" "info +55 us"
expect_eq "start: the ratio to none and the time" "$(cell cost_start good)" "info x1.20 (6 ms)"
expect_eq "teardown: the ratio to none's" "$(cell cost_teardown good)" "info x1.50 (30 ms)"

# text and md: one table, reapers as columns; md has the sentences and the profile
rb verdict "$D"
expect_eq "text: exit 0" "$rc" 0
head -5 "$TMP/out" | grep -qE '^QUESTION +good +good-g +bad +leaky +pod' && ok "text: reapers as columns" ||
	{ notok "text: reapers as columns"; diag <"$TMP/out"; }
grep -qE '^docker stop: .* ✓ graceful .* ✗ app killed ' "$TMP/out" && ok "text: ✓ and ✗ in the docker stop row" ||
	{ notok "text: the docker stop row"; diag <"$TMP/out"; }
rb verdict "$D" --format md
grep -q '^| docker stop: the app gets SIGTERM, stops in time | ✓ graceful | ✓ graceful | \*\*✗ app killed\*\* |' "$TMP/out" &&
	grep -q '^- bad: docker stop never reaches' "$TMP/out" && grep -q '^| question | record | rule |' "$TMP/out" &&
	ok "md: the table, the sentences, the profile" || { notok "md: the table, the sentences, the profile"; diag <"$TMP/out"; }
rb verdict --profile
expect_eq "--profile: one rule per row (18), each naming its record, exit 0" \
	"$rc/$(grep -cE '^[a-z_]+ +[a-z]+\.json ' "$TMP/out")" "0/18"

# bad input: one line, exit 2
mkdir -p "$TMP/empty"
rb verdict "$TMP/empty"
expect_eq "a directory without records: exit 2, one line" "$rc/$(wc -l <"$TMP/out")" "2/1"
head -c 300 "$D/conform.json" >"$TMP/empty/conform.json"
rb verdict "$TMP/empty"
expect_eq "a truncated conform.json: exit 2, one line naming it" "$rc/$(grep -c "$TMP/empty/conform.json" "$TMP/out")/$(wc -l <"$TMP/out")" "2/1/1"
cp "$D/storm.json" "$TMP/empty/conform.json"
rb verdict "$TMP/empty"
expect_eq "a storm record as conform.json: exit 2" "$rc/$(grep -c "a record of 'storm', not of conform" "$TMP/out")" "2/1"
rb verdict "$D" --format html
expect_eq "--format html: exit 2" "$rc" 2
