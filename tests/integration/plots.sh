# reapbench storm's gnuplot plots: the SVGs are made where gnuplot is, with
# one CDF curve per reaper that reaped something and one population line per
# reaper; the scripts draw exactly the CSVs' data (checked by running them
# with `set table` against the CSVs); without gnuplot the storm still
# succeeds and says skipped; --no-plots makes none; a failing gnuplot is an
# error named in one line.
. "$(dirname "$0")/../lib.sh"

# the key titles of a gnuplot SVG, one per plotted curve, in order
svg_keys() { awk '/<g id="gnuplot_plot_[0-9]+"/ { want = 1; next } want && match($0, /<text>[^<]*<\/text>/) { print substr($0, RSTART + 6, RLENGTH - 13); want = 0 }' "$1" | paste -sd' '; }
svg_curves() { grep -c '<g id="gnuplot_plot_[0-9]*"' "$1"; }
# root element <svg ...> after the XML prolog, and the document closes it
is_svg() { [ "$(grep -v '^<?xml\|^<!\|^ *$' "$1" | head -1 | cut -c1-4)" = "<svg" ] && [ "$(grep -v '^ *$' "$1" | tail -1)" = "</svg>" ]; }

if ! command -v gnuplot >/dev/null; then
	skip "gnuplot is not installed: the plots cannot be checked (only the skip below)"
else
	D=$TMP/s
	rb storm -r reference -r tini -r none --count 200 --repeat 2 --out "$D"
	expect_eq "storm with plots exits 0" "$rc" 0
	expect_eq "it prints where the plots are" "$(grep '^plots ' "$TMP/out")" \
		"plots   storm-latency-cdf.svg storm-population.svg (in $D)"
	for f in storm-latency-cdf storm-population; do
		if [ -s "$D/$f.svg" ] && is_svg "$D/$f.svg"; then ok "$f.svg is an SVG document"; else notok "$f.svg is an SVG document"; fi
		[ -s "$D/$f.gp" ] && ok "$f.gp is kept beside it" || notok "$f.gp is kept"
	done
	# none reaps nothing: no CDF curve, said in the title
	expect_eq "latency CDF: one curve per reaper that reaped, keyed by name" \
		"$(svg_curves "$D/storm-latency-cdf.svg")/$(svg_keys "$D/storm-latency-cdf.svg")" "2/reference tini"
	grep -q '<text>.*no curve (nothing reaped): none</text>' "$D/storm-latency-cdf.svg" \
		&& ok "latency CDF: the title says none has no curve" || notok "latency CDF: the title names none"
	grep -q '<text>storm burst: 200 processes (clone-vm), 2 runs per reaper</text>' "$D/storm-latency-cdf.svg" \
		&& ok "latency CDF: titled with pattern, count and runs" || notok "latency CDF title"
	expect_eq "population: one line per reaper, keyed by name" \
		"$(svg_curves "$D/storm-population.svg")/$(svg_keys "$D/storm-population.svg")" "3/reference tini none"
	J=$D/storm.json
	jq -e '.plots | .gnuplot != null and .skipped == null
	       and .latency_cdf == {"svg": "storm-latency-cdf.svg", "script": "storm-latency-cdf.gp",
	                            "curves": ["reference", "tini"], "no_curve": ["none"]}
	       and .population == {"svg": "storm-population.svg", "script": "storm-population.gp",
	                           "curves": ["reference", "tini", "none"]}' "$J" >/dev/null \
		&& ok "storm.json lists the plots, their scripts and curves" || { notok "storm.json plots"; jq .plots "$J" | diag; }

	# The scripts' data: each CDF point is the fraction of the reaper's
	# reaped processes, both runs pooled, with latency <= x (latencies
	# below the floor counted at it); each population line is the first
	# run's rows.
	mkdir "$TMP/t" && cp "$D/storm.csv" "$D/storm-pop.csv" "$TMP/t/"
	sed 's/^set output.*/set table "cdf.txt"/' "$D/storm-latency-cdf.gp" >"$TMP/t/cdf.gp"
	sed 's/^set output.*/set table "pop.txt"/' "$D/storm-population.gp" >"$TMP/t/pop.gp"
	(cd "$TMP/t" && gnuplot cdf.gp && gnuplot pop.gp) 2>"$TMP/gp.err" || diag <"$TMP/gp.err"
	floor=$(sed -n 's/^floor = //p' "$D/storm-latency-cdf.gp")
	bad=$(awk -F, -v floor="$floor" '
		FNR == NR { if (FNR > 1 && $9 != "") { n[$1]++; lat[$1, n[$1]] = $9 < floor ? floor : $9 } next }
		/^# Curve title:/ { gsub(/"/, "", $0); r = $NF; curves++; next }
		/^ *[0-9]/ { split($0, f, " "); x = f[1]; y = f[2]; pts[r]++; last[r] = y
			# x is printed to 6 digits: y must lie between the fractions just below and above
			lo = hi = 0; for (i = 1; i <= n[r]; i++) { lo += lat[r, i] < x * (1 - 1e-5); hi += lat[r, i] <= x * (1 + 1e-5) }
			if (y < lo / n[r] - 1e-6 || y > hi / n[r] + 1e-6) print r " at " x ": " y " not in " lo / n[r] ".." hi / n[r] }
		END { if (curves != 2) print curves " curves"; for (r in pts) if (last[r] != 1) print r " ends at " last[r]
		      print "checked", curves, pts["reference"] + pts["tini"] }' "$TMP/t/storm.csv" FS=' ' "$TMP/t/cdf.txt")
	case "$bad" in
	"checked 2 "[1-9]*) ok "latency CDF: every point is the pooled fraction reaped within x, up to 1 (${bad#checked 2 } points)" ;;
	*) notok "latency CDF data"; echo "$bad" | diag ;;
	esac
	want=$(awk -F, 'NR > 1 && $2 == 0 { n[$1]++; if ($4 > m[$1]) m[$1] = $4 } END { for (r in n) print r, n[r], m[r] + 0 }' "$D/storm-pop.csv" | sort | paste -sd' ')
	got=$(awk '/^# Curve title:/ { gsub(/"/, ""); r = $NF; m[r] = 0; next }
		$NF == "i" { n[r]++; if ($2 > m[r]) m[r] = $2 }
		END { for (r in n) print r, n[r], m[r] }' "$TMP/t/pop.txt" | sort | paste -sd' ')
	[ -n "$want" ] && [ "$got" = "$want" ] && ok "population: each line is its reaper's first run, all its samples ($got)" \
		|| { notok "population data"; echo "# got '$got', want '$want'"; }

	# Nothing reaped: no CDF at all (said why), the population still drawn.
	rb storm -r none --count 200 --repeat 1 --out "$TMP/z"
	expect_eq "only none: exit 0, the CDF skipped with its reason, the population drawn" \
		"$rc/$(grep '^plots ' "$TMP/out")/$(ls "$TMP/z" | grep -c '^storm-latency-cdf')/$(svg_keys "$TMP/z/storm-population.svg")/$(jq -r '.plots.latency_cdf.skipped' "$TMP/z/storm.json")" \
		"0/plots   storm-population.svg (in $TMP/z); storm-latency-cdf skipped: no reaper reaped a storm process/0/none/no reaper reaped a storm process"

	# A gnuplot that fails: the storm's figures stand, the plot is an error.
	mkdir "$TMP/bad" && printf '#!/bin/sh\necho "\\"x.gp\\" line 1: broken on purpose" >&2\nexit 1\n' >"$TMP/bad/gnuplot"
	chmod +x "$TMP/bad/gnuplot"
	PATH=$TMP/bad:$PATH rb storm -r reference --count 200 --repeat 1 --out "$TMP/f"
	expect_eq "a failing gnuplot: exit 1, the record written, its error in one line" \
		"$rc/$(jq -r '.plots.latency_cdf.error' "$TMP/f/storm.json" | sed 's/.*: //')/$(grep -c '^plots .*storm-latency-cdf failed: gnuplot storm-latency-cdf.gp (in .*): exited 1: "x.gp" line 1: broken on purpose' "$TMP/out")" \
		"1/broken on purpose/1"
fi

# No gnuplot in PATH (the harness finds its own binaries beside itself).
# A stale SVG from an earlier run must not survive next to the new data.
mkdir -p "$TMP/n" && echo '<svg>old</svg>' >"$TMP/n/storm-latency-cdf.svg"
env PATH=/nonexistent "$RB" storm -r reference --count 200 --repeat 1 --out "$TMP/n" >"$TMP/out" 2>&1; rc=$?
expect_eq "no gnuplot: the storm still exits 0" "$rc" 0
grep -qE '^reference +1/1 ' "$TMP/out" && ok "no gnuplot: the storm was measured" || { notok "no gnuplot: storm measured"; diag <"$TMP/out"; }
expect_eq "no gnuplot: it says skipped and why" "$(grep '^plots ' "$TMP/out")" \
	"plots   skipped: gnuplot not found in PATH (the scripts, storm-*.gp, are in $TMP/n)"
expect_eq "no gnuplot: no SVG (the stale one removed), the scripts kept" \
	"$(ls "$TMP/n" | grep -c '\.svg$')/$(ls "$TMP/n" | grep -c '\.gp$')" "0/2"
expect_eq "no gnuplot: storm.json says skipped with the reason" \
	"$(jq -r '[.plots.skipped, .plots.latency_cdf.skipped, .plots.population.skipped, .plots.latency_cdf.svg] | join("/")' "$TMP/n/storm.json")" \
	"gnuplot not found in PATH/gnuplot not found in PATH/gnuplot not found in PATH/"

# --no-plots: nothing drawn, nothing written for it.
rb storm -r reference --count 200 --repeat 1 --no-plots --out "$TMP/x"
expect_eq "--no-plots: exit 0, skipped, no SVG and no script" \
	"$rc/$(grep '^plots ' "$TMP/out")/$(ls "$TMP/x" | grep -c '\.svg$\|\.gp$')/$(jq -r .plots.skipped "$TMP/x/storm.json")" \
	"0/plots   skipped: --no-plots/0/--no-plots"
