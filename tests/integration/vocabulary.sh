# One vocabulary across the suites: every measuring command takes the output
# group (--out DIR, --json PATH, --no-record, --format F), every suite that
# runs reapers takes -r and --all, and the record goes where the flags say.
. "$(dirname "$0")/../lib.sh"

for c in run smoke conform storm signals exhaust startup scale calibrate fuzz gate; do
	"$RB" $c --help >"$TMP/help" 2>&1
	for f in "--out DIR" "--json PATH" "--no-record" "--format F"; do
		grep -qE -- "^  $f( |\$)" "$TMP/help" && ok "$c --help: $f" || notok "$c --help lacks $f"
	done
done
for c in smoke conform storm signals exhaust startup; do
	"$RB" $c --help >"$TMP/help" 2>&1
	grep -qE -- '-r, --reaper' "$TMP/help" && grep -qF -- '--all' "$TMP/help" &&
		ok "$c --help: -r, --reaper and --all" || notok "$c --help lacks -r or --all"
done

# where the record goes
rb storm -r reference --count 50 --repeat 1 --no-plots --out "$TMP/s" --json "$TMP/s/mine.json"
expect_eq "storm --json PATH: the record there, not DIR/storm.json" \
	"$rc/$(jq -r .command "$TMP/s/mine.json" 2>/dev/null)/$([ -e "$TMP/s/storm.json" ] && echo both || echo one)" "0/storm/one"
rb storm -r reference --count 50 --repeat 1 --no-plots --out "$TMP/s2"
expect_eq "control: storm without --json: DIR/storm.json" "$(jq -r .command "$TMP/s2/storm.json" 2>/dev/null)" "storm"
rb exhaust -r reference --repeat 1 --out "$TMP/e" --json "$TMP/e/x.json"
expect_eq "exhaust --json PATH" "$rc/$(jq -r .command "$TMP/e/x.json" 2>/dev/null)" "0/exhaust"
rb smoke -r reference --count 50 --out "$TMP/k" --json "$TMP/k/x.json"
expect_eq "smoke --json PATH" "$rc/$(jq -r .command "$TMP/k/x.json" 2>/dev/null)" "0/smoke"
rb conform -r reference --check exit.code.42 --out "$TMP/c"
expect_eq "conform --out DIR: DIR/conform.json" "$rc/$(jq -r .command "$TMP/c/conform.json" 2>/dev/null)" "0/conform"
rb conform -r reference --check exit.code.42 --out "$TMP/c2" --json "$TMP/c2/x.json"
expect_eq "conform --out DIR --json PATH: PATH wins" \
	"$(jq -r .command "$TMP/c2/x.json" 2>/dev/null)/$([ -e "$TMP/c2/conform.json" ] && echo both || echo one)" "conform/one"

# Every subcommand's --help and parsing come from its option table: the same
# shape everywhere, every option listed once, the same error for a bad one.
cmds=$("$RB" --help | awk '/^  [a-z]/ && $1 != "version" { print $1 }')
[ "$(echo "$cmds" | wc -w)" -ge 13 ] && ok "reapbench --help lists the subcommands ($(echo $cmds))" \
	|| notok "reapbench --help lists only: $cmds"
for c in $cmds; do
	"$RB" $c --help >"$TMP/help" 2>&1; hrc=$?
	dups=$(grep -oE '^  (-[a-z], )?--[a-z-]+' "$TMP/help" | sed 's/.*--/--/' | sort | uniq -d)
	if [ $hrc -eq 0 ] && head -1 "$TMP/help" | grep -q "^usage: reapbench $c " &&
	   grep -qE '^  -h, --help +this help$' "$TMP/help" && [ -z "$dups" ]; then
		ok "$c --help: generated ($(grep -cE '^  (-[a-z], )?--' "$TMP/help") options, none twice)"
	else
		notok "$c --help (rc $hrc, twice: $dups)"; diag <"$TMP/help"
	fi
	# a duration option says how durations read
	if grep -qE -- '--[a-z-]+ DUR' "$TMP/help"; then
		grep -q 'a bare number is seconds' "$TMP/help" && ok "$c --help: how a DUR reads" \
			|| notok "$c --help: DUR options without the note"
	fi
	rb $c --no-such-option
	expect_eq "$c: an unknown option is one line, exit 2" "$rc/$(wc -l <"$TMP/out")/$(cat "$TMP/out")" \
		"2/1/reapbench: $c: unknown option '--no-such-option' or it lacks its value (try reapbench $c --help)"
done
# the old names still work where a suite's word differs from hyperfine's
"$RB" startup --help | grep -qE '^  --repeat N .*timed runs' && "$RB" startup --help | grep -qE '^  --runs N' \
	&& ok "startup: --repeat, and --runs as hyperfine says it" || notok "startup: --repeat / --runs"

# --no-record keeps nothing: no results/ under the working directory, no
# temporary directory left; the table is still printed
mkdir -p "$TMP/cwd"
(cd "$TMP/cwd" && TMPDIR="$TMP/cwd-tmp" && mkdir -p "$TMPDIR" && export TMPDIR &&
	"$RB" storm -r reference --count 50 --repeat 1 --no-plots --no-record >"$TMP/out" 2>&1); rc=$?
expect_eq "storm --no-record: exit 0, the table, no record line, nothing kept" \
	"$rc/$(grep -cE '^reference +1/1 ' "$TMP/out")/$(grep -c '^record' "$TMP/out")/$(ls -A "$TMP/cwd" | wc -l)/$(ls -A "$TMP/cwd-tmp" | wc -l)" \
	"0/1/0/0/0"
(cd "$TMP/cwd" && "$RB" run -r tini --no-record -- exit 0 >"$TMP/out" 2>&1); rc=$?
expect_eq "run --no-record: nothing kept, no record line" "$rc/$(grep -c '^record' "$TMP/out")/$(ls -A "$TMP/cwd" | wc -l)" "0/0/0"
# control: without it the record is kept where the footer says
(cd "$TMP/cwd" && "$RB" run -r tini -- exit 0 >"$TMP/out" 2>&1)
f=$(sed -n 's/^record *//p' "$TMP/out")
expect_eq "control: run keeps its record where it says" "$(cd "$TMP/cwd" && jq -r .command "$f" 2>/dev/null)" "run"
rm -rf "$TMP/cwd/results"

# --format json: stdout is the record alone (what the suite says meanwhile
# goes to stderr), and it is what --json would have written
"$RB" exhaust -r reference --repeat 1 --pid-max 400 --format json --out "$TMP/fj" >"$TMP/j" 2>"$TMP/err"
expect_eq "exhaust --format json: stdout is the record, the same as DIR/exhaust.json" \
	"$(jq -r .command "$TMP/j" 2>/dev/null)/$(jq -S . "$TMP/j" | cmp -s - <(jq -S . "$TMP/fj/exhaust.json") && echo same)/$(grep -c '^capacity: pids' "$TMP/err")" \
	"exhaust/same/1"
for c in "run -r tini --no-record --format json -- exit 3" "smoke -r tini --count 20 --no-record --format json" \
	 "scale -r reference --counts 100,200 --repeat 1 --no-record --format json"; do
	"$RB" $c >"$TMP/j" 2>/dev/null
	expect_eq "${c%% *} --format json: the record on stdout" "$(jq -r .command "$TMP/j" 2>/dev/null)" "${c%% *}"
done

# --format md: the tables in Markdown where a suite offers it; a suite that
# does not says so
"$RB" storm -r reference -r tini --count 50 --repeat 2 --no-plots --no-record --format md >"$TMP/md" 2>&1
expect_eq "storm --format md: two tables (medians, spread), header rules aligned right for figures" \
	"$(grep -c '^| REAPER | ' "$TMP/md")/$(grep -c '^|---|---|---:' "$TMP/md")/$(grep -cE '^\| (reference|tini) \| ' "$TMP/md")" "2/1/4"
"$RB" exhaust -r reference --repeat 1 --pid-max 400 --observer harness --no-record --format md >"$TMP/md" 2>&1
expect_eq "exhaust --format md: a table" "$(grep -c '^| REAPER | CAPACITY |' "$TMP/md")/$(grep -c '^| reference | ' "$TMP/md")" "1/1"
"$RB" signals -r reference --count 20 --conditions idle --repeat 1 --no-plots --observer app --no-record --format md >"$TMP/md" 2>&1
expect_eq "signals --format md: the latency table" "$(grep -c '^| REAPER | COND | SENT |' "$TMP/md")/$(grep -c '^| reference | idle | 20 | 0 |' "$TMP/md")" "1/1"
rb calibrate --format md --no-record
expect_eq "calibrate --format md: not offered, one line, exit 2" "$rc/$(wc -l <"$TMP/out")/$(cat "$TMP/out")" \
	"2/1/reapbench: --format: 'md' is not text or json"

# contradictions and nonsense: one line, exit 2
for args in "storm --no-record --out $TMP/x" "run -r tini --no-record --json $TMP/x.json -- exit 0" \
	    "storm --format xml" "smoke --json ''"; do
	eval rb "$args"
	expect_eq "$args: one line, exit 2" "$rc/$(wc -l <"$TMP/out")" "2/1"
done
[ ! -e "$TMP/x" ] && [ ! -e "$TMP/x.json" ] && ok "nothing written for a refused command line" || notok "a refused command wrote"
