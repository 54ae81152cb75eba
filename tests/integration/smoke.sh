# The default plan of make bench: every available reaper clears an orphan
# burst, except the bare application, and the record and report are written.
. "$(dirname "$0")/../lib.sh"

rb smoke --out "$TMP/s" --count 100
expect_eq "smoke exits 0" "$rc" 0
for r in tini tini-g dumb-init dumb-init-c catatonit catatonit-g pause bash reference; do
	grep -qE "^$r +[0-9.]+ +exited 0 +100 +100 .* cleared$" "$TMP/out" && ok "smoke: $r cleared 100 orphans" \
		|| { notok "smoke: $r cleared 100 orphans"; diag <"$TMP/out"; }
done
grep -qE "^none .* NOT cleared: 100 zombies left$" "$TMP/out" && ok "smoke: none leaves its 100 zombies" \
	|| notok "smoke: none leaves its 100 zombies"
grep -q '^broken-' "$TMP/out" && notok "smoke: controls only with --all" || ok "smoke: controls only with --all"
jq -e '.schema == "reapbench.record/1" and .command == "smoke" and (.runs | length) == 10
       and ([.runs[].measurements[] | select(.name == "payload_reaped")] | length) == 10' "$TMP/s/smoke.json" >/dev/null \
	&& ok "smoke.json: 10 runs with payload_reaped" || notok "smoke.json: 10 runs with payload_reaped"
[ "$(grep -c '^|' "$TMP/s/report.md")" -eq 12 ] && ok "report.md: header, rule and 10 rows" || notok "report.md rows"
[ -s "$TMP/s/logs/pause.log" ] && ok "each sandbox's output is kept in logs/" || notok "each sandbox's output is kept in logs/"

# -r as in every suite: only the reapers named
rb smoke -r tini -r reference --out "$TMP/s2" --count 50
expect_eq "smoke -r tini -r reference: exit 0, those two rows only" \
	"$rc/$(grep -cE '^(tini|reference) .* cleared$' "$TMP/out")/$(grep -cE '^(bash|none|pause|dumb-init) ' "$TMP/out")" "0/2/0"
rb smoke -r no-such-reaper
expect_eq "smoke -r no-such-reaper: exit 2, one line" "$rc/$(wc -l <"$TMP/out")" "2/1"
