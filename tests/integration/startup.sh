# `reapbench startup`: the record holds hyperfine's figures and the harness's
# own, a teardown with 1000 processes alive costs more than with none, the
# leave verb leaves exactly what it is asked to, a missing hyperfine is a
# skip (exit 0), bad flags one line and exit 2, and nothing is left behind.
. "$(dirname "$0")/../lib.sh"

cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
# a measurement of a reaper in the record: FILE REAPER NAME
m() { jq -r --arg r "$2" --arg n "$3" '[.runs[] | select(.reaper.name == $r) | .measurements[] | select(.name == $n) | .value][0] // "none"' "$1"; }
PAYLOAD=$ROOT/$BUILD/rb-payload

# 1. The leave verb leaves N alive: counted by the kernel (pids.peak) and,
# inside the sandbox after the payload exited, by PID 1 itself (sh reads the
# state of every process in /proc: none of them a zombie).
rb run -r none --no-record -- leave 50
expect_eq "leave 50 as PID 1: the payload reports 50 made, 0 failed" \
	"$(sed -n 's/^payload *spawned \([0-9]*\), failed \([0-9]*\).*/\1\/\2/p' "$TMP/out")" "50/0"
# (sanitized: LeakSanitizer's tracer at the payload's exit is one more task)
peak=$(sed -n 's/^pids *peak \([0-9]*\).*/\1/p' "$TMP/out")
[ "$BUILD" = build-san ] && [ "$peak" = 52 ] && peak=51
if [ "$(id -u)" -eq 0 ]; then expect_eq "leave 50 as PID 1: pids.peak 51 (50 + the payload)" "$peak" 51
else skip "pids.peak: not root, no pids cgroup"; fi
rb run -r none --no-record -- "$(command -v sh)" -c "$PAYLOAD leave 50 --seconds 10; n=0
	for p in /proc/[0-9]*; do read -r l <\$p/stat 2>/dev/null || continue
		case \"\$l\" in *') Z '*) ;; *) n=\$((n + 1));; esac; done; echo alive=\$n"
expect_eq "leave 50: after the payload's exit, PID 1 (sh) sees itself and 50 live processes" \
	"$(grep -o '^alive=[0-9]*' "$TMP/out")" "alive=51"
rb run -r none --no-record -- leave 10 --method vfork
expect_eq "leave refuses --method vfork (exit 2 from the payload)" "$(field pid1 | cut -d' ' -f1-2)" "exited 2"

# 2. startup with two reapers (none is added as the baseline).
rb startup -r tini -r dumb-init --runs 3 --warmup 1 --out "$TMP/s"
expect_eq "startup exits 0" "$rc" 0
J=$TMP/s/startup.json
H=$TMP/s/startup-hyperfine.json
jq -e '.schema == "reapbench.record/1" and .command == "startup" and .options.alive == [0, 100, 1000]
       and .options.runs == 3 and .options.warmup == 1 and ([.runs[].reaper.name] | sort) == ["dumb-init", "none", "tini"]' "$J" >/dev/null \
	&& ok "startup.json: none, tini, dumb-init; options recorded" || { notok "startup.json shape"; diag <"$TMP/out"; }
jq -e '[.runs[] | (.measurements | map(.name)) as $n
        | ["lifecycle", "lifecycle_ratio_to_none", "alive_0", "alive_extra_100", "alive_extra_1000", "payload_start",
           "teardown_0", "teardown_100", "teardown_1000", "payload_leave_1000"] - $n | length == 0] | all' "$J" >/dev/null \
	&& ok "startup.json: every reaper has the lifecycle, its ratio, the teardowns (hyperfine and harness)" \
	|| { notok "startup.json measurements"; jq -c '.runs[] | [.reaper.name, .skips]' "$J" | diag; }
jq -e '[.runs[] | (.hyperfine | [.lifecycle, .alive_0, .alive_100, .alive_1000] | map(.times | length) == [3, 3, 3, 3])
        and (.teardown_s | [.["0"], .["100"], .["1000"]] | map(length) == [3, 3, 3])] | all' "$J" >/dev/null \
	&& ok "startup.json: the raw times, 3 per command (hyperfine) and per N (harness)" || notok "startup.json raw times"
expect_eq "none's ratio to itself is 1" "$(m "$J" none lifecycle_ratio_to_none)" 1
[ -s "$H" ] && jq -e '(.results | length) == 12 and ([.results[].times | length] | unique) == [3]' "$H" >/dev/null \
	&& ok "startup-hyperfine.json: 3 reapers x 4 commands, 3 runs each" || notok "hyperfine's JSON export"
[ -s "$TMP/s/logs/startup-hyperfine.log" ] && ok "hyperfine's output is kept in logs/" || notok "hyperfine log"
# the kernel kills and reaps 1000 processes when PID 1 exits: that is not free
for r in none tini dumb-init; do
	t0=$(m "$J" $r teardown_0); t1=$(m "$J" $r teardown_1000)
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b > a) }' \
		&& ok "$r: teardown with 1000 alive ($t1 s) is slower than with 0 ($t0 s) (harness)" \
		|| notok "$r: teardown 1000 '$t1' vs 0 '$t0'"
	a0=$(m "$J" $r alive_0); a1=$(m "$J" $r alive_1000)
	awk -v a="$a0" -v b="$a1" 'BEGIN { exit !(b > a) }' \
		&& ok "$r: the whole command with 1000 alive ($a1 s) is slower than with 0 ($a0 s) (hyperfine)" \
		|| notok "$r: alive 1000 '$a1' vs 0 '$a0'"
done
grep -qE '^tini +[0-9.]+\*? +\([0-9.]+-[0-9.]+\) +[0-9.]+ ' "$TMP/out" \
	&& ok "the table: tini's lifecycle median (min-max) and its ratio to none" || { notok "the table"; diag <"$TMP/out"; }

# 3. No hyperfine in PATH: every hyperfine figure a skip with the reason, the
# harness's own figures still measured, exit 0.
mkdir -p "$TMP/bin" && ln -sf "$(command -v tini)" "$TMP/bin/tini"
PATH=$TMP/bin rb startup -r tini --runs 2 --warmup 0 --alive 100 --out "$TMP/nohf"
expect_eq "no hyperfine: exit 0" "$rc" 0
grep -q 'hyperfine not found in PATH' "$TMP/out" && ok "no hyperfine: said on the terminal" || { notok "no hyperfine line"; diag <"$TMP/out"; }
expect_eq "no hyperfine: lifecycle, alive_* and the ratio skipped with the reason, for both reapers" \
	"$(jq '[.runs[].skips[] | select(.reason == "hyperfine not found in PATH")] | length' "$TMP/nohf/startup.json")" 10
expect_eq "no hyperfine: the record says so at the top" \
	"$(jq -r '.skips[] | select(.name == "hyperfine") | .reason' "$TMP/nohf/startup.json")" "hyperfine not found in PATH"
[ "$(m "$TMP/nohf/startup.json" tini teardown_100)" != none ] && ok "no hyperfine: the harness still measured the teardown" \
	|| notok "no hyperfine: harness teardown"
[ ! -e "$TMP/nohf/startup-hyperfine.json" ] && ok "no hyperfine: no export pretends otherwise" || notok "stale export"

# 4. An unavailable reaper is reported and skipped, the others run.
mkdir -p "$TMP/reg" && cp "$ROOT/reapers/none.ini" "$TMP/reg/"
printf '[reaper]\nname = ghost\nsummary = not here\nclass = init\nmode = wrap\nbinary = /nonexistent/ghost\ncommand = {binary} -- {cmd}\npackage = ghost\n[claims]\nreaps = yes\n' >"$TMP/reg/ghost.ini"
REAPBENCH_REAPERS=$TMP/reg rb startup --runs 2 --warmup 0 --alive 10 --out "$TMP/un"
expect_eq "an unavailable reaper: exit 0" "$rc" 0
grep -qE '^ghost +unavailable: ' "$TMP/out" && ok "an unavailable reaper: said on the terminal" || { notok "unavailable line"; diag <"$TMP/out"; }
expect_eq "an unavailable reaper: its run is one skip with the reason" \
	"$(jq -r '.runs[] | select(.reaper.name == "ghost") | .skips[0].name + ": " + .skips[0].reason' "$TMP/un/startup.json")" \
	"startup: /nonexistent/ghost is not an executable file"

# 5. Bad input: one line, exit 2.
for args in "--runs 0" "--warmup -1" "--alive x" "--alive 5,5" "--alive 1,,2" "--alive 5000" "--bogus" \
	"-r no-such-reaper" "extra"; do
	rb startup $args --out "$TMP/bad"
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "startup $args: one line, exit 2" \
		|| { notok "startup $args: one line, exit 2 (rc $rc)"; diag <"$TMP/out"; }
done

# 6. Nothing left behind (nested_count: this build's sandbox processes only).
expect_eq "no sandbox process of this build left" "$(nested_count)" 0
n=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
[ "$n" -le "$cgroups_before" ] && ok "no cgroup left ($n, $cgroups_before before)" \
	|| notok "cgroups left: $n, $cgroups_before before"
expect_eq "no channel file left" "$(ls /dev/shm/reapbench-$$-* 2>/dev/null | wc -l)" 0
