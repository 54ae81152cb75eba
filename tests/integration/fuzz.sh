# The libFuzzer targets: the parsers and the scenario codec survive a short
# run from their seeds (a crash, leak or sanitizer report makes the fuzzer
# exit non-zero); the scenario fuzzer runs the reference without a false
# alarm and finds a negative control on its own; reapbench fuzz reports a
# finding with its replays.
. "$(dirname "$0")/../lib.sh"

[ "$BUILD" = build ] || { skip "fuzzers run once, with the plain build"; exit 0; }
# name:seeds:runs:max_len
for t in descriptor:reapers:30000:8192 record:fuzz/seeds/record:30000:8192 \
	scenario_decode:build-fuzz/seeds/scenario:30000:8192 compare:fuzz/seeds/compare:3000:65536; do
	IFS=: read -r name seeds runs max_len <<<"$t"
	seeds=$ROOT/$seeds
	bin=$ROOT/build-fuzz/fuzz_$name
	[ -x "$bin" ] || { notok "fuzz_$name is built (make fuzz-build)"; continue; }
	mkdir -p "$TMP/corpus-$name"   # libFuzzer writes into the first directory
	if "$bin" -runs="$runs" -max_len="$max_len" "$TMP/corpus-$name" "$seeds" >"$TMP/out" 2>&1; then
		ok "fuzz_$name: $(grep -o 'Done [0-9]* runs.*' "$TMP/out")"
	else
		notok "fuzz_$name crashed"; tail -30 "$TMP/out" | diag
	fi
done

bin=$ROOT/build-fuzz/fuzz_scenario
[ -x "$bin" ] || { notok "fuzz_scenario is built (make fuzz-build)"; exit 0; }
cd "$TMP" || exit 1

# The reference, persistent sandboxes, 400 programs from the seeds: no oracle fires.
mkdir -p corpus-ref
if "$bin" -reaper=reference -runs=400 -max_len=193 -artifact_prefix="$TMP/" corpus-ref \
	"$ROOT/build-fuzz/seeds/scenario" >out 2>&1; then
	ok "fuzz_scenario: the reference, 400 programs, no oracle fired ($(grep -o 'exec/s: [0-9]*' out | tail -1))"
else
	notok "fuzz_scenario: an oracle fired on the reference"; grep -A40 '==== reapbench' out | diag
fi

# From one empty program, no hint: it finds a control that loses the exit status.
mkdir -p corpus-lose
"$bin" -reaper=broken-lose-status -max_total_time=120 -max_len=193 -artifact_prefix="$TMP/lose-" \
	corpus-lose "$ROOT/build-fuzz/seeds/empty" >out 2>&1
if grep -q '^reapbench-oracle: exit-status: ' out && ls "$TMP"/lose-crash-* >/dev/null 2>&1; then
	ok "fuzz_scenario: broken-lose-status found from an empty corpus: $(grep -o 'reapbench-oracle: .*' out | cut -c1-90)"
else
	notok "fuzz_scenario: broken-lose-status not found in 120 s"; tail -20 out | diag
fi

# reapbench fuzz: a campaign per reaper, the finding replayed (fails again, the reference passes).
rb fuzz -r broken-drop-signal -r reference --time 20s --replays 3 --out "$TMP/rf" --json "$TMP/rf.json"
row=$(grep '^broken-drop-signal' "$TMP/out")
if [ "$rc" = 1 ] && echo "$row" | grep -q 'forwarding: SIGUSR1 sent to PID 1 never reached the app' \
	&& echo "$row" | grep -q 'fails again 3/3; the reference passes'; then
	ok "reapbench fuzz: broken-drop-signal's finding, replayed 3/3, the reference passes"
else
	notok "reapbench fuzz: broken-drop-signal (rc $rc)"; diag <"$TMP/out"
fi
expect_eq "reapbench fuzz: the record names one finding" \
	"$(jq '[.runs[] | select(.finding != null) | .finding.oracle] | join(",")' "$TMP/rf.json")" '"forwarding"'
expect_eq "reapbench fuzz: the reference's campaign ran its 20 s without a finding" \
	"$(jq '[.runs[] | select(.reaper.name == "reference") | (.finding == null and (.measurements[] | select(.name == "duration") | .value) >= 19)] | all' "$TMP/rf.json")" true
rb fuzz -r reference --time 1s --fuzzer /nonexistent/fuzz_scenario
expect_eq "reapbench fuzz: a missing fuzz target is bad input" "$rc $(wc -l <"$TMP/out")" "2 1"

# SIGTERM to reapbench fuzz: the campaign under way stops, the table and the
# record hold it, exit 130, no fuzzer or sandbox left.
(exec "$RB" fuzz -r reference --time 60s --out "$TMP/int" --json "$TMP/int.json" >"$TMP/int.out" 2>&1) &
harness=$!
sleep 3
kill -TERM "$harness"
wait "$harness"
rc=$?
left=$(pgrep -f "$TMP/int/" | wc -l)
if [ "$rc" = 130 ] && [ "$left" = 0 ] && grep -q '^reference ' "$TMP/int.out" && [ -s "$TMP/int.json" ]; then
	ok "reapbench fuzz: SIGTERM stops the campaign, exit 130, the record written, nothing left"
else
	notok "reapbench fuzz: SIGTERM (rc $rc, $left processes left)"; diag <"$TMP/int.out"
fi
