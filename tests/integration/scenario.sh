# Scenario programs (reapbench replay, rb-payload scenario): every seed
# holds under the reference in fresh and persistent sandboxes; each negative
# control fails the oracle that targets it, and only that one; bad input is
# one line and exit 2; nothing is left behind, as root or not.
. "$(dirname "$0")/../lib.sh"

SEEDS=$ROOT/fuzz/seeds/scenario
nested_before=$(nested_count)

# 1. The reference: every oracle holds on every seed (fresh, then one sandbox for all).
for mode in --fresh --persistent; do
	rb replay -r reference --quiet $mode "$SEEDS"/*.scn
	fails=$(grep -c FAIL "$TMP/out")
	if [ "$rc" = 0 ] && [ "$fails" = 0 ]; then
		ok "replay: the reference holds every oracle on $(ls "$SEEDS"/*.scn | wc -l) seeds ($mode)"
	else
		notok "replay: the reference fails ($mode, rc $rc)"; grep -B9 FAIL "$TMP/out" | diag
	fi
done
applies=$(grep -cE '^  (reaping|exit-status|forwarding|liveness|containment|inherit) +ok' "$TMP/out")
[ "$applies" -gt 30 ] && ok "replay: the oracles had something to judge ($applies verdicts ok)" \
	|| notok "replay: the oracles judged almost nothing ($applies)"

# 2. Each control: its oracle fails on the seed that exercises it, no other does.
while read -r control seed oracle; do
	rb replay -r "$control" --quiet "$SEEDS/$seed.scn"
	failing=$(awk '$2 == "FAIL" {print $1}' "$TMP/out" | sort -u | tr '\n' ' ')
	if [ "$rc" = 1 ] && [ "$failing" = "$oracle " ]; then
		ok "replay: $control fails $oracle on $seed.scn"
	else
		notok "replay: $control on $seed.scn: rc $rc, failing '$failing', want '$oracle'"
		diag <"$TMP/out"
	fi
done <<'EOF'
broken-reap-once hoard reaping
broken-direct-only orphans reaping
broken-slow-timer threads reaping
broken-pause-no-reap orphans reaping
broken-lose-status exit-code exit-status
broken-exec-code exec-missing exit-status
broken-drop-signal forward forwarding
broken-dirty-child forward inherit
broken-wait-all exit-code liveness
EOF

# 3. A program the init kills with a forwarded SIGTERM: the app's 143 comes back.
rb replay -r tini "$SEEDS/killed.scn"
grep -q 'the app ended: killed by SIGTERM' "$TMP/out" && grep -q 'PID 1 exited 143' "$TMP/out" \
	&& ok "replay: docker stop's SIGTERM kills an app without a handler, PID 1 exits 143" \
	|| { notok "replay: killed.scn under tini"; diag <"$TMP/out"; }

# 3b. dumb-init turns a forwarded SIGTTIN into a stop of the app's group: a
# thread group whose leader exited first (its leader reads as a zombie) is
# stopped too, and the harness must find it and continue it.
if command -v dumb-init >/dev/null; then
	rb replay -r dumb-init "$ROOT/tests/fixtures/stopped-threads.scn"
	grep -q 'harness: process 1 was stopped: the harness sent it SIGCONT' "$TMP/out" \
		&& grep -q 'forwarding   ok' "$TMP/out" \
		&& ok "replay: a stopped thread group with an exited leader is found and continued" \
		|| { notok "replay: stopped-threads.scn under dumb-init"; diag <"$TMP/out"; }
	# a forward every receiver blocks, then one leaves the group: before the
	# harness waited for the signal to be pending, 1 run in 7 failed here
	rb replay -r dumb-init --repeat 50 --quiet "$ROOT/tests/fixtures/held-then-setsid.scn"
	expect_eq "replay: a held forward lands before the program goes on (50 runs)" \
		"$(grep -o 'failed [0-9]* of 50' "$TMP/out")" "failed 0 of 50"
else
	skip "dumb-init is not installed (make setup)"
	skip "dumb-init is not installed (make setup)"
fi

# 4. --repeat says how often; --encode makes the fuzzer's bytes of a .scn.
rb replay -r reference --repeat 3 --quiet "$SEEDS/hoard.scn"
expect_eq "replay --repeat 3: a rate" "$(grep -o 'failed [0-9]* of 3' "$TMP/out")" "failed 0 of 3"
rb replay --encode "$TMP/hoard.bin" "$SEEDS/hoard.scn"
rb replay -r reference "$TMP/hoard.bin"
got=$(sed -n '/^program/,/^timeline/p' "$TMP/out" | grep -v -e '^program' -e '^timeline')
rb replay -r reference "$SEEDS/hoard.scn"
want=$(sed -n '/^program/,/^timeline/p' "$TMP/out" | grep -v -e '^program' -e '^timeline')
[ -n "$got" ] && [ "$got" = "$want" ] && ok "replay --encode: the bytes decode to the .scn's program" \
	|| notok "replay --encode: '$got' vs '$want'"

# 5. The same program under reapbench run: the app runs it alone and prints its timeline.
rb run -r reference --no-record -- scenario "$SEEDS/exit-code.scn"
grep -q 'rb-payload: scenario: .*exit app 3' "$TMP/out" && [ "$(field pid1 | cut -d' ' -f1-2)" = "exited 3" ] \
	&& ok "run -- scenario FILE: the app interprets it alone (PID 1 exited 3)" \
	|| { notok "run -- scenario FILE"; diag <"$TMP/out"; }

# 6. Bad input: one line, exit 2.
printf 'start app\nspawn app clone-vm\nexit 7 0\n' >"$TMP/bad.scn"
while IFS='|' read -r want args; do
	# shellcheck disable=SC2086
	rb replay $args
	lines=$(wc -l <"$TMP/out")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -qF -- "$want" "$TMP/out"; then
		ok "replay bad input: $args"
	else
		notok "replay bad input: $args (rc $rc, $lines lines)"; diag <"$TMP/out"
	fi
done <<EOF
bad.scn:3: process 7|-r reference $TMP/bad.scn
/nonexistent/x.scn|-r reference /nonexistent/x.scn
unknown reaper 'nosuchinit'|-r nosuchinit $TMP/bad.scn
no program file given|-r reference
--linger|--linger soon -r reference $TMP/bad.scn
EOF

# 7. Unprivileged (a user namespace): the pidfds still come out of the sandbox.
if [ "$(id -u)" -eq 0 ]; then
	cp "$SEEDS/hoard.scn" "$TMP/w/"
	out=$(rb_nobody replay -r broken-reap-once --quiet "$TMP/w/hoard.scn" 2>&1)
	echo "$out" | grep -q 'reaping      FAIL' && ok "replay as uid 65534: reap-once caught" \
		|| { notok "replay as uid 65534: reap-once not caught"; echo "$out" | diag; }
	out=$(rb_nobody replay -r reference --quiet "$TMP/w/hoard.scn" 2>&1)
	[ "$(echo "$out" | grep -c FAIL)" = 0 ] && [ "$(echo "$out" | grep -c ' ok$')" -ge 4 ] \
		&& ok "replay as uid 65534: the reference holds" \
		|| { notok "replay as uid 65534: the reference fails"; echo "$out" | diag; }
else
	skip "not root: the unprivileged replay is the one above"
fi

expect_eq "nothing left behind" "$(nested_count)" "$nested_before"
