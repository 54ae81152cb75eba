# --runtime runc: PID 1 in a runc container gives what the own sandbox
# gives, keeps the deadline, and leaves no container, bundle or cgroup behind
# (not on Ctrl-C, and after a SIGKILLed harness the next run deletes it);
# pods of runc containers joining the pause container's namespaces.
. "$(dirname "$0")/../lib.sh"

ROOTDIR=/run/reapbench-runc
BUNDLES=/run/reapbench-runc-bundles

# Bad input needs no runc: one line naming the option, exit 2.
rb run --runtime nonsense -r tini --no-record -- exit 0
expect_eq "--runtime nonsense: exit 2" "$rc" 2
[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q -- "--runtime" "$TMP/out" \
	&& ok "--runtime nonsense: one line naming --runtime" || { notok "--runtime nonsense: one line"; diag <"$TMP/out"; }

# --seccomp is runc's: the own sandbox applies none (one line naming it, exit 2).
rb run --seccomp docker-default -r tini --no-record -- exit 0
expect_eq "--seccomp without --runtime runc: exit 2" "$rc" 2
[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q -- "--seccomp docker-default needs --runtime runc" "$TMP/out" \
	&& ok "--seccomp without runc: one line naming --seccomp" || { notok "--seccomp without runc: one line"; diag <"$TMP/out"; }

why=""
[ "$(id -u)" -eq 0 ] || why="not root (runc runs bundles as root here)"
RUNC=$(command -v runc || echo /usr/sbin/runc)
[ -x "$RUNC" ] || why="no runc in PATH or /usr/sbin (make setup installs it)"
if [ -n "$why" ]; then
	skip "every runc test: $why"
	# without runc the backend says why and exits 3
	rb run --runtime runc -r tini --no-record -- exit 0
	expect_eq "--runtime runc where it cannot run: exit 3" "$rc" 3
	exit 0
fi

# Where runc cannot run: one line saying why, exit 3.
rb_nobody run --runtime runc -r tini --no-record -- exit 0 >"$TMP/out" 2>&1; rc=$?
expect_eq "runc as uid 65534: exit 3" "$rc" 3
[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "needs root" "$TMP/out" && ok "runc as uid 65534: one line, needs root" \
	|| { notok "runc as uid 65534: one line, needs root"; diag <"$TMP/out"; }
rb run --runtime runc --userns yes -r tini --no-record -- exit 0
expect_eq "runc with --userns yes: exit 3 (rootless not yet)" "$rc" 3
# runc missing (REAPBENCH_RUNC names the binary): one line naming it, exit 3.
REAPBENCH_RUNC=$TMP/no-such-runc "$RB" run --runtime runc -r tini --no-record -- exit 0 >"$TMP/out" 2>&1; rc=$?
expect_eq "runc missing: exit 3" "$rc" 3
[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "REAPBENCH_RUNC=$TMP/no-such-runc" "$TMP/out" \
	&& ok "runc missing: one line naming it" || { notok "runc missing: one line naming it"; diag <"$TMP/out"; }
# An unwritable state dir (runc's state root, the bundles' dir; read-only in a
# private mount namespace): the machine's state, not the user's input: one
# line naming it, exit 3, before runc runs.
for d in $ROOTDIR $BUNDLES; do
	mkdir -p $d
	unshare -m --propagation private sh -c 'mount --bind -o ro "$1" "$1" && mount -o remount,bind,ro "$1" &&
		exec "$2" run --runtime runc -r tini --no-record -- exit 0' sh $d "$RB" >"$TMP/out" 2>&1; rc=$?
	expect_eq "read-only $d: exit 3" "$rc" 3
	[ "$(wc -l <"$TMP/out")" -eq 1 ] && grep -q "$d not writable" "$TMP/out" \
		&& ok "read-only $d: one line naming it" || { notok "read-only $d: one line naming it"; diag <"$TMP/out"; }
done

payload_field() { sed -n "s/^payload *spawned \([0-9]*\), failed \([0-9]*\), reaped \([0-9]*\).*/\\$1/p" "$TMP/out"; }
pid1_status() { field pid1 | sed 's/ after .*//'; }
# What the run left of harness HP: containers, bundles, cgroups (count).
leftovers() {
	local hp=$1
	echo $(( $("$RUNC" --root $ROOTDIR list -q 2>/dev/null | grep -c "^reapbench-$hp-") +
		$(ls -d $BUNDLES/reapbench-$hp-* 2>/dev/null | wc -l) +
		$(find /sys/fs/cgroup -maxdepth 3 -type d -name "reapbench-$hp-*" 2>/dev/null | wc -l) ))
}

# The same run under both backends: status and reaped count agree.
for r in tini reference; do
	rb run -r $r --no-record -- orphans 100
	own="$(pid1_status) $(payload_field 1)/$(payload_field 3)"
	rb run --runtime runc -r $r --no-record -- orphans 100
	runc_res="$(pid1_status) $(payload_field 1)/$(payload_field 3)"
	expect_eq "$r: runc gives what own gives (status, spawned/reaped)" "$runc_res" "$own"
	expect_eq "$r: under runc every orphan reaped" "$runc_res" "exited 0 100/100"
	grep -q "runc container" "$TMP/out" && ok "$r: the run says runc made the container" \
		|| { notok "$r: the run says runc made the container"; diag <"$TMP/out"; }
done
for r in catatonit dumb-init; do # dumb-init is dynamically linked: the ro binds carry its libs
	rb run --runtime runc -r $r --no-record -- orphans 100
	expect_eq "$r under runc: every orphan reaped" "$(pid1_status) $(payload_field 3)" "exited 0 100"
done

# bash names the payload only inside its -c string: from a cwd that does not
# hold the build, the harness's own directory must still be in the rootfs.
(cd / && "$RB" run --runtime runc -r bash --no-record -- exit 3) >"$TMP/out" 2>&1
expect_eq "runc from cwd /: bash finds rb-payload, passes exit 3 on" "$(pid1_status)" "exited 3"

# The exit code passes through, pid_max is set inside, the record names the backend.
rb run --runtime runc -r tini --json "$TMP/runc.json" -- exit 3
expect_eq "runc: tini passes exit 3 on" "$(pid1_status)" "exited 3"
jq -e '.options.runtime == "runc"' "$TMP/runc.json" >/dev/null && ok "runc record: options.runtime is runc" \
	|| { notok "runc record: options.runtime"; diag <"$TMP/runc.json"; }
rb run --runtime runc -r none --no-record --pid-max 777 -- /bin/cat /proc/sys/kernel/pid_max
expect_eq "runc: pid_max inside the container is --pid-max" "$(sed -n '/^[0-9]*$/p' "$TMP/out" | head -1)" 777

# A negative control is caught under runc as under own: orphans leak.
for rt in own runc; do
	rb run --runtime $rt -r broken-direct-only --no-record -- orphans 50 --wait-reaped-ms 500
	expect_eq "$rt: broken-direct-only leaks its orphans" "$(payload_field 3)" 0
done

# Docker's default seccomp profile: applied, recorded; clone3 gets ENOSYS
# from it, and the generator's fork falls back to clone (leave --method fork
# spawned none before).
rb run --runtime runc --seccomp docker-default -r none --no-record -- /bin/grep -h ^Seccomp: /proc/self/status
grep -q "^Seccomp:[[:space:]]*2" "$TMP/out" && ok "runc --seccomp docker-default: PID 1 runs under a filter" \
	|| { notok "runc --seccomp docker-default: PID 1 runs under a filter"; diag <"$TMP/out"; }
rb run --runtime runc -r none --no-record -- /bin/grep -h ^Seccomp: /proc/self/status
grep -q "^Seccomp:[[:space:]]*0" "$TMP/out" && ok "runc without --seccomp: no filter" \
	|| { notok "runc without --seccomp: no filter"; diag <"$TMP/out"; }
rb run --runtime runc --seccomp docker-default -r tini --json "$TMP/sc.json" -- leave 10 --method fork
expect_eq "docker-default: leave --method fork spawns every child (clone3 ENOSYS -> clone)" \
	"$(payload_field 1)/$(payload_field 2)" "10/0"
jq -e '.options.seccomp == "docker-default"' "$TMP/sc.json" >/dev/null && ok "record: options.seccomp" \
	|| { notok "record: options.seccomp"; diag <"$TMP/sc.json"; }
rb run --runtime runc -r tini --json "$TMP/nosc.json" -- leave 10 --method fork
rb compare "$TMP/nosc.json" "$TMP/sc.json"
expect_eq "compare seccomp none vs docker-default: refused (exit 2)" "$rc" 2
grep -q "options.seccomp" "$TMP/out" && ok "compare names options.seccomp" \
	|| { notok "compare names options.seccomp"; diag <"$TMP/out"; }

# compare never mixes the backends.
rb run -r tini --json "$TMP/own.json" -- exit 3
rb compare "$TMP/own.json" "$TMP/runc.json"
expect_eq "compare own vs runc: refused (exit 2)" "$rc" 2
grep -q "options.runtime" "$TMP/out" && ok "compare names options.runtime" \
	|| { notok "compare names options.runtime"; diag <"$TMP/out"; }

# The deadline kills a hanging container; nothing is left.
"$RB" run --runtime runc -r tini --no-record --deadline 300ms -- sleep 100 >"$TMP/out" 2>&1 &
hp=$!
wait $hp; rc=$?
expect_eq "runc deadline: exit 1" "$rc" 1
grep -q 'killed at the deadline' "$TMP/out" && ok "runc deadline: killed at the deadline" \
	|| { notok "runc deadline: killed at the deadline"; diag <"$TMP/out"; }
expect_eq "runc deadline: no container, bundle or cgroup left" "$(leftovers $hp)" 0

# Ctrl-C: the harness deletes the container and exits 130.
"$RB" run --runtime runc -r tini --no-record -- sleep 100 >"$TMP/out" 2>&1 &
hp=$!
for _ in $(seq 250); do [ "$(nested_count)" -ge 2 ] && break; sleep 0.02; done
kill -INT $hp
wait $hp; rc=$?
expect_eq "runc SIGINT: exit 130" "$rc" 130
expect_eq "runc SIGINT: no container, bundle or cgroup left" "$(leftovers $hp)" 0

# A SIGKILLed harness: its watchdog kills the container's PID 1 (and with
# it the namespace) at once; the container's state is left, and the next
# run deletes it.
"$RB" run --runtime runc -r tini --no-record -- sleep 100 >"$TMP/out" 2>&1 &
hp=$!
for _ in $(seq 250); do [ "$(nested_count)" -ge 2 ] && break; sleep 0.02; done
running=$(nested_count)
kill -KILL $hp
wait $hp 2>/dev/null
for _ in $(seq 100); do [ "$(nested_count)" -eq 0 ] && break; sleep 0.05; done
expect_eq "SIGKILL of the harness: no process of the container left ($running were running)" \
	"$(nested_count)" 0
left=$("$RUNC" --root $ROOTDIR list -q | grep "^reapbench-$hp-")
[ -n "$left" ] && ok "SIGKILLed harness left its container's state ($left)" \
	|| notok "SIGKILLed harness left its container's state"
rb run --runtime runc -r tini --no-record -- exit 0
expect_eq "the next run deleted it: no container, bundle or cgroup left" "$(leftovers $hp)" 0

# docker stop under runc is runc kill TERM: tini stops the app gracefully.
rb conform --runtime runc -r tini --check shutdown.exits --grace 1 --no-record
grep -q "^shutdown.exits *graceful" "$TMP/out" && ok "runc: shutdown.exits graceful through runc kill" \
	|| { notok "runc: shutdown.exits graceful"; diag <"$TMP/out"; }
# A pod: pause in one container, the workload in another that joins its
# namespaces by /proc/<pid>/ns/*; the pod's cgroup counts both.
"$RB" run --runtime runc -r pause --no-record -- orphans 100 >"$TMP/out" 2>&1 &
hp=$!
wait $hp
expect_eq "runc pod: pause reaps the joined container's orphans" \
	"$(field workload) | $(pid1_status) | $(payload_field 3)" "exited 0 (joined PID 1's namespaces) | exited 0 | 100"
peak=$(sed -n 's/^pids *peak \([0-9]*\).*/\1/p' "$TMP/out")
[ -n "$peak" ] && [ "$peak" -ge 100 ] && ok "runc pod: the pod's cgroup saw both containers (peak $peak)" \
	|| { notok "runc pod: the pod's cgroup saw both containers (peak '$peak')"; diag <"$TMP/out"; }
expect_eq "runc pod: no container, bundle or cgroup left" "$(leftovers $hp)" 0
# the pod family, with its negative control
rb conform --runtime runc -r pause -r broken-pause-no-reap --check pod.orphans --grace 1 --no-record
grep -qE "^pod.orphans +all reaped +leaks" "$TMP/out" \
	&& ok "runc: pod.orphans all reaped under pause, leaks under broken-pause-no-reap" \
	|| { notok "runc: pod.orphans under pause and its control"; diag <"$TMP/out"; }

# A joined container's process that cannot die (frozen by a cgroup v1
# freezer of this test's): at the deadline the harness kills and waits for
# the joined containers before PID 1, and that wait is bounded as PID 1's
# is (sandbox.sh): 15 s in which no task went away, one line, exit 1 (it
# waited for ever before). The plain build only: the same code, and ~40 s
# (runc's own delete waits when a task stays).
if [ "$BUILD" != build ] || ! freezer_make; then
	skip "runc: a joined process that cannot end: the plain build, with the cgroup v1 freezer"
else
	mark=$((200000 + RANDOM))
	timeout -s KILL 120 "$RB" run --runtime runc -r pause --no-record --deadline 3s -- sleep $mark >"$TMP/out" 2>&1 &
	h=$!
	p=$(await_pid "rb-payload sleep $mark$")
	hp=$(pgrep -P $h -x reapbench)
	freeze "$p"
	wait $h; rc=$?
	thaw
	expect_eq "runc: a joined process frozen: exit 1, one line naming it" \
		"$rc/$(wc -l <"$TMP/out")/$(grep -cE "$(stuck_line "$p")" "$TMP/out")" "1/1/1"
	gone_within "$p" 15 && ok "runc: thawed, the joined process dies" || notok "runc: joined process $p left after the thaw"
	freezer_remove
	# what runc could not delete while a task stayed: the next run sweeps it
	rb run --runtime runc -r tini --no-record -- exit 0
	expect_eq "runc: the next run removes the containers, bundles and cgroups it left" "${hp:+$(leftovers $hp)}" 0
fi
