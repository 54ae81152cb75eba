# The storm generator and `reapbench storm`: the generator makes exactly
# what it is asked for (counted by the kernel), a PID 1 that does not reap
# runs out of pids where the arithmetic says, each broken reaper shows what
# it breaks, the record holds every raw sample, and nothing is left behind.
. "$(dirname "$0")/../lib.sh"

nested_before=$(nested_count)
cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
payload_field() { sed -n "s/^payload *spawned \([0-9]*\), failed \([0-9]*\), reaped \([0-9]*\).*/\\$1/p" "$TMP/out"; }
peak() { sed -n 's/^pids *peak \([0-9]*\).*/\1/p' "$TMP/out"; }
# summary metric of a reaper in storm.json: FILE REAPER METRIC
median() { jq -r --arg r "$2" --arg m "$3" '.summary[] | select(.reaper == $r) | .metrics[$m].median // "none"' "$1"; }

# 1. Exactly N, counted by the kernel: a burst holds N orphans alive at once,
# so the cgroup's pids.peak is N + PID 1 + the payload + the generator's root.
if [ "$(id -u)" -eq 0 ]; then
	for m in clone-vm fork; do
		rb run -r tini --no-record -- storm burst --count 300 --method $m
		expect_eq "burst 300 ($m): the payload made 300, reaped 300" "$(payload_field 1)/$(payload_field 2)/$(payload_field 3)" "300/0/300"
		expect_eq "burst 300 ($m): the kernel counted 300 + 3 (pids.peak)" "$(peak)" 303
	done
	rb run -r tini --no-record -- storm hoard --count 300 --method vfork
	expect_eq "hoard 300 (vfork): 300 zombies held at once, pids.peak 303" "$(payload_field 1)/$(peak)" "300/303"
else
	skip "pids.peak: not root, no pids cgroup"
fi

# 1b. Spawners (--spawners): from 1 and from 2 the storm is the same. Under
# the reference and tini every run makes exactly the count and reaps it all
# (no zombie left), the pidfd observer saw every process's reap, and the
# record says how many spawners ran and on which CPUs: a hoard's 2 pinned,
# to as many CPUs as there are up to 2; a burst's never (its processes
# sleep until the release, and must not be stuck on one CPU); 1 not pinned.
cpus=$(nproc); [ "$cpus" -gt 2 ] && cpus=2
for run in burst/1 burst/2 hoard/2; do
	pat=${run%/*} n=${run#*/}
	rb storm -r reference -r tini --pattern "$pat" --count 400 --spawners $n --repeat 1 --no-plots --out "$TMP/sp$n$pat"
	expect_eq "storm $pat --spawners $n exits 0" "$rc" 0
	pinned=$([ "$run" = hoard/2 ] && echo "$cpus" || echo 0)
	expect_eq "storm $pat --spawners $n: per reaper: spawners, CPUs, made, reaped, leaked, reaps observed" \
		"$(jq -c 'def m($k): [.measurements[] | select(.name == $k) | .value][0];
			[.runs[] | [.reaper.name, .spawners, (.spawner_cpus | length), m("payload_spawned"),
			 m("payload_reaped"), m("leaked"), m("reap_latency_samples")]]' "$TMP/sp$n$pat/storm.json")" \
		"[[\"reference\",$n,$pinned,400,400,0,400],[\"tini\",$n,$pinned,400,400,0,400]]"
	grep -qE "^storm $pat: 400 processes, clone-vm, $n spawners?," "$TMP/out" \
		&& ok "storm $pat --spawners $n: the header says $n" || { notok "storm $pat --spawners $n header"; diag <"$TMP/out"; }
done
expect_eq "storm.json: the spawners asked for" "$(jq .options.spawners "$TMP/sp2burst/storm.json")" 2

# 2. A PID 1 that does not reap runs out of pids: with pid_max P the namespace
# holds P - 1 pids before its first wrap (1 .. P-1); the payload is PID 1 and
# the root pid 2, so P - 3 storm processes, then EAGAIN.
rb run -r none --no-record --pid-max 400 --pids-max 5000 -- storm burst --count 500
if grep -q '^sandbox *pid_max 400' "$TMP/out"; then
	expect_eq "none, pid_max 400: 397 made, 103 refused, none reaped" "$(payload_field 1)/$(payload_field 2)/$(payload_field 3)" "397/103/0"
	grep -q 'failed: EAGAIN' "$TMP/out" && ok "none, pid_max 400: the refusals are EAGAIN" || { notok "the refusals are EAGAIN"; diag <"$TMP/out"; }
	[ "$(id -u)" -ne 0 ] || expect_eq "none, pid_max 400: the kernel counted 399 pids at the peak" "$(peak)" 399
else
	skip "per-namespace pid_max needs Linux 6.14 ($(uname -r))"
fi

# 3. reapbench storm: the reference against the controls. Two runs each.
rb storm -r reference -r broken-slow-timer -r broken-reap-once -r none --count 1000 --repeat 2 \
	--wait-reaped 1500ms --out "$TMP/s"
expect_eq "storm exits 0" "$rc" 0
J=$TMP/s/storm.json
grep -qE '^reference +2/2 ' "$TMP/out" && ok "reference cleared both bursts of 1000" || { notok "reference cleared both bursts"; diag <"$TMP/out"; }
leaks=$(jq '[.runs[] | select(.reaper.name == "broken-reap-once") | .measurements[] | select(.name == "leaked") | .value] | map(select(. > 0)) | length' "$J")
expect_eq "broken-reap-once leaks zombies in both bursts (one waitpid per coalesced SIGCHLD)" "$leaks" 2
ref=$(median "$J" reference reap_latency_p50); slow=$(median "$J" broken-slow-timer reap_latency_p50)
res=$(jq '.options.resolution_s' "$J")
# the reference's p50 may be below the observer's resolution: count it as that
awk -v r="$ref" -v s="$slow" -v q="$res" 'BEGIN { if (r < q) r = q; exit !(s > 10 * r) }' \
	&& ok "broken-slow-timer's reap p50 ($slow s) is over 10x the reference's ($ref s)" \
	|| { notok "slow-timer p50 '$slow' vs reference '$ref'"; diag <"$TMP/out"; }
# the best mark: the reference's p50 leads the slow timer's (~1 s) far beyond
# the spread; the pids peak is a tie (1003 each, and one more per spawner
# thread: they stay until every share is made), so nobody is best there
expect_eq "best mark: the reference's P50 (a lead beyond the spread)" \
	"$(awk '$1 == "reference" && $2 == "2/2" { print substr($3, length($3)) }' "$TMP/out")" "*"
expect_eq "best mark: none on a tie (PIDS)" "$(awk '$2 ~ /^[0-9]\/2$/ && $9 ~ /\*$/' "$TMP/out" | wc -l)" 0
expect_eq "none reaps nothing: 0/2 cleared, its latency a skip" \
	"$(median "$J" none reap_latency_p50)/$(jq -r '[.runs[] | select(.reaper.name == "none") | .skips[] | select(.name == "reap_latency_p50") | .reason][0]' "$J")" \
	"none/no storm process was reaped"
jq -e '.schema == "reapbench.record/1" and .command == "storm" and (.runs | length) == 8
       and .options.pattern == "burst" and .options.count == 1000 and .options.repeat == 2' "$J" >/dev/null \
	&& ok "storm.json: 4 reapers x 2 runs, options recorded" || notok "storm.json shape"
jq -e '[.runs[] | select(.reaper.name == "reference")][0] as $r
       | ($r.samples.latency_ns | length) == 1000 and ($r.samples.reap_ns | map(select(. != null)) | length) == 1000
       and ([$r.latency_histogram.count[]] | add) == ($r.measurements[] | select(.name == "reap_latency_samples") | .value)
       and ($r.population.t_ns | length) > 0' "$J" >/dev/null \
	&& ok "storm.json: 1000 raw samples per run, the histogram counts them all, the population sampled" \
	|| notok "storm.json raw samples"
jq -e '.summary[] | select(.reaper == "reference") | .metrics.reap_latency_p99 | .n == 2 and .min <= .median and .median <= .max and has("cv")' "$J" >/dev/null \
	&& ok "storm.json summary: median within min-max over 2 runs, with CV" || notok "storm.json summary spread"
cpu=$(jq '[.runs[] | select(.reaper.name == "reference") | .measurements[] | select(.name == "pid1_cpu_per_1000_reaps") | .value] | length' "$J")
expect_eq "PID 1's CPU per 1000 reaps is measured in both reference runs (schedstat)" "$cpu" 2
expect_eq "storm.csv: a header and 8000 samples" "$(wc -l <"$TMP/s/storm.csv")" 8001
awk -F, 'NR > 1 && $1 == "reference" && $9 == "" { bad++ } END { exit bad > 0 }' "$TMP/s/storm.csv" \
	&& ok "storm.csv: every reference sample has a latency" || notok "storm.csv latencies"
[ -s "$TMP/s/logs/storm-reference.log" ] && ok "each sandbox's output is kept in logs/" || notok "storm logs"

# 4. Every pattern, every method it takes, under the reference: all cleared.
for p in burst hoard chain tree threads stream daemon; do
	rb storm -r reference --pattern $p --count 200 --repeat 1 --hold 10ms --out "$TMP/p"
	grep -qE '^reference +1/1 ' "$TMP/out" && ok "pattern $p: 200 made, all reaped" || { notok "pattern $p"; diag <"$TMP/out"; }
done
# the tree's size: branch + branch^2 + ... + branch^depth, or the budget if less
spawned_in() { jq '.runs[0].measurements[] | select(.name == "payload_spawned") | .value' "$1"; }
rb storm -r reference --pattern tree --method vfork --count 100 --branch 3 --depth 3 --repeat 1 --out "$TMP/p"
expect_eq "tree --method vfork, 3 x 3 levels: 3 + 9 + 27 = 39 made (under the budget of 100), cleared" \
	"$(spawned_in "$TMP/p/storm.json")/$(grep -cE '^reference +1/1 ' "$TMP/out")" "39/1"
rb storm -r reference --pattern tree --method fork --count 100 --branch 3 --depth 4 --repeat 1 --out "$TMP/p"
expect_eq "tree --method fork, 3 x 4 levels (120 nodes): the budget of 100 stops it at 100, cleared" \
	"$(spawned_in "$TMP/p/storm.json")/$(grep -cE '^reference +1/1 ' "$TMP/out")" "100/1"

# 4b. Monitoring off (--no-monitor): the storm is the same (exactly N made, all
# reaped, counted at the end and by the kernel), but no latency is claimed.
if [ "$(id -u)" -eq 0 ]; then
	rb run -r tini --no-record -- storm burst --count 300 --no-monitor
	expect_eq "burst 300 --no-monitor: made 300, reaped 300, pids.peak 303" \
		"$(payload_field 1)/$(payload_field 2)/$(payload_field 3)/$(peak)" "300/0/300/303"
	grep -q 'monitoring off (--no-monitor): no reap latency' "$TMP/out" && ! grep -q 'reap latency p50' "$TMP/out" \
		&& ok "the payload says monitoring is off and reports no latency" || { notok "payload --no-monitor line"; diag <"$TMP/out"; }
else
	skip "pids.peak: not root, no pids cgroup"
fi
rb storm -r reference --pattern hoard --count 300 --repeat 2 --no-monitor --out "$TMP/nm"
J=$TMP/nm/storm.json
expect_eq "storm --no-monitor exits 0, reference cleared both hoards" "$rc/$(grep -cE '^reference +2/2 ' "$TMP/out")" "0/1"
expect_eq "storm --no-monitor: each run made 300 and the final count saw 300 reaped" \
	"$(jq -c '[.runs[] | [.measurements[] | select(.name == "payload_spawned" or .name == "payload_reaped") | .value]]' "$J")" \
	"[[300,300],[300,300]]"
expect_eq "storm --no-monitor: no latency, zombie or population figure, each a skip with its reason" \
	"$(jq -r '[.runs[] | .skips[] | select(.name | test("^reap_latency|^zombies_peak")) | .reason] | unique | join("|")' "$J")/$(jq '[.runs[] | .measurements[] | select(.name | test("^reap_latency|^zombies_peak"))] | length' "$J")" \
	"monitoring off (--no-monitor): no storm process is watched/0"
jq -e '.options.monitor == false and (.summary[0].metrics | has("reap_latency_p50") | not)' "$J" >/dev/null \
	&& ok "storm.json: options.monitor false, no latency in the summary" || notok "storm.json --no-monitor options/summary"
grep -qE '^reference +2/2 +- +- +- ' "$TMP/out" && ok "the table shows - for the latencies" || { notok "table latencies -"; diag <"$TMP/out"; }
if [ "$(id -u)" -eq 0 ]; then
	expect_eq "storm --no-monitor: the drain is timed from the cgroup in both runs" \
		"$(jq '[.runs[] | .measurements[] | select(.name == "drain_time_pids" and .value > 0)] | length' "$J")" 2
else
	expect_eq "storm --no-monitor, no cgroup: the drain is a skip that says so" \
		"$(jq -r '[.runs[] | .skips[] | select(.name == "drain_time") | .reason][0]' "$J" | cut -c1-13)" "no pids cgrou"
fi
# Monitoring off makes no pidfd: a hoard of 1000 runs under a descriptor
# limit of 40 (a pidfd each would need 1032), and the payload still counts
# every reap from the pids at the end: the reference's 1000, and the few
# broken-reap-once makes (one per SIGCHLD: the hoard's merge into one or a
# few), its hundreds of zombies opened in batches under that limit; watching
# with pidfds is refused there.
prlimit --nofile=40:40 "$RB" storm -r reference -r broken-reap-once --pattern hoard --count 1000 \
	--repeat 1 --no-monitor --no-plots --out "$TMP/fd" >"$TMP/out" 2>&1; rc=$?
expect_eq "--no-monitor under RLIMIT_NOFILE 40: 1000 made each, reference reaped 1000, broken-reap-once 1-99" \
	"$rc/$(jq -c '[.runs[] | [.reaper.name, (.measurements[] | select(.name == "payload_spawned" or
		.name == "payload_reaped") | .value)] | if .[0] == "broken-reap-once" then .[2] |= (. >= 1 and . < 100) else . end]' "$TMP/fd/storm.json")" \
	'0/[["reference",1000,1000],["broken-reap-once",1000,true]]'
prlimit --nofile=40:40 "$RB" storm -r reference --pattern hoard --count 1000 --observer pidfd \
	--no-record >"$TMP/out" 2>&1; rc=$?
expect_eq "--observer pidfd under RLIMIT_NOFILE 40: refused, a pidfd each (exit 2, one line)" \
	"$rc/$(wc -l <"$TMP/out")/$(grep -c 'needs 1032 file descriptors (a pidfd each' "$TMP/out")" "2/1/1"
jq -e '.harness.rss_peak > 0 and .harness.rss_peak_unit == "KiB" and (.harness | has("version"))' "$J" >/dev/null \
	&& ok "storm.json: the harness's own peak RSS" || notok "storm.json harness rss"

# 5. Bad input: one line, exit 2, nothing started.
for args in "--pattern nope" "--pattern burst --method vfork" "--count 0" "--repeat 0" "--rate -1" \
	"--resolution soon" "-r no-such-reaper" "--count 100000000" "--spawners 0" "--spawners x" \
	"--spawners 1000" "--spawners $(( $(getconf _NPROCESSORS_ONLN) * 4 + 1 ))"; do
	rb storm $args
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "storm $args: one line, exit 2" \
		|| { notok "storm $args: one line, exit 2 (rc $rc)"; diag <"$TMP/out"; }
done
rb run -r tini --no-record -- storm nope
expect_eq "the payload refuses an unknown pattern (2), PID 1 passes it on" "$(field pid1 | cut -d' ' -f1-2)" "exited 2"

# 6. Nothing left behind.
expect_eq "no sandbox process left" "$(nested_count)" "$nested_before"
expect_eq "no cgroup left" "$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)" "$cgroups_before"
expect_eq "no channel file left" "$(ls /dev/shm/reapbench-$$-* 2>/dev/null | wc -l)" 0
