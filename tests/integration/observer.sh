# The kernel-side observer (storm --observer bpf|both): it loads where root
# and BTF are, counts exactly the storm it watched, catches the controls
# that leave zombies, agrees with the pidfd observer, and where it cannot
# load says why in one line (exit 3).
. "$(dirname "$0")/../lib.sh"

k=.runs[0].kernel_observer
kq() { jq -c "$1" "$TMP/b/storm.json"; }
measure() { jq -r --arg r "$2" --arg m "$3" \
	'[.runs[] | select(.reaper.name == $r) | .measurements[] | select(.name == $m) | .value][0] // "none"' "$1"; }

# 1. Unprivileged: one line saying why, exit 3, no sandbox started.
rb_nobody storm -r tini --observer bpf --count 10 --out "$TMP/w/n" >"$TMP/out" 2>&1; rc=$?
expect_eq "as uid 65534: --observer bpf exits 3 (cannot run here)" "$rc" 3
check "... with one line naming the BPF observer and why" \
	grep -qE '^reapbench: BPF observer: .*(root|not built)' "$TMP/out"
# the default, auto: as nobody the BPF observer cannot load, so the pidfds
# time the storm and the record says why
rb_nobody storm -r tini --count 10 --repeat 1 --no-plots --out "$TMP/w/a" >"$TMP/out" 2>&1; rc=$?
expect_eq "as uid 65534, --observer auto: the storm runs, timed by the pidfds, the record says why" \
	"$rc/$(jq -r '.options.observer' "$TMP/w/a/storm.json" 2>/dev/null)/$(jq -r '.options.observer_why' "$TMP/w/a/storm.json" 2>/dev/null | grep -c 'BPF observer cannot run here')" \
	"0/pidfd/1"
check "... and says so on the terminal" grep -q "^observer: the payload's pidfds; the BPF observer cannot run here" "$TMP/out"
expect_eq "... and the kernel's figures are skips with that reason" \
	"$(jq -r '[.runs[0].skips[] | select(.name == "sigchld_to_pid1" or .name == "pid1_reaps_per_batch") | .reason | test("BPF observer cannot run here")] | map(tostring) | join(" ")' "$TMP/w/a/storm.json" 2>/dev/null)" \
	"true true"
rb storm -r tini --observer both --no-monitor --count 10 --out "$TMP/x"
expect_eq "--no-monitor with --observer both is bad input (exit 2)" "$rc" 2

if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip "BPF observer: needs root and kernel BTF (uid $(id -u), $(ls /sys/kernel/btf/vmlinux 2>&1))"
	exit 0
fi

# 2. Exactly what it watched: a burst of 500 under tini, from 2 spawners.
# The namespace's exits and reaps are the 500 and the generator's root
# (reaped by the payload; its spawner thread's exit ends no thread group);
# PID 1 got a SIGCHLD for each of the 500 orphans.
rb storm -r tini --observer bpf --count 500 --spawners 2 --repeat 1 --no-plots --out "$TMP/b"
expect_eq "bpf: burst 500 under tini exits 0" "$rc" 0
expect_eq "bpf: the run says 2 spawners ran" "$(kq .runs[0].spawners)" 2
expect_eq "bpf: 500 storm reaps matched, none lost (ring, task table)" \
	"$(kq "[$k.storm_reaps_matched, $k.counters.ring_full, $k.counters.tasks_full]")" "[500,0,0]"
expect_eq "bpf: 501 exits and 501 reaps in the namespace" \
	"$(kq "[$k.counters.exits, $k.counters.reaps, $k.exited_unreaped]")" "[501,501,0]"
expect_eq "bpf: a SIGCHLD to PID 1 per orphan" "$(kq "$k.counters.sigchld_pid1")" 500
expect_eq "bpf: tini's reap batches hold the 500 reaps" "$(kq "$k.pid1_reap_batches.reaps")" 500
expect_eq "bpf: 500 latencies, the record says bpf" \
	"$(measure "$TMP/b/storm.json" tini reap_latency_samples)/$(kq .options.observer)/$(kq .runs[0].samples.observer)" '500/"bpf"/"bpf"'
lat=$(kq '[.runs[0].samples.latency_ns[] | select(. != null)] | length')
expect_eq "bpf: every sample has its kernel latency" "$lat" 500
# the zombie population over time from the kernel's records (the pidfd
# observer is off): it ends at 0, all 500 reaped, and live/failed are not
# claimed
expect_eq "bpf: the population from the kernel: 500 reaped at the end, 0 zombies, live not claimed" \
	"$(kq '.runs[0].population | [.observer, .reaped[-1], .zombies[-1], (.zombies | max > 0), .not_measured]' | tr -d ' \n')" \
	'["bpf",500,0,true,"live,failed"]'

# 3. Negative controls: nobody reaps (none: the payload is PID 1), and one
# waitpid per SIGCHLD (broken-reap-once: merged SIGCHLDs leave zombies).
rb storm -r none -r broken-reap-once --observer bpf --pattern hoard --count 400 --repeat 1 \
	--wait-reaped 500ms --no-plots --out "$TMP/c"
J=$TMP/c/storm.json
none=$(jq -c '[.runs[] | select(.reaper.name == "none") | .kernel_observer |
	[.storm_reaps_matched, .counters.reaps, (.exited_unreaped >= 400)]][0]' "$J")
expect_eq "bpf: none reaps no storm process (only the root, by the payload); 400 exited, unreaped" "$none" "[0,1,true]"
# none's population from the kernel: the 400 exit and stay zombies
expect_eq "bpf: none's population ends with its 400 zombies" "$(jq -c '[.runs[] | select(.reaper.name == "none") |
	.population | [.observer, .zombies[-1], .reaped[-1]]][0]' "$J")" '["bpf",400,0]'
once=$(jq -c '[.runs[] | select(.reaper.name == "broken-reap-once") | .kernel_observer |
	[(.counters.sigchld_merged > 0), (.storm_reaps_matched < 400), (.exited_unreaped > 0)]][0]' "$J")
expect_eq "bpf: broken-reap-once: SIGCHLDs merged, zombies left (the kernel saw why)" "$once" \
	"[true,true,true]"
# PID 1's reap batches (reaps between two empty waits): the control stops
# after one per SIGCHLD, so its batches cover few of the 400
expect_eq "bpf: broken-reap-once's batches reaped fewer than 400" "$(jq -c '[.runs[] |
	select(.reaper.name == "broken-reap-once") | .kernel_observer.pid1_reap_batches.reaps < 400][0]' "$J")" true

# 3b. A stream three times the pid space: pids are reused, by the storm's
# orphans and by the intermediates that made them. The kernel's records are
# matched to the orphans past the intermediates' (each orphan's own exit
# stamp first), and the payload, which makes no pidfd here, counts what its
# pids show at the end: the two must agree on what broken-reap-once reaped
# and left (within one: the app's own exit, after the payload counted, sends
# PID 1 one more SIGCHLD, and broken-reap-once may reap a storm zombie on
# it), and the reference leaves nothing.
rb storm -r reference -r broken-reap-once --observer bpf --pattern stream --count 3000 --rate 20000 \
	--pid-max 1000 --repeat 1 --wait-reaped 500ms --no-plots --out "$TMP/reuse"
expect_eq "bpf, stream of 3000 in 1000 pids: the kernel's matched reaps and the storm's unreaped = the payload's count (within 1)" \
	"$rc/$(jq -c 'def m($r; $n): [$r.measurements[] | select(.name == $n) | .value][0];
		def near($a; $b): ($a - $b) | fabs <= 1;
		[.runs[] | . as $r | .kernel_observer as $k | [.reaper.name,
		near($k.storm_reaps_matched; m($r; "payload_reaped")),
		near($k.storm_exits_matched - $k.storm_reaps_matched; m($r; "leaked")),
		(m($r; "leaked") > 0)]]' "$TMP/reuse/storm.json")" \
	'0/[["reference",true,true,false],["broken-reap-once",true,true,true]]'

# 4. Both observers side by side: the kernel's figures, the pidfd ones
# beside, and the pidfd observer's error per process, small (it is woken
# by the same reap, then batches for --resolution, 100 us).
rb storm -r reference --observer both --pattern hoard --count 1000 --repeat 1 --no-plots --out "$TMP/d"
J=$TMP/d/storm.json
err=$(measure "$J" reference pidfd_error_p50)
p50=$(measure "$J" reference reap_latency_p50); pp50=$(measure "$J" reference pidfd_reap_latency_p50)
awk -v e="$err" 'BEGIN { exit !(e > -0.001 && e < 0.005) }' \
	&& ok "both: the pidfd observer's median error is small ($err s)" \
	|| { notok "both: pidfd error p50 '$err' s"; diag <"$TMP/out"; }
# the medians differ by what each observer takes for the exit: the pidfd
# observer's EPOLLIN comes after the kernel's exit (never before it)
xerr=$(measure "$J" reference pidfd_exit_error_p50)
awk -v e="$xerr" 'BEGIN { exit !(e > -0.0005 && e < 0.05) }' \
	&& ok "both: the pidfd observer sees exits after the kernel, by $xerr s (kernel p50 $p50 s, pidfd $pp50 s)" \
	|| { notok "both: pidfd exit error p50 '$xerr' s"; diag <"$TMP/out"; }
check "both: the table shows the pidfd columns" grep -q 'pidfd P50' "$TMP/out"

# 5. compare never mixes observers.
rb storm -r reference --pattern hoard --count 1000 --repeat 1 --no-plots --observer pidfd --out "$TMP/e"
rb compare "$TMP/e/storm.json" "$TMP/d/storm.json"
expect_eq "compare of a pidfd record with a both record: exit 2" "$rc" 2
check "... naming options.observer" grep -q 'options.observer' "$TMP/out"

# 6. signals --observer both: the kernel times each hop of the train. tini
# forwards every signal (40 at PID 1, 40 forwarded, 40 delivered); bash as
# PID 1 forwards none (the kernel sees them reach it, and no further);
# broken-drop-signal forwards only the realtime half; none (the app is PID
# 1) is delivered directly.
rb signals -r tini -r bash -r broken-drop-signal -r none --observer both --count 40 --rate 400 \
	--conditions idle --repeat 1 --no-plots --out "$TMP/s"
J=$TMP/s/signals.json
expect_eq "signals --observer both exits 0" "$rc" 0
hops() { jq -c --arg r "$1" '[.runs[] | select(.reaper.name == $r) | [.measurements[] |
	select(.name == "signals_at_pid1" or .name == "signals_forwarded" or .name == "signals_delivered") | .value]][0]' "$J"; }
expect_eq "hops: tini: 40 at PID 1, 40 forwarded, 40 delivered" "$(hops tini)" "[40,40,40]"
expect_eq "hops: bash: 40 at PID 1, none forwarded or delivered" "$(hops bash)" "[40,0,0]"
expect_eq "hops: broken-drop-signal: the 20 RTMIN+1 forwarded, no SIGUSR1" "$(hops broken-drop-signal)" "[40,20,20]"
expect_eq "hops: none: 40 delivered straight to the app (PID 1)" "$(hops none)" "[40,40,40]"
fwd=$(jq -r '[.runs[] | select(.reaper.name == "tini") | .measurements[] | select(.name == "signal_hop_forward_p50") | .value][0]' "$J")
awk -v f="$fwd" 'BEGIN { exit !(f > 0 && f < 0.05) }' && ok "hops: tini's forward p50 is a time ($fwd s)" \
	|| { notok "tini forward p50 '$fwd'"; diag <"$TMP/out"; }
expect_eq "hops: the kernel's table, a row per reaper and condition (tini idle: 40 40 40 40)" \
	"$(grep -c 'PID 1->app' "$TMP/out")/$(grep -cE '^tini +idle +40 +40 +40 +40 ' "$TMP/out")" "1/1"

# 7. startup --observer both: the namespace's end from the kernel. With 100
# left alive, the kernel kills exactly those 100 after PID 1's exit (tini
# and none alike); tini's own exit follows the app's.
rb startup -r tini --observer both --repeat 2 --warmup 0 --alive 100 --out "$TMP/u"
J=$TMP/u/startup.json
expect_eq "startup --observer both exits 0" "$rc" 0
expect_eq "startup: 100 exits after PID 1's in every run (tini, none)" \
	"$(jq -c '[.runs[] | .teardown_kernel_exits["100"] | map(. == 100) | all] ' "$J")" "[true,true]"
kill=$(jq -r '[.runs[] | select(.reaper.name == "tini") | .measurements[] | select(.name == "teardown_kernel_100") | .value][0]' "$J")
awk -v k="$kill" 'BEGIN { exit !(k > 0 && k < 1) }' && ok "startup: the kernel's teardown of 100 is a time ($kill s)" \
	|| { notok "teardown_kernel_100 '$kill'"; diag <"$TMP/out"; }
expect_eq "startup: tini's exit after the app's is measured" "$(jq \
	'[.runs[] | select(.reaper.name == "tini") | .measurements[] | select(.name == "pid1_follows_app_0")] | length' "$J")" 1

# 8. exhaust --observer both: every spawn timed by the kernel, by how full
# the pid space was. `none` reaps nothing, so its stream is refused: every
# EAGAIN comes with the space full (never below half of pid_max), and
# spawns were seen at every fullness on the way.
rb exhaust -r none --observer both --repeat 1 --out "$TMP/x2"
expect_eq "exhaust --observer both exits 0" "$rc" 0
f=$(jq -c '.summary[0].spawn_latency_by_fullness |
	[(.["<50%"].eagain == 0), ([.[] | objects | .eagain] | add > 0), (.["<50%"].spawns > 0), (.[">=99%"].spawns > 0)]' "$TMP/x2/exhaust.json")
expect_eq "exhaust: none's EAGAINs all with the space at least half full; spawns seen empty and full" "$f" "[true,true,true,true]"
check "exhaust: the spawn latency table" grep -q '^spawn latency (fork/clone entry' "$TMP/out"

# 9. conform --observer: reap.prompt timed by the kernel. The reference and
# tini are prompt, the 100 ms timer is slow, whoever times it; under both
# the pidfd figure is beside. As nobody: bpf cannot load, exit 3.
"$RB" conform --no-record --check reap.prompt -r reference -r tini -r broken-timer-100ms --observer both \
	--format json >"$TMP/out" 2>/dev/null
got=$(jq -r '[.options.observer, (.runs[] | .conformance[0] | .observed, (.detail | test("timed by the kernel \\(pidfd p90 [0-9.]+ ms\\)")))] | map(tostring) | join(" ")' "$TMP/out" 2>/dev/null)
expect_eq "conform --observer both: reference, tini prompt, the timer slow, each timed by the kernel" \
	"$got" "both prompt true prompt true slow true"
rb_nobody conform --no-record --check reap.prompt -r reference --observer bpf >"$TMP/out" 2>&1; rc=$?
expect_eq "conform --observer bpf as uid 65534: exit 3" "$rc" 3
