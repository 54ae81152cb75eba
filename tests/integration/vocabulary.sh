# One vocabulary across the suites: every measuring command takes --out DIR
# (a results directory) and --json PATH (its record), every suite that runs
# reapers takes -r and --all, and the record goes where the flags say.
. "$(dirname "$0")/../lib.sh"

for c in smoke conform storm signals exhaust startup calibrate; do
	"$RB" $c --help >"$TMP/help" 2>&1
	for f in "--out DIR" "--json PATH"; do
		grep -qF -- "$f" "$TMP/help" && ok "$c --help: $f" || notok "$c --help lacks $f"
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
