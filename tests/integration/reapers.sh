# Every shipped descriptor starts, as root and unprivileged, and the
# payload's exit status comes back through it.
. "$(dirname "$0")/../lib.sh"

expected_pid1() { # REAPER STATUS: what PID 1 reports for a workload exiting STATUS
	case $1 in
	pause) echo "exited 0" ;;     # standalone: pause exits 0 on SIGTERM after the workload
	*) echo "exited $2" ;;
	esac
}

for who in root nobody; do
	for r in tini tini-g dumb-init dumb-init-c catatonit catatonit-g pause bash none reference; do
		if [ "$who" = nobody ]; then
			rb_nobody run -r $r --no-record -- exit 42 >"$TMP/out" 2>&1; rc=$?
		else
			rb run -r $r --no-record -- exit 42
		fi
		expect_eq "$who: $r: PID 1 $(expected_pid1 $r 42)" "$(field pid1 | cut -d' ' -f1-2)" "$(expected_pid1 $r 42)"
		if [ $r = pause ]; then
			expect_eq "$who: pause: joined workload exited 42" "$(field workload | cut -d' ' -f1-2)" "exited 42"
		fi
		if [ "$who" = nobody ]; then
			grep -q 'user namespace' "$TMP/out" && ok "$who: $r ran in a user namespace" || notok "$who: $r ran in a user namespace"
		fi
	done
done

# Inside the sandbox: PID 1 is the reaper and /proc shows only the sandbox.
for r in tini dumb-init catatonit bash reference; do
	rb run -r $r --no-record -- /bin/sh -c 'exec 2>/dev/null; echo "pid1=$(tr "\0" " " </proc/1/cmdline)"; n=0; l=; for p in /proc/[0-9]*; do n=$((n+1)); l="$l ${p#/proc/}"; done; echo "procs=$n$l"; echo "me=$$"'
	pid1=$(sed -n 's/^pid1=//p' "$TMP/out")
	bin=$(basename "$(awk '$1=="reaper"{print $4}' "$TMP/out")")
	case "$pid1" in *"$bin"*) ok "$r: /proc/1 is the reaper ($bin)" ;; *) notok "$r: /proc/1 is the reaper: '$pid1'" ;; esac
	# the shell globs /proc itself: only the reaper and the shell are alive
	procs=$(sed -n 's/^procs=//p' "$TMP/out")
	[ "${procs%% *}" = 2 ] && ok "$r: /proc shows only the sandbox (${procs#* })" \
		|| { notok "$r: /proc shows only the sandbox ($procs)"; diag <"$TMP/out"; }
done
rb run -r none --no-record -- /bin/sh -c 'echo me=$$'
expect_eq "none: the workload is PID 1" "$(sed -n 's/^me=//p' "$TMP/out")" 1
rb run -r pause --no-record -- /bin/sh -c 'echo "pid1=$(tr "\0" " " </proc/1/cmdline)"'
case "$(sed -n 's/^pid1=//p' "$TMP/out")" in *rb-pause*) ok "pause: the joined workload sees pause as PID 1" ;; *) notok "pause: the joined workload sees pause as PID 1"; diag <"$TMP/out" ;; esac

# Exit statuses through the reference reaper: code, signal, exec failure.
rb run -r reference --no-record -- kill-self TERM
expect_eq "reference: child killed by SIGTERM -> 143" "$(field pid1 | cut -d' ' -f1-2)" "exited 143"
rb run -r reference --no-record -- /etc/passwd 2>/dev/null
expect_eq "reference: payload that is not executable is refused before start" "$rc" 2

# The registry refuses what would silently break every check: a misspelt
# placeholder, a command without the workload (file:line), a second
# descriptor of a name already taken (listed once, exit 2).
mkdir -p "$TMP/dup"
cp "$ROOT/reapers/tini.ini" "$TMP/dup/tini.ini"
cp "$ROOT/reapers/tini.ini" "$TMP/dup/tini2.ini"
REAPBENCH_REAPERS="$TMP/dup" rb list
expect_eq "two descriptors named tini: list exits 2, shows tini once, names the second" \
	"$rc/$(grep -c '^tini ' "$TMP/out")/$(grep -c "tini2.ini: name 'tini' is taken by $TMP/dup/tini.ini" "$TMP/out")" "2/1/1"
rm "$TMP/dup/tini2.ini"
REAPBENCH_REAPERS="$TMP/dup" rb list
expect_eq "control: one descriptor named tini: exit 0" "$rc/$(grep -c '^tini ' "$TMP/out")" "0/1"
sed 's/{cmd}/{cmdd}/' "$ROOT/reapers/tini.ini" >"$TMP/typo.ini"
rb run -r "$TMP/typo.ini" --no-record -- exit 0
line=$(grep -n '^command' "$TMP/typo.ini" | cut -d: -f1)
expect_eq "a descriptor with {cmdd}: exit 2 at its line" "$rc/$(grep -c "typo.ini:$line: command: unknown placeholder {cmdd}" "$TMP/out")" "2/1"
sed 's/^command = .*/command = {binary} --version/' "$ROOT/reapers/tini.ini" >"$TMP/nocmd.ini"
rb run -r "$TMP/nocmd.ini" --no-record -- exit 0
expect_eq "a wrap descriptor without {cmd}: exit 2" "$rc/$(grep -c 'needs {cmd} or {cmd_sh}' "$TMP/out")" "2/1"
