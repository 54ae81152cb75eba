# shellcheck shell=bash
# The regression gate's plan, sourced by bench/check, bench/baseline and
# bench/gate-quality so that all three run and judge the same thing.
#
# What the gate runs (the quick plan's parts that have comparable records):
#  - conform.json: the conformance matrix, every available reaper, as in
#    bench/run-quick (a cell ok -> DEVIATES always fails);
#  - storm.json: a hoard storm (1000 zombies inherited at once), not the
#    quick plan's burst: bursts are bimodal on 2 cores (CV 40-150 %), a hoard
#    is PID 1's reaping alone. For the reference only by default: it runs
#    every part of this repo the storm exercises (generator, observer,
#    rb-init); the other inits are fixed binaries. GATE_REAPERS="-r tini ..."
#    widens it (each reaper is another chance of a false alarm);
#  - signals.json: the open-loop signal train through the same reapers, idle:
#    a lost signal (more than compare's slack of 2 per run, median over the
#    runs) always regresses; its latency only when it is 4x and more: the
#    VM's wakeups moved its p50 and p90 by up to +130 % between identical
#    reruns on a quiet machine. 8 runs: after --trim 50, 4 against 4 can
#    still reach p < 0.05.
# Measured by bench/gate-quality; the figures are in docs/gate.md.

GATE_REAPERS=${GATE_REAPERS:--r reference}
# A yardstick run side by side in the storm: a fixed binary (Debian's tini),
# not judged; the judged reapers' timed metrics are compared as ratios to its
# median in the same record, so that what slows the whole machine for a
# while (the drift between a baseline and a later check) cancels. Measured:
# over 10 identical records PID 1's CPU per reap of the reference moved up to
# +55 % raw, up to +25 % relative to tini. "" turns it off.
GATE_YARDSTICK=${GATE_YARDSTICK-tini}
if [ -n "$GATE_YARDSTICK" ] && [ "$GATE_YARDSTICK" = tini ] && ! command -v tini >/dev/null; then
	echo "gate: tini is not installed (make setup): no yardstick, raw figures compared" >&2
	GATE_YARDSTICK=
fi
GATE_STORM=${GATE_STORM:---pattern hoard --count 1000 --repeat 40}
GATE_SIGNALS=${GATE_SIGNALS:---conditions idle --count 100 --repeat 8}
# PID 1's CPU per reap is the stable figure (run-to-run drift of the median
# within a few %); latency and drain move with whatever else the 2 cores run
# (drift of the median up to +-40 % between identical reruns, see docs/gate.md),
# so they get wide thresholds: still a verdict, but only for large shifts.
GATE_COMPARE=${GATE_COMPARE:---trim 50 --threshold 10 \
--metric-threshold reap_latency_p50=60 --metric-threshold reap_latency_p90=60 \
--metric-threshold reap_latency_p99=60 --metric-threshold reap_latency_p99_9=60 \
--metric-threshold reap_latency_max=60 --metric-threshold drain_time=60 \
--metric-threshold drain_rate=40 \
--metric-threshold signal_latency_p50=300 --metric-threshold signal_latency_p90=300 \
--metric-threshold signal_latency_p99=300 --metric-threshold signal_latency_max=300}

# compare's arguments for RECORD: GATE_COMPARE, and for the storm the
# yardstick (only the storm runs it: compare refuses a --relative-to reaper
# that a record lacks).
gate_compare_args() { # RECORD
	case $1 in
	*storm.json) echo "$GATE_COMPARE ${GATE_YARDSTICK:+--relative-to $GATE_YARDSTICK}" ;;
	*) echo "$GATE_COMPARE" ;;
	esac
}

# More conform options (e.g. "-r reference --check exit." in the tests).
GATE_CONFORM=${GATE_CONFORM:-}

# gate_storm RB OUT: the gate's storm into OUT/storm.json (its table on stdout)
gate_storm() {
	# shellcheck disable=SC2086 # the plan's words
	"$1" storm $GATE_REAPERS ${GATE_YARDSTICK:+-r $GATE_YARDSTICK} $GATE_STORM --out "$2"
}

# gate_signals RB OUT: the gate's signal train into OUT/signals.json
gate_signals() {
	# shellcheck disable=SC2086 # the plan's words
	"$1" signals $GATE_REAPERS $GATE_SIGNALS --no-plots --out "$2"
}

# gate_conform RB OUT: the conformance matrix into OUT/conform.json; 0 when it
# ran (deviations included: the comparison judges them), else 1
gate_conform() {
	# shellcheck disable=SC2086 # the plan's words
	"$1" conform $GATE_CONFORM --grace 1s --format md --json "$2/conform.json" >"$2/conform.md" \
		2>"$2/conform-deviations.txt"
	[ $? -le 1 ]
}

# gate_plan RB OUT: every record of the gate into OUT
gate_plan() {
	local st=0
	mkdir -p "$2" || return 1
	echo "== conform: the conformance matrix (grace 1s${GATE_CONFORM:+ $GATE_CONFORM}) -> $2/conform.json"
	gate_conform "$1" "$2" || { echo "conform failed: see $2/conform-deviations.txt"; st=1; }
	echo "== storm: $GATE_STORM ($GATE_REAPERS) -> $2/storm.json"
	gate_storm "$1" "$2" >"$2/storm.txt" || { cat "$2/storm.txt"; st=1; }
	echo "== signals: $GATE_SIGNALS ($GATE_REAPERS) -> $2/signals.json"
	gate_signals "$1" "$2" >"$2/signals.txt" || { cat "$2/signals.txt"; st=1; }
	return $st
}

# The records the gate compares, by file name.
# shellcheck disable=SC2034 # used by the scripts that source this
GATE_RECORDS="conform.json storm.json signals.json"
