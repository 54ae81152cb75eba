# --noise: stress-ng runs beside any subcommand, the record says so, it is
# stopped afterwards (and dies with a SIGKILLed harness, workers included),
# compare refuses to mix quiet and noisy records, bad kinds exit 2.
. "$(dirname "$0")/../lib.sh"

if ! command -v stress-ng >/dev/null; then
	skip "stress-ng not installed (make setup installs it)"
	exit 0
fi
# the processes of stress-ng's session (it runs in its own): SID
session_count() { ps -e -o sid= | awk -v s="$1" '$1 == s' | wc -l; }

rb storm -r tini --count 200 --repeat 2 --noise cpu,switch --out "$TMP/n"
expect_eq "storm --noise cpu,switch exits 0" "$rc" 0
pid=$(sed -n 's/^noise: stress-ng.*(pid \([0-9]*\))$/\1/p' "$TMP/out")
grep -qF "noise: stress-ng --quiet --timeout 4h --cpu 0 --switch 1 --temp-path ${TMPDIR:-/tmp} (pid" "$TMP/out" \
	&& ok "the stressors of cpu,switch started" || { notok "noise line"; diag <"$TMP/out"; }
expect_eq "the record names the noise" "$(jq -r .environment.noise "$TMP/n/storm.json")" "cpu,switch"
[ -n "$pid" ] && [ "$(session_count "$pid")" -eq 0 ] && ok "stress-ng and its workers are gone after the run" \
	|| notok "stress-ng (session $pid) left behind"
rb storm -r tini --count 200 --repeat 2 --out "$TMP/q"
expect_eq "a quiet record says noise none" "$(jq -r .environment.noise "$TMP/q/storm.json")" none
rb compare "$TMP/q/storm.json" "$TMP/n/storm.json"
expect_eq "compare of a quiet and a noisy record: exit 2, one line" "$rc/$(wc -l <"$TMP/out")" "2/1"
grep -q 'noise cpu,switch' "$TMP/out" && ok "compare says which noise" || { notok "compare noise message"; diag <"$TMP/out"; }

# The harness SIGKILLed while the noise runs: stress-ng dies with it
"$RB" signals -r tini --count 400 --rate 100 --conditions idle --noise cpu --out "$TMP/k" >"$TMP/out" 2>&1 &
h=$!
for _ in $(seq 50); do grep -q '^noise:' "$TMP/out" && break; sleep 0.1; done
pid=$(sed -n 's/^noise: stress-ng.*(pid \([0-9]*\))$/\1/p' "$TMP/out")
sleep 0.5
n_running=$(session_count "${pid:-0}")
kill -KILL $h; wait $h 2>/dev/null
for _ in $(seq 30); do [ "$(session_count "${pid:-0}")" -eq 0 ] && break; sleep 0.1; done
[ -n "$pid" ] && [ "$n_running" -ge 2 ] && [ "$(session_count "$pid")" -eq 0 ] \
	&& ok "harness SIGKILLed: stress-ng and its $((n_running - 1)) worker(s) died with it" \
	|| { notok "after SIGKILL: session $pid had $n_running, now $(session_count "${pid:-0}")"; diag <"$TMP/out"; }

# as nobody, started in a directory it cannot write (stress-ng's default
# temp path, the current directory, would abort it): the noise runs
if [ "$(id -u)" -eq 0 ]; then
	(cd / && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$RB_NOBODY" storm -r tini --count 50 \
		--repeat 1 --no-plots --noise cpu --out "$TMP/w/nb") >"$TMP/out" 2>&1
	expect_eq "as nobody in /: storm --noise cpu exits 0, the record names the noise" \
		"$?/$(jq -r .environment.noise "$TMP/w/nb/storm.json" 2>/dev/null)" "0/cpu"
else
	skip "--noise as nobody in /: not root"
fi

for args in "--noise bogus" "--noise" "--noise=" "--noise cpu,,vm"; do
	rb storm -r tini $args
	expect_eq "storm $args: exit 2, one line" "$rc/$(wc -l <"$TMP/out")" "2/1"
done
rb_path_less() { env PATH=/nonexistent "$RB" "$@" >"$TMP/out" 2>&1; rc=$?; }
rb_path_less storm -r tini --noise cpu
expect_eq "no stress-ng in PATH: exit 2, one line" "$rc/$(cat "$TMP/out")" \
	"2/reapbench: --noise: stress-ng not found in PATH (make setup installs it)"
