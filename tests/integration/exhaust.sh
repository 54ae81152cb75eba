# reapbench exhaust and calibrate: a small pid space holds what the arithmetic
# says, a reaper outlasts a stream of 3 x pid_max orphans, bad input is one
# line, calibrate reports its rates and ratios (a measurement: no target is
# asserted), and nothing is left behind.
. "$(dirname "$0")/../lib.sh"

nested_before=$(nested_count)
cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
# exhaust.json: the value of measurement NAME in REAPER's PHASE run
meas() { jq -r --arg r "$1" --arg p "$2" --arg m "$3" \
	'[.runs[] | select(.reaper.name == $r and .phase == $p) | .measurements[] | select(.name == $m) | .value][0] // "none"' "$TMP/x/exhaust.json"; }
flag() { jq -r --arg r "$1" --arg k "$2" '[.runs[] | select(.reaper.name == $r and .phase == "stream") | .[$k]][0] | tostring' "$TMP/x/exhaust.json"; }

# 1. none and the reference with pid_max 400; the stream: 1200 orphans at 1000/s;
# all of it twice, from 2 spawners (the generator's root and a thread of it,
# which holds a pid of its own while the storm is made).
rb exhaust -r none -r reference --pid-max 400 --rate 1000 --repeat 2 --spawners 2 --out "$TMP/x"
expect_eq "exhaust --spawners 2 exits 0" "$rc" 0
# (the capacity burst's spawners are not pinned: storm.sh)
jq -e '.options.spawners == 2 and ([.runs[] | .spawners == 2 and (.spawner_cpus | length) ==
                                     (if .phase == "stream" then ([$cpus, 2] | min) else 0 end)] | all)
       and (.runs | length) == 8' --argjson cpus "$(nproc)" "$TMP/x/exhaust.json" >/dev/null \
	&& ok "exhaust.json: every run says 2 spawners ran, and on which CPUs (the stream's pinned, the burst's not)" \
	|| { notok "exhaust.json spawners"; jq -c '[.runs[] | [.spawners, .spawner_cpus]]' "$TMP/x/exhaust.json" | diag; }
if [ "$(id -u)" -ne 0 ]; then
	skip "capacity: not root, no pids cgroup"
elif grep -q 'per namespace' "$TMP/out"; then
	# A fresh namespace hands out pids 1 .. 399 before its first wrap (alloc_pid
	# wraps to RESERVED_PIDS = 300 once it reaches pid_max): 399 pids. Under none
	# they are PID 1 (the payload), the generator's root, its spawner thread and
	# 396 storm processes, and the 397th clone fails with EAGAIN; pids.peak
	# (pids.max is 1600, out of the way) counts the 399.
	expect_eq "none, pid_max 400: capacity 399 (pids.peak at EAGAIN)" "$(meas none capacity capacity)" 399
	expect_eq "none, pid_max 400: the payload made 396 (+ PID 1 + root + thread = 399), the rest EAGAIN" \
		"$(meas none capacity capacity_spawned)/$(meas none capacity capacity_eagain)" "396/4"
	expect_eq "reference, pid_max 400: the same 399 (reference + payload + root + thread + 395)" \
		"$(meas reference capacity capacity)" 399
	grep -qE '^none +399 ' "$TMP/out" && ok "the table shows none's capacity 399" || { notok "table capacity"; diag <"$TMP/out"; }
else
	# no per-namespace pid_max (< 6.14): pids.max = 400 bounds the cgroup, all of it
	expect_eq "none, pids.max 400: capacity 400" "$(meas none capacity capacity)" 400
fi
expect_eq "reference: the stream of 1200 at 1000/s without a single EAGAIN, all reaped" \
	"$(meas reference stream stream_spawned)/$(meas reference stream stream_eagain)/$(meas reference stream stream_reaped)/$(flag reference survived)" \
	"1200/0/1200/true"
expect_eq "none: the stream runs out of pids and never recovers" \
	"$(flag none survived)/$(flag none recovered)/$(jq -r '[.runs[] | select(.reaper.name == "none" and .phase == "stream") | .spawn_error][0]' "$TMP/x/exhaust.json")" \
	"false/false/Resource temporarily unavailable"
grep -qE '^reference +[0-9]+ +1200 +0 +1200 +- +yes +- ' "$TMP/out" && ok "the table: reference survived, nothing to recover" || { notok "table reference row"; diag <"$TMP/out"; }
jq -e '.schema == "reapbench.record/1" and .command == "exhaust" and .options.pid_max == 400
       and .options.stream_count == 1200 and .options.repeat == 2 and (.runs | length) == 8
       and ([.runs[].repeat] | sort) == [0,0,0,0,1,1,1,1]' "$TMP/x/exhaust.json" >/dev/null \
	&& ok "exhaust.json: 2 reapers x 2 runs x (capacity, stream), each run numbered" || notok "exhaust.json shape"
# summary: every figure as median/min/max over the runs, with the raw values
summ() { jq -r --arg r "$1" --arg m "$2" --arg k "$3" '.summary[] | select(.reaper == $r) | .metrics[$m][$k] | tostring' "$TMP/x/exhaust.json"; }
expect_eq "summary: reference's stream spawned 1200 in 2 runs (median, min, max, values)" \
	"$(summ reference stream_spawned n)/$(summ reference stream_spawned median)/$(summ reference stream_spawned min)/$(summ reference stream_spawned max)/$(summ reference stream_spawned values)" \
	"2/1200/1200/1200/[1200,1200]"
jq -e '.summary[] | select(.reaper == "none") | .runs == 2 and .streams_survived == 0 and .exhausted == 2 and .recovered == 0
       and (.metrics.stream_eagain | .n == 2 and .median > 0 and .min <= .median and .median <= .max and (.values | length) == 2)
       and (.metrics.stream_time_to_eagain | .n == 2 and .min > 0 and .max < 1.2)' "$TMP/x/exhaust.json" >/dev/null \
	&& ok "summary: none ran out of pids in both runs, EAGAINs and the time to the first one (< the 1.2 s schedule) with their spread" \
	|| { notok "summary for none"; jq -c '.summary' "$TMP/x/exhaust.json" | diag; }
jq -e '.summary[] | select(.reaper == "reference") | .streams_survived == 2 and (.metrics | has("stream_time_to_eagain") | not)' "$TMP/x/exhaust.json" >/dev/null \
	&& ok "summary: the reference survived both streams, no time to EAGAIN claimed" || notok "summary for reference"
grep -qE '^medians over 2 runs per reaper' "$TMP/out" && ok "the table says it shows medians over 2 runs" || notok "table header"

# 2. Bad input: one line, exit 2, nothing started.
for args in "--rate 0" "--rate fast" "--pid-max 100" "--pid-max 100000" "-r no-such-reaper" "extra" "--nope" \
	"--repeat 0" "--repeat 21"; do
	rb exhaust $args
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "exhaust $args: one line, exit 2" \
		|| { notok "exhaust $args: one line, exit 2 (rc $rc)"; diag <"$TMP/out"; }
done
for args in "--repeat 0" "--duration soon" "--count 5000 --pid-max 1024" "--stress-time 0" \
	"--overhead-runs 0" "--overhead-count 5" "--rss-count 0" "--rss-rate 0"; do
	rb calibrate $args
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "calibrate $args: one line, exit 2" \
		|| { notok "calibrate $args: one line, exit 2 (rc $rc)"; diag <"$TMP/out"; }
done

# 3. calibrate: the four kinds of rate and both ratios, short.
rb calibrate --duration 200ms --repeat 2 --stress-time 1 --count 500 --overhead-runs 2 \
	--overhead-count 300 --rss-count 2000 --rss-rate 20000 --out "$TMP/c"
expect_eq "calibrate exits 0" "$rc" 0
for re in '^raw clone\(CLONE_VM\|CLONE_VFORK\)\+_exit\+waitpid +[0-9]+' '^raw fork\+_exit\+waitpid +[0-9]+' \
	'^generator: storm burst under reference +[0-9]+'; do
	grep -qE "$re" "$TMP/out" && ok "calibrate prints a rate: $re" || { notok "calibrate rate $re"; diag <"$TMP/out"; }
done
if command -v stress-ng >/dev/null; then
	grep -qE '^stress-ng --zombie 1 \(bogo ops/s\) +[0-9]+' "$TMP/out" && grep -qE '^stress-ng --vfork 1 \(bogo ops/s\) +[0-9]+' "$TMP/out" \
		&& ok "calibrate prints stress-ng's zombie and vfork rates" || { notok "stress-ng rates"; diag <"$TMP/out"; }
	grep -qE 'generator / stress-ng --zombie +[0-9.]+x +target >= 10x: (met|MISSED)' "$TMP/out" \
		&& ok "calibrate: generator / stress-ng --zombie against its target" || { notok "zombie ratio"; diag <"$TMP/out"; }
else
	grep -q 'skipped: stress-ng is not installed' "$TMP/out" && ok "calibrate: stress-ng missing, a skip with its reason" || notok "stress-ng skip"
fi
grep -qE 'generator / raw clone-vfork +[0-9.]+% +target >= 70%: (met|MISSED)' "$TMP/out" \
	&& ok "calibrate: generator / raw clone against its target" || { notok "clone ratio"; diag <"$TMP/out"; }
# every CPU: the raw loops, stress-ng and the generator with one worker per
# online CPU, in the same rounds, and the targets of issue 12 against them
N=$(getconf _NPROCESSORS_ONLN)
for re in "^raw clone\\(CLONE_VM\\|CLONE_VFORK\\)\\+_exit\\+waitpid x$N +[0-9]+" \
	"^generator: storm burst under reference, $N spawners +[0-9]+" \
	"^raw clone-vm hoard \\(pidfd, reaped at the end\\) x$N +[0-9]+" \
	"generator x$N / raw clone-vm hoard x$N +[0-9.]+x +for scale" \
	"generator x$N / raw clone-vfork x$N +[0-9.]+% +target >= 85%: (met|MISSED) +\\(rounds [0-9.]+-[0-9.]+%, n 2\\)"; do
	grep -qE "$re" "$TMP/out" && ok "calibrate, every CPU: $re" || { notok "calibrate, every CPU: $re"; diag <"$TMP/out"; }
done
if command -v stress-ng >/dev/null; then
	grep -qE "^stress-ng --zombie $N \(bogo ops/s\) +[0-9]+" "$TMP/out" \
		&& grep -qE "generator x$N / stress-ng --zombie $N +[0-9.]+x +target >= 10x: (met|MISSED)" "$TMP/out" \
		&& grep -qE "raw clone-vfork x$N / stress-ng --zombie $N +[0-9.]+x" "$TMP/out" \
		&& ok "calibrate: stress-ng --zombie $N, the generator and the raw loops against it" \
		|| { notok "calibrate: stress-ng with $N workers"; diag <"$TMP/out"; }
fi
jq -e --argjson n "$N" '(.rates.raw_clone_vfork_rate_all_cpus | .median > 0 and .workers == $n and .n == 2)
       and (.rates.generator_orphan_rate_all_cpus.median > 0)
       and (.rates.raw_clone_vm_hoard_rate_all_cpus | .median > 0 and .workers == $n)
       and (.ratios.generator_all_vs_raw_clone_all | .target == 0.85 and has("met") and .rounds == 2 and .min <= .value and .value <= .max)
       and ([.runs[] | select(.spawners == $n)] | length) == (if .generator_observer == "bpf" then 4 else 2 end)' \
	"$TMP/c/calibrate.json" >/dev/null \
	&& ok "calibrate.json: the all-CPU rates (median of 2 rounds), the 85% ratio with its spread, the generator's runs with $N spawners (and watched by pidfds)" \
	|| { notok "calibrate.json all-CPU shape"; jq -c '[.rates, .ratios]' "$TMP/c/calibrate.json" | diag; }
# the generator as storm runs it by default: the kernel watches where it
# loads (root: no pidfds), with the pidfd observer's rate beside it; else the
# pidfds watch and that row is a skip saying so
if [ "$(id -u)" -eq 0 ]; then want=bpf; else want=pidfd; fi
jq -e --arg w "$want" '.generator_observer == $w and
       (if $w == "bpf" then (.rates.generator_orphan_rate_all_cpus_pidfd.median > 0)
          and (.ratios.generator_all_pidfd_vs_generator_all.value > 0)
          and ([.runs[] | select(.phase == null) | .watched_by] | unique == ["bpf", "pidfd"])
        else (.rates.generator_orphan_rate_all_cpus_pidfd.skip | test("watched by pidfds already"))
          and ([.runs[] | select(.phase == null) | .watched_by] | unique == ["pidfd"]) end)' \
	"$TMP/c/calibrate.json" >/dev/null \
	&& ok "calibrate.json: the generator watched by $want as storm's default, the pidfd row beside" \
	|| { notok "calibrate.json generator observer ($want)"; jq -c '[.generator_observer, .rates, [.runs[] | .watched_by]]' "$TMP/c/calibrate.json" | diag; }
# as nobody (started in /, which it cannot write): the generator watched by
# the pidfds, the pidfd row a skip, stress-ng's rates taken all the same
if [ "$(id -u)" -eq 0 ]; then
	(cd / && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$RB_NOBODY" calibrate --duration 100ms \
		--repeat 2 --stress-time 1 --count 300 --overhead-runs 2 --overhead-count 300 --rss-count 1000 \
		--out "$TMP/w/cn") >"$TMP/out-nobody" 2>&1
	expect_eq "calibrate as nobody in /: exits 0, the generator watched by pidfds, stress-ng's rates taken" \
		"$?/$(jq -r '[.generator_observer, (.rates.generator_orphan_rate_all_cpus_pidfd.skip | test("watched by pidfds already")),
		      (.rates.generator_orphan_rate.median > 0),
		      (if $s then .rates.stress_ng_zombie_rate.median > 0 and .rates.stress_ng_vfork_rate_all_cpus.median > 0 else true end)]
		      | map(tostring) | join(" ")' --argjson s "$(command -v stress-ng >/dev/null && echo true || echo false)" \
		      "$TMP/w/cn/calibrate.json" 2>/dev/null)" "0/pidfd true true true"
else
	skip "calibrate as nobody: not root (the run above was)"
fi
jq -e '.command == "calibrate" and (.rates.raw_clone_vfork_rate.median > 0) and (.rates.raw_fork_rate.n == 2)
       and (.rates.generator_orphan_rate.median > 0) and (.ratios.generator_vs_raw_clone | has("met"))' "$TMP/c/calibrate.json" >/dev/null \
	&& ok "calibrate.json: rates (median of 2) and ratios" || notok "calibrate.json shape"

# The monitoring's cost and the harness's RSS: a measured value or a skip
# with its reason (benchmarks, not tests: no target is asserted).
if [ "$(id -u)" -eq 0 ]; then
	[ "$(grep -cE '^  change when watched +[-+][0-9.]+% +target within 5%: (met|MISSED)' "$TMP/out")" -eq 2 ] \
		&& [ "$(grep -cE '^  watched / unwatched \(median of the pairs\) +[0-9.]+ +IQR [0-9.]+-[0-9.]+, min-max' "$TMP/out")" -eq 2 ] \
		&& ok "calibrate: each observer's cost on the drain (pidfd, bpf), with its spread and the target" \
		|| { notok "calibrate overhead lines"; diag <"$TMP/out"; }
	grep -qE "^  PID 1's CPU per reap, watched / unwatched +[0-9.]+ / [0-9.]+ us +on/off [0-9.]+, IQR" "$TMP/out" \
		|| grep -qE "^  PID 1's CPU per reap +- +\(schedstat unreadable\)" "$TMP/out" \
		&& ok "calibrate: PID 1's CPU per reap on and off, or a skip" || { notok "calibrate pid1 cpu line"; diag <"$TMP/out"; }
	jq -e '.overhead | .pairs == 2 and (.drain_rate_on | length) == 2 and (.drain_rate_off | length) == 2
	       and .ratio_median > 0 and has("met") and (.ratio_iqr | length) == 2' "$TMP/c/calibrate.json" >/dev/null \
		&& ok "calibrate.json: overhead, 2 pairs, raw rates and the median ratio" || notok "calibrate.json overhead"
	if [ -r /sys/kernel/btf/vmlinux ]; then
		jq -e '.overhead_bpf | .pairs == 2 and .observer == "bpf" and (.ratio_iqr | length) == 2' \
			"$TMP/c/calibrate.json" >/dev/null && ok "calibrate.json: the bpf observer's overhead, 2 pairs" \
			|| notok "calibrate.json overhead_bpf"
		expect_eq "calibrate: the hoards ran unwatched, with pidfd and with bpf alike (2 rounds)" \
			"$(jq -c '[.runs[] | select(.phase == "overhead") | .watched_by] | group_by(.) | map([.[0], length])' "$TMP/c/calibrate.json")" '[["bpf",2],["off",2],["pidfd",2]]'
	else
		jq -e '.overhead_bpf | has("skip")' "$TMP/c/calibrate.json" >/dev/null \
			&& ok "calibrate: no kernel BTF, the bpf observer's overhead a skip" || notok "overhead_bpf skip"
	fi
else
	grep -A3 '^monitoring overhead' "$TMP/out" | grep -q 'skipped: no pids cgroup' \
		&& ok "calibrate, unprivileged: the overhead is a skip with its reason" || { notok "overhead skip"; diag <"$TMP/out"; }
fi
grep -qE "^  reapbench's own peak RSS \(VmHWM\) +[0-9.]+ MiB +target < 64 MiB: (met|MISSED)" "$TMP/out" \
	|| grep -A1 '^harness RSS' "$TMP/out" | grep -q 'skipped: ' \
	&& ok "calibrate: the harness's RSS for a storm, measured or a skip" || { notok "calibrate rss line"; diag <"$TMP/out"; }
jq -e '.rss | (.harness_rss_peak_kib > 0 and .count == 2000) or has("skip")' "$TMP/c/calibrate.json" >/dev/null \
	&& ok "calibrate.json: rss" || notok "calibrate.json rss"
grep -qE '^steps: rates \(raw, stress-ng, generator; interleaved\) [0-9.]+ s, overhead [0-9.]+ s, RSS [0-9.]+ s' "$TMP/out" \
	&& ok "calibrate prints each step's time" || { notok "calibrate steps line"; diag <"$TMP/out"; }
rb calibrate --duration 50ms --repeat 1 --stress-time 1 --count 100 --overhead-runs 1 --overhead-count 100 --quick --out "$TMP/q"
expect_eq "calibrate --quick: exits 0, the RSS storm skipped as such" \
	"$rc/$(grep -A1 '^harness RSS' "$TMP/out" | tail -1 | sed 's/^ *//')/$(jq -r '.rss.skip' "$TMP/q/calibrate.json")" \
	"0/skipped: --quick/--quick"

# 4. Nothing left behind.
expect_eq "no sandbox process left" "$(nested_count)" "$nested_before"
expect_eq "no cgroup left" "$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)" "$cgroups_before"
