# tests/hang-watch, which tests/run starts beside every test file: after its
# delay it prints what the file's `timeout` runs, grouped, with a closer look
# at a task that runs (R); stopped before that, it leaves no process behind.
# Once: it runs no reapbench build.
. "$(dirname "$0")/../lib.sh"

if [ "$BUILD" != build ]; then
	skip "hang-watch: checked once, with the plain build's run"
	exit 0
fi
W=$ROOT/tests/hang-watch
mark=$((3000 + RANDOM % 1000))
# a "test file" that sleeps in one process and spins in another, for 3 s
bash -c '"$1" 1 $$ >"$2" 2>&1 & w=$!
	timeout 3 sh -c "sleep $3 & while :; do :; done"
	kill $w 2>/dev/null; wait $w' sh "$W" "$TMP/hw" "$mark"
grep -q '^still running after 1 s (count x state wchan command):$' "$TMP/hw" \
	&& grep -qE '^ +1 x S [^ ]+ sleep$' "$TMP/hw" && grep -qE '^ +1 x R - sh$' "$TMP/hw" \
	&& ok "hang-watch: every process under the timeout, grouped by state, wait channel and command" \
	|| { notok "hang-watch: the grouped processes"; diag <"$TMP/hw"; }
grep -qE '^task [0-9]+: sh -c sleep' "$TMP/hw" && grep -q 'Cpus_allowed_list:' "$TMP/hw" \
	&& grep -q 'se.sum_exec_runtime' "$TMP/hw" \
	&& ok "hang-watch: the running task's command line, CPUs, pending signals and CPU time" \
	|| { notok "hang-watch: the running task's details"; diag <"$TMP/hw"; }
# stopped before its delay (the test file ended): nothing left, nothing said
"$W" "$mark" $$ >"$TMP/hw2" 2>&1 &
w=$!
sleep 0.3
kill $w; wait $w; rc=$?
sleep 0.1
expect_eq "hang-watch stopped early: exit 0, no output, no sleep left" \
	"$rc/$(wc -c <"$TMP/hw2")/$(pgrep -cx -f "sleep $mark")" "0/0/0"
