# The sandbox bounds the pid space, keeps its deadline, and leaves nothing
# behind: not on Ctrl-C, not when the harness itself is SIGKILLed.
. "$(dirname "$0")/../lib.sh"

# pid_max inside the namespace is the option (Linux 6.14+).
rb run -r tini --no-record --pid-max 777 -- /bin/cat /proc/sys/kernel/pid_max
expect_eq "pid_max inside the sandbox is --pid-max" "$(sed -n '/^[0-9]*$/p' "$TMP/out" | head -1)" 777

payload_field() { sed -n "s/^payload *spawned \([0-9]*\), failed \([0-9]*\), reaped \([0-9]*\).*/\\$1/p" "$TMP/out"; }

# pid_max bounds a storm: 1000 orphans asked, the namespace holds < 400.
rb run -r tini --no-record --pid-max 400 --pids-max 5000 -- orphans 1000 --wait-reaped-ms 3000
spawned=$(payload_field 1); failed=$(payload_field 2)
[ -n "$spawned" ] && [ "$spawned" -lt 400 ] && [ "$failed" -gt 0 ] && [ $((spawned + failed)) -eq 1000 ] \
	&& ok "pid_max 400 bounds a storm of 1000 (spawned $spawned, failed $failed)" \
	|| { notok "pid_max 400 bounds a storm of 1000 (spawned '$spawned', failed '$failed')"; diag <"$TMP/out"; }
expect_eq "after the storm every orphan that existed was reaped" "$(payload_field 3)" "$spawned"

if [ "$(id -u)" -eq 0 ]; then
	# pids.max bounds a storm, and the cgroup saw at most that many.
	rb run -r tini --no-record --pid-max 4096 --pids-max 100 -- orphans 1000 --wait-reaped-ms 3000
	spawned=$(payload_field 1)
	peak=$(sed -n 's/^pids *peak \([0-9]*\).*/\1/p' "$TMP/out")
	[ -n "$spawned" ] && [ "$spawned" -lt 100 ] && [ "$peak" -le 100 ] && [ "$peak" -ge 90 ] \
		&& ok "pids.max 100 bounds a storm (spawned $spawned, cgroup peak $peak)" \
		|| { notok "pids.max 100 bounds a storm (spawned '$spawned', peak '$peak')"; diag <"$TMP/out"; }
else
	skip "pids.max bound: not root, no pids cgroup"
fi

# The deadline kills a hung reaper (a PID 1 that never exits).
start=$(date +%s%N)
rb run -r none --no-record --deadline 300ms -- /bin/sleep 100
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "deadline: run exits 1" "$rc" 1
grep -q 'killed at the deadline' "$TMP/out" && [ "$ms" -lt 5000 ] && ok "deadline 300ms: killed after ${ms} ms" \
	|| { notok "deadline 300ms: killed after ${ms} ms"; diag <"$TMP/out"; }

# Wait until the harness HP has its PID 1 running; prints PID 1's host pid.
pid1_of() {
	local hp=$1 c
	for _ in $(seq 200); do
		c=$(pgrep -P "$hp" | head -1)
		if [ -n "$c" ] && grep -q "^NSpid:.*[[:space:]]1$" /proc/"$c"/status 2>/dev/null; then
			echo "$c"; return 0
		fi
		sleep 0.02
	done
	return 1
}
# The sandbox's processes under PID 1 once its shell has started both sleeps.
sandbox_tree() {
	local p1=$1 all
	for _ in $(seq 200); do
		all=$(pgrep -P "$p1"; for c in $(pgrep -P "$p1"); do pgrep -P "$c"; done)
		[ "$(echo $all | wc -w)" -ge 3 ] && { echo $all; return 0; }
		sleep 0.02
	done
	echo $all
}

for who in root nobody; do
	[ "$who" = root ] && [ "$(id -u)" -ne 0 ] && { skip "$who: not root"; continue; }
	# only ever called with &: exec keeps $! the harness's pid
	run_bg() {
		if [ "$who" = nobody ]; then
			cd "$TMP/w" && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$RB_NOBODY" "$@"
		fi
		exec "$RB" "$@"
	}

	# Ctrl-C: the harness kills the sandbox, cleans up and exits 130.
	run_bg run -r tini --no-record -- /bin/sh -c 'sleep 100 & sleep 100 & wait' >"$TMP/out" 2>&1 &
	hp=$!
	p1=$(pid1_of $hp)
	kids=$(sandbox_tree "$p1")
	kill -INT $hp
	wait $hp; rc=$?
	expect_eq "$who: SIGINT to the harness: exit 130" "$rc" 130
	left=0; for p in $p1 $kids; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
	expect_eq "$who: SIGINT: no sandbox process left" "$left" 0
	[ -z "$(ls -d /sys/fs/cgroup/pids/reapbench-$hp-* 2>/dev/null)" ] && ok "$who: SIGINT: cgroup removed" \
		|| notok "$who: SIGINT: cgroup removed"

	# SIGKILL: PDEATHSIG takes PID 1, and with it the namespace.
	run_bg run -r tini --no-record -- /bin/sh -c 'sleep 100 & sleep 100 & wait' >"$TMP/out" 2>&1 &
	hp=$!
	p1=$(pid1_of $hp)
	kids=$(sandbox_tree "$p1")
	[ -n "$p1" ] && [ "$(echo $kids | wc -w)" -eq 3 ] && ok "$who: sandbox running (PID 1 $p1, descendants $kids)" \
		|| notok "$who: sandbox running (PID 1 '$p1', descendants '$kids')"
	kill -KILL $hp
	wait $hp 2>/dev/null
	left=0; for p in $p1 $kids; do gone_within "$p" 5 || left=$((left + 1)); done
	expect_eq "$who: SIGKILL of the harness: no sandbox process left" "$left" 0
	if [ "$who" = root ]; then
		stale=$(ls -d /sys/fs/cgroup/pids/reapbench-$hp-* 2>/dev/null)
		if [ -n "$stale" ]; then
			ok "$who: SIGKILLed harness left its cgroup ($stale)"
			rb run -r tini --no-record -- exit 0
			[ ! -e "$stale" ] && ok "$who: the next run removed the stale cgroup" \
				|| notok "$who: the next run removed the stale cgroup"
		else
			# any reapbench sweeps dead harnesses' cgroups: another one running
			# on this machine may have been first
			skip "$who: stale cgroup already swept by a concurrent reapbench"
			rb run -r tini --no-record -- exit 0
		fi
		[ -z "$(ls /dev/shm/reapbench-$hp-* 2>/dev/null)" ] && ok "$who: the next run removed the stale channel file" \
			|| notok "$who: the next run removed the stale channel file"
	fi
done

# Records: run writes a valid JSON document with units and skips.
rb run -r tini --json "$TMP/rec.json" -- exit 3
jq -e '.schema == "reapbench.record/1" and .runs[0].reaper.name == "tini"
       and (.runs[0].measurements[] | select(.name == "pid1_exit_code") | .value == 3 and .unit == "status")
       and (.environment.cpus > 0) and (.harness.commit | length > 0)' "$TMP/rec.json" >/dev/null \
	&& ok "run record: schema, reaper, exit code with unit, environment" || { notok "run record"; diag <"$TMP/rec.json"; }
rb_nobody run -r tini --json "$TMP/w/rec2.json" -- exit 0 >"$TMP/out" 2>&1
jq -e '.runs[0].skips[] | select(.name == "pids_peak") | .reason | test("cgroup")' "$TMP/w/rec2.json" >/dev/null \
	&& ok "unprivileged record: pids_peak is a skip with a reason" || { notok "unprivileged record skip"; diag <"$TMP/out"; }

# A sandbox process that cannot die (pinned to one CPU, then frozen by a
# freezer cgroup of this test's) holds PID 1 in its namespace's end once the
# app exits. The harness sees PID 1 in its exit (without waiting for the
# deadline, 60 s here), gives every task of the namespace every CPU, gives
# up after 15 s in which none went away, and says so in one line, exit 1,
# instead of waiting for ever.
if [ "$(nproc)" -lt 2 ] || ! freezer_make; then
	skip "a PID 1 that cannot end: needs root, the cgroup v1 freezer and 2 CPUs"
else
	cgroups_before=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
	mark=$((100000 + RANDOM))
	cpu=$(taskset -cp $$ | sed 's/.*: //; s/[,-].*//')
	# (the harness before this waited for ever: killed after 90 s, it fails here)
	timeout -s KILL 90 "$RB" run -r tini --no-record --deadline 60s -- /bin/sh -c \
		"taskset -c $cpu sleep $mark & while [ ! -e $TMP/frozen ]; do sleep 0.02; done; exit 3" \
		>"$TMP/out" 2>&1 &
	h=$!
	p=$(await_pid "^sleep $mark$")
	freeze "$p" && touch "$TMP/frozen"
	start=$SECONDS
	wait $h; rc=$?
	took=$((SECONDS - start))
	allowed=$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$p/status" 2>/dev/null)
	thaw
	expect_eq "a PID 1 held by a frozen process: exit 1, one line naming it" \
		"$rc/$(wc -l <"$TMP/out")/$(grep -cE "$(stuck_line "$p")" "$TMP/out")" "1/1/1"
	[ "$took" -le 30 ] && ok "... seen in PID 1's exit, not at the deadline: given up after ${took} s" \
		|| notok "... took ${took} s"
	expect_eq "... the frozen process was given every CPU of ours" "$allowed" \
		"$(sed -n 's/^Cpus_allowed_list:\t//p' /proc/self/status)"
	gone_within "$p" 5 && ok "... thawed, it dies of its SIGKILL" || notok "... process $p left after the thaw"
	freezer_remove
	# the pids cgroup the frozen process kept busy: the next run sweeps it
	left=$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)
	rb run -r tini --no-record -- exit 0
	expect_eq "... it left its pids cgroup, and the next run removes it" \
		"$left/$(ls -d /sys/fs/cgroup/pids/reapbench-* 2>/dev/null | wc -l)" "$((cgroups_before + 1))/$cgroups_before"
fi
