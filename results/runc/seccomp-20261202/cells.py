# cell for cell: conform records A and B (reaper, check) -> observed
import gzip, json, sys
def cells(p):
    d = {}
    for run in json.load((gzip.open if p.endswith(".gz") else open)(p, "rt"))["runs"]:
        for c in run["conformance"]:
            d[(run["reaper"]["name"], c["check"])] = c.get("observed")
    return d
a, b = cells(sys.argv[1]), cells(sys.argv[2])
keys = sorted(set(a) & set(b))
diff = [k for k in keys if a[k] != b[k]]
print(f"{len(keys)} cells in both, {len(keys)-len(diff)} the same, {len(diff)} differ; only in A {len(set(a)-set(b))}, only in B {len(set(b)-set(a))}")
for k in diff:
    print(f"  {k[0]:12} {k[1]:28} A={a[k]!r:30} B={b[k]!r}")
