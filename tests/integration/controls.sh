# Each deliberately broken reaper is caught by the check that targets it,
# and the reference passes the same check: a check that never fails is a
# defect. (The conformance suite will grow these into its matrix.)
. "$(dirname "$0")/../lib.sh"

pid1() { field pid1 | cut -d' ' -f1-3; }
reaped() { sed -n 's/^payload *spawned \([0-9]*\), failed [0-9]*, reaped \([0-9]*\).*/\1 \2/p' "$TMP/out"; }
reap_ms() { sed -n 's/.*all reaped \([0-9.]*\) ms after release.*/\1/p' "$TMP/out"; }

# exit status: the child's 42 must come back
for r in reference broken-lose-status; do
	rb run -r $r --no-record -- exit 42
	case $r in
	reference) expect_eq "exit status: reference passes 42 on" "$(pid1)" "exited 42 after" ;;
	*) [ "$(pid1)" != "exited 42 after" ] && ok "exit status: $r caught ($(pid1))" || notok "exit status: $r not caught" ;;
	esac
done

# orphan reaping: 200 orphans must all be reaped
for r in reference broken-direct-only; do
	rb run -r $r --no-record -- orphans 200 --wait-reaped-ms 1500
	set -- $(reaped)
	case $r in
	reference) expect_eq "orphans: reference reaps 200 of 200" "${2:-}" 200 ;;
	*) [ "${1:-0}" = 200 ] && [ "${2:-200}" -lt 200 ] && ok "orphans: $r caught (reaped ${2} of 200)" \
		|| { notok "orphans: $r not caught ($*)"; diag <"$TMP/out"; } ;;
	esac
done

# the app as PID 1 reaps nothing: run says how many zombies it left
rb run -r none --no-record -- orphans 50 --wait-reaped-ms 300
grep -q '^payload *spawned 50, failed 0, reaped 0: 50 zombies left, never reaped$' "$TMP/out" &&
	ok "run -r none -- orphans 50: says 50 zombies left" || { notok "run -r none: 50 zombies left"; diag <"$TMP/out"; }
rb run -r reference --no-record -- orphans 50
grep -q 'zombies left' "$TMP/out" && { notok "control: the reference leaves no zombie"; diag <"$TMP/out"; } ||
	ok "control: the reference leaves no zombie, and says none"

# SIGCHLD coalescing: 1000 zombies inherited at once must all be reaped
for r in reference broken-reap-once; do
	rb run -r $r --no-record --deadline 10s -- zombies 1000 --wait-reaped-ms 1500
	set -- $(reaped)
	case $r in
	reference) expect_eq "zombie burst: reference reaps 1000 of 1000" "${2:-}" 1000 ;;
	*) [ "${1:-0}" = 1000 ] && [ "${2:-1000}" -lt 1000 ] && ok "zombie burst: $r caught (reaped ${2} of 1000)" \
		|| { notok "zombie burst: $r not caught ($*)"; diag <"$TMP/out"; } ;;
	esac
done

# reap latency: the slow-timer reaper is far slower than the reference
rb run -r reference --no-record -- orphans 100
ref=$(reap_ms)
rb run -r broken-slow-timer --no-record -- orphans 100 --wait-reaped-ms 3000
slow=$(reap_ms)
awk -v r="${ref:-1e9}" -v s="${slow:-0}" 'BEGIN { exit !(s > 200 && s > 5 * r) }' \
	&& ok "reap latency: broken-slow-timer caught (${slow} ms vs reference ${ref} ms)" \
	|| notok "reap latency: broken-slow-timer not caught ('${slow}' ms vs reference '${ref}' ms)"

# forwarding: SIGUSR1 sent to PID 1 must reach the application
for r in reference broken-drop-signal; do
	rb run -r $r --no-record --deadline 3s --send USR1 -- signal-recorder --exit-on USR1
	got=$(grep -c '^ *SIGUSR1 to pid' "$TMP/out")
	case $r in
	reference) [ "$got" = 1 ] && [ "$(pid1)" = "exited 138 after" ] && ok "forwarding: reference delivers SIGUSR1 once, app exits 138" \
		|| { notok "forwarding: reference delivers SIGUSR1"; diag <"$TMP/out"; } ;;
	*) [ "$got" = 0 ] && grep -q '^signals   sent SIGUSR1;' "$TMP/out" && ok "forwarding: $r caught (SIGUSR1 sent, never arrived)" \
		|| { notok "forwarding: $r not caught"; diag <"$TMP/out"; } ;;
	esac
done

# the field: bash as PID 1 forwards nothing (the "ignores docker stop" story)
rb run -r bash --no-record --deadline 1s --send TERM -- signal-recorder --exit-on TERM
grep -q 'killed at the deadline' "$TMP/out" && grep -q '^signals   sent SIGTERM;' "$TMP/out" && ! grep -q '^ *SIGTERM to pid' "$TMP/out" \
	&& ok "bash as PID 1 does not forward SIGTERM" || { notok "bash as PID 1 does not forward SIGTERM"; diag <"$TMP/out"; }
rb run -r tini --no-record --deadline 3s --send TERM -- signal-recorder --exit-on TERM
expect_eq "tini forwards SIGTERM; the app's 143 comes back" "$(pid1)" "exited 143 after"

# --send with a bad signal is bad input
rb run -r tini --send NOPE -- exit 0
expect_eq "--send NOPE: exit 2" "$rc" 2
