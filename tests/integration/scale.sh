# reapbench scale: the same storm at growing N; the log-log fit of PID 1's
# CPU per reap flags a reaper whose per-reap cost grows with N
# (broken-rescan walks /proc before every reap) and not the reference; bad
# input is one line and exit 2; nothing is left behind.
. "$(dirname "$0")/../lib.sh"

nested_before=$(nested_count)
cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
for a in "--counts 5,1000" "--counts 1000" "--counts 1000,x" "--pattern tree" "--repeat 0"; do
	rb scale $a
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "scale $a: one line, exit 2" \
		|| { notok "scale $a: one line, exit 2 (rc $rc)"; diag <"$TMP/out"; }
done

if [ "$(id -u)" -ne 0 ]; then
	skip "scale: the drain is timed from the pids cgroup (root)"
	exit 0
fi
rb scale -r reference -r broken-rescan --counts 300,1000,3000 --repeat 2 --out "$TMP/s"
J=$TMP/s/scale.json
expect_eq "scale exits 0" "$rc" 0
expect_eq "scale: broken-rescan's per-reap cost grows with N, the reference's does not" \
	"$(jq -c '[.summary[] | [.reaper, .grows]]' "$J")" '[["reference",false],["broken-rescan",true]]'
slope=$(jq -r '.summary[] | select(.reaper == "broken-rescan") | .fit_pid1_cpu_per_reap.lo' "$J")
awk -v s="$slope" 'BEGIN { exit !(s > 0.5) }' && ok "scale: broken-rescan's slope interval starts above 0.5 ($slope)" \
	|| { notok "broken-rescan slope lo '$slope'"; diag <"$TMP/out"; }
grep -qE '^broken-rescan .* GROWS$' "$TMP/out" && ok "scale: the table flags broken-rescan" \
	|| { notok "scale table flag"; diag <"$TMP/out"; }
expect_eq "scale.csv: a row per reaper, count and run (2 x 3 x 2)" "$(tail -n +2 "$TMP/s/scale.csv" | wc -l)" 12
expect_eq "scale.json: the harness's RSS after each count" \
	"$(jq -c '.harness.rss_peak_kib_after_count | keys' "$J")" '["1000","300","3000"]'
if command -v gnuplot >/dev/null; then
	check "scale: the drain plot" test -s "$TMP/s/scale-drain.svg"
else
	skip "scale plot: no gnuplot"
fi
# A count beyond the pids free in our namespace (every storm process takes a
# pid there too: pid_max less the tasks there are) is left out with the
# reason, the others run. (Where that is beyond what --counts takes, as
# with pid_max 4194304, nothing can be asked that does not fit.)
big=$(( $(cat /proc/sys/kernel/pid_max) - $(awk '{ split($4, a, "/"); print a[2] }' /proc/loadavg) + 1 ))
if [ "$big" -le 1048576 ]; then
	rb scale -r reference --counts 300,1000,$big --repeat 1 --no-plots --out "$TMP/big"
	expect_eq "scale --counts 300,1000,$big: exit 0, $big left out (said, recorded), 300 and 1000 run" \
		"$rc/$(grep -c "^N=$big left out: a storm process takes a pid in every ancestor PID namespace" "$TMP/out")/$(jq -r --arg k "count_$big" '[.skips[] | select(.name == $k)] | length' "$TMP/big/scale.json")/$(tail -n +2 "$TMP/big/scale.csv" | cut -d, -f2 | sort -un | tr '\n' ' ')" \
		"0/1/1/300 1000 "
else
	skip "scale: $big pids free here, beyond the largest --counts (1048576): no count can be left out"
fi
expect_eq "scale: no sandbox process left" "$(nested_count)" "$nested_before"
expect_eq "scale: no cgroup left" "$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)" "$cgroups_before"
