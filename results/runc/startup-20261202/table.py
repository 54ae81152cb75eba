import json, statistics as st, sys, glob, os
D = sys.argv[1]
order = ["none","tini","tini-g","dumb-init","dumb-init-c","catatonit","catatonit-g","bash","pause","reference"]
def run_of(rt, r):
    rec = json.load(open(f"{D}/{rt}-{r}.json"))
    for run in rec["runs"]:
        if run["reaper"]["name"] == r:
            return run
def f(x):
    x *= 1000
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"
def mm(ts): return f"{f(st.median(ts))} ({f(min(ts))}–{f(max(ts))})"
print("| reaper | own LIFECYCLE ms | runc LIFECYCLE ms | what runc adds ms | START own / runc ms | EXIT->GONE N=100 own / runc ms |")
print("|---|---:|---:|---:|---:|---:|")
for r in order:
    o, c = run_of("own", r), run_of("runc", r)
    lo, lc = o["hyperfine"]["lifecycle"]["times"], c["hyperfine"]["lifecycle"]["times"]
    so, sc = o["payload_start_s"], c["payload_start_s"]
    to, tc = o["teardown_s"], c["teardown_s"]
    to = to["100"] if isinstance(to, dict) else to
    tc = tc["100"] if isinstance(tc, dict) else tc
    print(f"| {r} | {mm(lo)} | {mm(lc)} | +{f(st.median(lc)-st.median(lo))} | {f(st.median(so))} / {f(st.median(sc))} | {f(st.median(to))} / {f(st.median(tc))} |")
