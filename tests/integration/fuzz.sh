# The libFuzzer targets survive a short run from their seeds (a crash, leak
# or sanitizer report makes the fuzzer exit non-zero).
. "$(dirname "$0")/../lib.sh"

[ "$BUILD" = build ] || { skip "fuzzers run once, with the plain build"; exit 0; }
for t in descriptor:reapers record:fuzz/seeds/record; do
	name=${t%%:*} seeds=$ROOT/${t#*:}
	bin=$ROOT/build-fuzz/fuzz_$name
	[ -x "$bin" ] || { notok "fuzz_$name is built (make fuzz)"; continue; }
	mkdir -p "$TMP/corpus-$name"   # libFuzzer writes into the first directory
	if "$bin" -runs=30000 -max_len=8192 "$TMP/corpus-$name" "$seeds" >"$TMP/out" 2>&1; then
		ok "fuzz_$name: $(grep -o 'Done [0-9]* runs.*' "$TMP/out")"
	else
		notok "fuzz_$name crashed"; tail -30 "$TMP/out" | diag
	fi
done
