#!/usr/bin/env python3
"""Ratios against the performance targets, from one JMH run's JSON (-rf json)
and the memory footprint's JSON, printed as Markdown.

    python3 bench/ratios.py bench/results/<date>.json [bench/results/<date>-memory.json]

Every ratio divides two scores of the same run. Exit status 0 whatever is met:
this reports, it does not judge the build.
"""
import json
import sys

PREFIX = "datastar.wow.deacon.bench."


def load(path):
    """{name: {"score", "error", "unit", "alloc"}} keyed Class.method or Class.method[size]."""
    results = {}
    for entry in json.load(open(path)):
        name = entry["benchmark"].removeprefix(PREFIX)
        size = entry.get("params", {}).get("size")
        key = f"{name}[{size}]" if size else name
        metric = entry["primaryMetric"]
        secondary = entry.get("secondaryMetrics", {})
        alloc = secondary.get("gc.alloc.rate.norm", {}).get("score")
        results[key] = {"score": num(metric["score"]), "error": num(metric["scoreError"]),
                        "unit": metric["scoreUnit"], "alloc": alloc, "entry": entry}
        for sub, m in secondary.items():
            if not sub.startswith("gc.") and not sub.startswith("·"):
                results[f"{key}:{sub}"] = {"score": num(m["score"]), "error": num(m["scoreError"]),
                                           "unit": m["scoreUnit"], "alloc": None, "entry": entry}
    return results


def num(x):
    """JMH writes NaN as a string when an error cannot be computed."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def ratio(r, num, den):
    return r[num]["score"] / r[den]["score"]


# (description, numerator, denominator, comparison, bound)
# "le": numerator/denominator must be <= bound; "ge": denominator/numerator ... see below
TARGETS = [
    ("Java look-up, Caffeine store ÷ raw Caffeine (hit)", "LookupBench.caffeineJavaHit", "LookupBench.rawCaffeineHit", 1.3),
    ("Java look-up, Caffeine store ÷ raw Caffeine (miss)", "LookupBench.caffeineJavaMiss", "LookupBench.rawCaffeineMiss", 1.3),
    ("Java look-up, atom store ÷ raw atom deref+get (hit)", "LookupBench.atomJavaHit", "LookupBench.rawAtomHit", 1.5),
    ("Java look-up, atom store ÷ raw atom deref+get (miss)", "LookupBench.atomJavaMiss", "LookupBench.rawAtomMiss", 1.5),
    ("Clojure ÷ Java look-up, atom store (hit)", "LookupBench.atomClojureHit", "LookupBench.atomJavaHit", 1.5),
    ("Clojure ÷ Java look-up, atom store (miss)", "LookupBench.atomClojureMiss", "LookupBench.atomJavaMiss", 1.5),
    ("Clojure ÷ Java look-up, Caffeine store (hit)", "LookupBench.caffeineClojureHit", "LookupBench.caffeineJavaHit", 1.5),
    ("Clojure ÷ Java look-up, Caffeine store (miss)", "LookupBench.caffeineClojureMiss", "LookupBench.caffeineJavaMiss", 1.5),
    ("Interceptor, no key ÷ raw atom deref+get (miss: no key comparison)", "InterceptorBench.deaconNoKey", "LookupBench.rawAtomMiss", 2.5),
    ("Interceptor, no key ÷ raw atom deref+get (hit)", "InterceptorBench.deaconNoKey", "LookupBench.rawAtomHit", 2.5),
    ("Interceptor, reuse on Caffeine store ÷ raw Caffeine read (hit)", "InterceptorBench.deaconCaffeineReuse", "LookupBench.rawCaffeineHit", 2.0),
    ("Purge by connection, atom store: 100k ÷ 10 entries", "PurgeConnectionBench.atomPurgeConnection[100000]", "PurgeConnectionBench.atomPurgeConnection[10]", 2.0),
    ("Purge by connection, Caffeine store: 100k ÷ 10 entries", "PurgeConnectionBench.caffeinePurgeConnection[100000]", "PurgeConnectionBench.caffeinePurgeConnection[10]", 2.0),
]

# baseline ÷ deacon must be >= 3
SPEEDUPS = [
    ("no key", "InterceptorBench.baselineNoKey", "InterceptorBench.deaconNoKey"),
    ("store on open, atom store", "InterceptorBench.baselineAtomOpen", "InterceptorBench.deaconAtomOpen"),
    ("store on open, Caffeine store", "InterceptorBench.baselineCaffeineOpen", "InterceptorBench.deaconCaffeineOpen"),
    ("reuse look-up, atom store", "InterceptorBench.baselineAtomReuse", "InterceptorBench.deaconAtomReuse"),
    ("reuse look-up, Caffeine store", "InterceptorBench.baselineCaffeineReuse", "InterceptorBench.deaconCaffeineReuse"),
    ("reuse look-up, atom store, per-user :id-fn", "InterceptorBench.baselineAtomReuseScoped", "InterceptorBench.deaconAtomReuseScoped"),
    ("reuse look-up, Caffeine store, per-user :id-fn", "InterceptorBench.baselineCaffeineReuseScoped", "InterceptorBench.deaconCaffeineReuseScoped"),
    ("open + close/purge, atom store", "InterceptorBench.baselineAtomOpenClose", "InterceptorBench.deaconAtomOpenClose"),
    ("open + close/purge, Caffeine store", "InterceptorBench.baselineCaffeineOpenClose", "InterceptorBench.deaconCaffeineOpenClose"),
]

MEMORY = [
    ("atom store, entries stored by the interceptor (with owner)", "atomStoreOwned", 120),
    ("atom store, entries stored without owner", "atomStore", 120),
    ("Caffeine store, entries stored by the interceptor (with owner)", "caffeineStoreOwned", 200),
    ("Caffeine store, entries stored without owner", "caffeineStore", 200),
]


def verdict(ok):
    return "met" if ok else "**missed**"


def targets_table(r, memory):
    rows = ["| target | ratio | bound | verdict |", "|---|---:|---:|---|"]
    for text, num, den, bound in TARGETS:
        if num in r and den in r:
            x = ratio(r, num, den)
            rows.append(f"| {text} | {x:.2f}× | ≤ {bound}× | {verdict(x <= bound)} |")
    for text, base, ours in SPEEDUPS:
        if base in r and ours in r:
            x = ratio(r, base, ours)
            rows.append(f"| Interceptor {text}: baseline ÷ deacon | {x:.2f}× | ≥ 3× | {verdict(x >= 3)} |")
    nokey = r.get("InterceptorBench.deaconNoKey")
    if nokey and nokey["alloc"] is not None:
        rows.append(f"| Interceptor, no key: allocation | {nokey['alloc']:.3f} B/op | 0 | {verdict(nokey['alloc'] < 1)} |")
    if memory:
        for text, name, bound in MEMORY:
            if name in memory:
                b = memory[name]["graphBytesPerEntry"]
                h = memory[name]["heapBytesPerEntry"]
                rows.append(f"| Retained memory per entry at 100k, {text} | {b:.1f} B (heap: {h:.1f} B) | ≤ {bound} B | {verdict(max(b, h) <= bound)} |")
    return "\n".join(rows)


def scores_table(r):
    rows = ["| benchmark | score | ± error | unit | alloc B/op |", "|---|---:|---:|---|---:|"]
    for name in sorted(r):
        x = r[name]
        alloc = "" if x["alloc"] is None else f"{x['alloc']:.1f}"
        rows.append(f"| {name} | {x['score']:.2f} | {x['error']:.2f} | {x['unit']} | {alloc} |")
    return "\n".join(rows)


def settings(r):
    e = next(iter(r.values()))["entry"]
    return (f"JMH {e['jmhVersion']}, {e['vmName']} {e['vmVersion']}, forks {e['forks']}, "
            f"warm-up {e['warmupIterations']} × {e['warmupTime']}, "
            f"measurement {e['measurementIterations']} × {e['measurementTime']}, mode {e['mode']}, "
            f"JVM args {e['jvmArgs'] or 'none'}")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip())
        return 2
    r = load(argv[1])
    memory = json.load(open(argv[2])) if len(argv) > 2 else None
    print("Settings: " + settings(r) + "\n")
    print("### Targets\n")
    print(targets_table(r, memory) + "\n")
    print("### All scores\n")
    print(scores_table(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
