# reapbench signals: the open-loop train reaches the app through a
# forwarding init, is counted lost where an init does not forward (bash)
# or drops a kind (broken-drop-signal), the storm condition really runs a
# storm across the train, the gate flags a dropped signal, bad flags exit 2,
# and nothing is left behind.
. "$(dirname "$0")/../lib.sh"

nested_before=$(nested_count)
N=60
rb signals -r none -r tini -r broken-drop-signal -r bash --count $N --rate 300 --repeat 1 --out "$TMP/s"
expect_eq "signals exits 0" "$rc" 0
J=$TMP/s/signals.json
# lost in the run of REAPER under COND (measurement); KIND: that kind's
lost() { jq -r --arg r "$1" --arg c "$2" '[.runs[] | select(.reaper.name == $r and .condition == $c)
	| .measurements[] | select(.name == "signals_lost") | .value][0] // "none"' "$J"; }
kind_lost() { jq -r --arg r "$1" --arg c "$2" --arg k "$3" '[.runs[] | select(.reaper.name == $r and .condition == $c)
	| .kinds[$k].lost][0] // "none"' "$J"; }
metric() { jq -r --arg r "$1" --arg c "$2" --arg m "$3" '[.runs[] | select(.reaper.name == $r and .condition == $c)
	| .measurements[] | select(.name == $m) | .value][0] // "none"' "$J"; }

jq -e --argjson n $N '.schema == "reapbench.record/1" and .command == "signals" and (.runs | length) == 8
	and ([.runs[] | .latency_s | length] | all(. == $n)) and .options.count == $n
	and .options.signals == ["SIGUSR1", "SIGRTMIN+1"]' "$J" >/dev/null \
	&& ok "signals.json: 4 reapers x 2 conditions, every signal's latency (or null) recorded" \
	|| { notok "signals.json shape"; diag <"$TMP/out"; }
for c in idle storm; do
	# chance may merge a standard signal when the VM stalls: at most 2 of 60
	l=$(lost tini $c)
	[ "$l" != none ] && [ "$l" -le 2 ] && ok "tini ($c) forwards the train: $l of $N lost" \
		|| { notok "tini ($c) lost '$l' of $N"; diag <"$TMP/out"; }
	expect_eq "broken-drop-signal ($c): every SIGUSR1 lost, SIGRTMIN+1 arrives" \
		"$(kind_lost broken-drop-signal $c SIGUSR1)/$(( $(kind_lost broken-drop-signal $c SIGRTMIN+1) <= 2 ))" "$((N / 2))/1"
	expect_eq "bash ($c) forwards nothing: all $N lost" "$(lost bash $c)" $N
done
p50=$(metric tini idle signal_latency_p50)
awk -v p="$p50" 'BEGIN { exit !(p > 0 && p < 0.05) }' && ok "tini's p50 is a latency ($p50 s)" \
	|| notok "tini's p50 '$p50'"
# A reaper that forwards every signal twice, 2 ms apart: every copy after
# the first is a duplicate, and the latency is each send's first copy's —
# within a few times the reference's, not a period more per send along the
# train (the matching before the exact one drifted to 123 ms p50).
rb signals -r reference -r broken-double-forward --conditions idle --count 100 --rate 200 \
	--repeat 1 --no-plots --out "$TMP/d"
dup=$(jq -r '[.runs[] | select(.reaper.name == "broken-double-forward") | .measurements[] |
	select(.name == "signals_dup") | .value][0]' "$TMP/d/signals.json")
expect_eq "broken-double-forward: 100 duplicates counted, none lost" \
	"$dup/$(jq -r '[.runs[] | select(.reaper.name == "broken-double-forward") | .measurements[] |
	select(.name == "signals_lost") | .value][0]' "$TMP/d/signals.json")" "100/0"
ref=$(jq -r '[.runs[] | select(.reaper.name == "reference") | .measurements[] | select(.name == "signal_latency_p50") | .value][0]' "$TMP/d/signals.json")
dbl=$(jq -r '[.runs[] | select(.reaper.name == "broken-double-forward") | .measurements[] | select(.name == "signal_latency_p50") | .value][0]' "$TMP/d/signals.json")
awk -v r="$ref" -v d="$dbl" 'BEGIN { exit !(d > 0 && d < 4 * r + 0.002) }' \
	&& ok "broken-double-forward's p50 ($dbl s) is within a few times the reference's ($ref s)" \
	|| { notok "double-forward p50 '$dbl' vs reference '$ref'"; diag <"$TMP/out"; }
expect_eq "bash: its latency is a skip with the reason" \
	"$(jq -r '[.runs[] | select(.reaper.name == "bash") | .skips[] | select(.name == "signal_latency_p50") | .reason][0]' "$J")" \
	"no signal reached the app"
# the storm condition: PID 1 reaped orphans while the train ran
sr=$(metric tini storm storm_reaped)
[ "$sr" != none ] && [ "${sr%.*}" -gt 100 ] && ok "tini (storm): the storm ran across the train ($sr orphans reaped)" \
	|| { notok "storm_reaped '$sr'"; diag <"$TMP/out"; }
expect_eq "idle runs have no storm" "$(metric tini idle storm_reaped)" none

# The plot: per condition, each curve climbs to the fraction of the sent
# signals that arrived (set table on the kept script, against the record).
if command -v gnuplot >/dev/null; then
	mkdir "$TMP/t" && cp "$TMP/s/signals.csv" "$TMP/t/"
	sed -e '/multiplot/d' -e 's/^set output.*/set table "cdf.txt"/' "$TMP/s/signals-latency-cdf.gp" >"$TMP/t/cdf.gp"
	(cd "$TMP/t" && gnuplot cdf.gp) 2>"$TMP/gp.err" || diag <"$TMP/gp.err"
	# one plot command per panel, idle then storm: "# Curve 0 of N" starts the next
	got=$(awk '/^# Curve 0 of/ { p++ } /^# Curve title:/ { r = $0; sub(/^# Curve title: "/, "", r); sub(/"$/, "", r)
			k = r "/" (p == 1 ? "idle" : "storm"); next }
		/^ *[0-9]/ { top[k] = $2 } END { for (k in top) printf "%s=%.3f\n", k, top[k] }' "$TMP/t/cdf.txt" | sort | paste -sd' ')
	want=$(jq -r '.runs[] | select(.latency_s) | "\(.reaper.name)/\(.condition)=\((.latency_s | map(select(. != null)) | length) / (.latency_s | length))"' "$J" \
		| awk -F= '$2 > 0 { printf "%s=%.3f\n", $1, $2 }' | sort | paste -sd' ')
	[ -n "$got" ] && [ "$got" = "$want" ] && ok "the CDF plot: each curve ends at the fraction that arrived ($got)" \
		|| { notok "CDF plot tops"; echo "# got  '$got'"; echo "# want '$want'"; }
	grep -q 'broken-drop-signal/idle=0.500' <<<"$got" && ok "the plot shows drop-signal's loss (half)" || notok "drop-signal at 0.5"
else
	skip "gnuplot not installed: no plot to check"
fi

# bench/summary reads the record: one line per reaper, a missing suite "-"
"$ROOT/bench/summary" "$TMP/s" >"$TMP/sum.md" 2>&1
grep -q "^| tini | - | - | $(lost tini idle)/$N lost, p50 [0-9]* us | $(lost tini storm)/$N lost" "$TMP/sum.md" \
	&& grep -q "^| bash | - | - | $N/$N lost, p50 - us | $N/$N lost, p50 - us | - | - |$" "$TMP/sum.md" \
	&& expect_eq "bench/summary: a line per reaper" "$(grep -c '^| [a-z]' "$TMP/sum.md")" 5 \
	|| { notok "bench/summary lines"; diag <"$TMP/sum.md"; }

# The gate: a reference that drops SIGUSR1, under the reference's name, is
# flagged against the reference; the reference against itself is not.
mkdir -p "$TMP/reg"
cp "$ROOT/reapers/reference.ini" "$TMP/reg/"
sed -e 's/^name = broken-drop-signal/name = reference/' "$ROOT/reapers/broken-drop-signal.ini" >"$TMP/reg2.ini"
rb signals -r reference --count $N --rate 300 --repeat 3 --conditions idle --json "$TMP/base.json" --out "$TMP/s"
rb signals -r reference --count $N --rate 300 --repeat 3 --conditions idle --json "$TMP/again.json" --out "$TMP/s"
mkdir -p "$TMP/reg-broken" && cp "$TMP/reg2.ini" "$TMP/reg-broken/reference.ini"
REAPBENCH_REAPERS="$TMP/reg-broken" rb signals -r reference --count $N --rate 300 --repeat 3 --conditions idle \
	--json "$TMP/dropped.json" --out "$TMP/s"
rb compare "$TMP/base.json" "$TMP/dropped.json"
expect_eq "compare: a dropped signal regresses (exit 1)" "$rc" 1
grep -q 'reference/idle.*signals_lost.*REGRESSES' "$TMP/out" && ok "compare names signals_lost" \
	|| { notok "signals_lost verdict"; diag <"$TMP/out"; }
rb compare "$TMP/base.json" "$TMP/again.json"
grep -q 'signals_lost.*same' "$TMP/out" && ok "compare: the reference's lost count against itself is the same" \
	|| { notok "self-compare of signals_lost"; diag <"$TMP/out"; }

# Bad input: one line, exit 2
for args in "--signal KILL" "--signal CHLD" "--signal NOPE" "--conditions busy" "--count 0" \
	"--count 5000" "--rate abc" "--repeat 0" "--settle forever" "--frobnicate" "extra"; do
	rb signals -r tini $args
	expect_eq "signals $args: exit 2, one line" "$rc/$(wc -l <"$TMP/out")" "2/1"
done

expect_eq "nothing left behind" "$(nested_count)" "$nested_before"
