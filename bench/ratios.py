#!/usr/bin/env python3
"""Ratios against the performance targets, from one JMH run's JSON (-rf json)
and the memory footprint's JSON, printed as Markdown.

    python3 bench/ratios.py bench/results/<date>.json [bench/results/<date>-memory.json]

Every ratio divides two scores of the same run. Three estimates are shown for
each: the ratio of JMH's scores (mean wall-clock time per operation: the
verdict), the ratio of CPU time per operation (CpuProfiler's cpu.time.norm:
the whole JVM's CPU time, which does not count the time the benchmark waited
for a core on a shared machine), and the ratio of the best measurement
iterations (each side's fastest one-second iteration: the least disturbed).
Exit status 0 whatever is met: this reports, it does not judge the build.
"""
import json
import math
import sys

PREFIX = "datastar.wow.deacon.bench."
CPU = "cpu.time.norm"


def load(path):
    """{name: {...}} keyed Class.method, Class.method[size] or Class.method[k=v,...]."""
    results = {}
    for entry in json.load(open(path)):
        name = entry["benchmark"].removeprefix(PREFIX)
        params = entry.get("params") or {}
        if list(params) == ["size"]:
            key = f"{name}[{params['size']}]"
        elif params:
            key = name + "[" + ",".join(f"{k}={params[k]}" for k in sorted(params)) + "]"
        else:
            key = name
        metric = entry["primaryMetric"]
        secondary = entry.get("secondaryMetrics", {})
        alloc = secondary.get("gc.alloc.rate.norm", {}).get("score")
        cpu = secondary.get(CPU)
        results[key] = {"score": num(metric["score"]), "error": num(metric["scoreError"]),
                        "unit": metric["scoreUnit"], "alloc": alloc,
                        "cpu": num(cpu["score"]) if cpu else float("nan"),
                        "best": best(metric), "entry": entry}
        for sub, m in secondary.items():
            if sub.startswith("gc.") or sub.startswith("·") or sub == CPU or sub == "stack":
                continue
            results[f"{key}:{sub}"] = {"score": num(m["score"]), "error": num(m["scoreError"]),
                                       "unit": m["scoreUnit"], "alloc": None, "cpu": float("nan"),
                                       "best": best(m), "entry": entry}
    return results


def num(x):
    """JMH writes NaN as a string when an error cannot be computed."""
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def best(metric):
    """The fastest measurement iteration (all forks)."""
    raw = [num(x) for fork in metric.get("rawData", []) for x in fork]
    return min(raw) if raw else float("nan")


def fmt(x, digits=2):
    if x is None or math.isnan(x):
        return "n/a"
    return f"{x:,.0f}×" if x >= 100 else f"{x:.{digits}f}×"


# (description, numerator, denominator, bound, numerator's divisor)
# The ratio is (numerator / divisor) / denominator and must be <= bound.
TARGETS = [
    # look-ups (kept from the first run)
    ("Java look-up, Caffeine store ÷ raw Caffeine (hit)", "LookupBench.caffeineJavaHit", "LookupBench.rawCaffeineHit", 1.3, 1),
    ("Java look-up, Caffeine store ÷ raw Caffeine (miss)", "LookupBench.caffeineJavaMiss", "LookupBench.rawCaffeineMiss", 1.3, 1),
    ("Java look-up, atom store ÷ raw atom deref+get (hit)", "LookupBench.atomJavaHit", "LookupBench.rawAtomHit", 1.5, 1),
    ("Java look-up, atom store ÷ raw atom deref+get (miss)", "LookupBench.atomJavaMiss", "LookupBench.rawAtomMiss", 1.5, 1),
    ("Clojure ÷ Java look-up, atom store (hit)", "LookupBench.atomClojureHit", "LookupBench.atomJavaHit", 1.5, 1),
    ("Clojure ÷ Java look-up, atom store (miss)", "LookupBench.atomClojureMiss", "LookupBench.atomJavaMiss", 1.5, 1),
    ("Clojure ÷ Java look-up, Caffeine store (hit)", "LookupBench.caffeineClojureHit", "LookupBench.caffeineJavaHit", 1.5, 1),
    ("Clojure ÷ Java look-up, Caffeine store (miss)", "LookupBench.caffeineClojureMiss", "LookupBench.caffeineJavaMiss", 1.5, 1),
    ("Interceptor, no key ÷ raw atom deref+get (miss)", "InterceptorBench.deaconNoKey", "LookupBench.rawAtomMiss", 2.5, 1),
    ("Purge by connection, atom store: 100k ÷ 10 entries", "PurgeConnectionBench.atomPurgeConnection[100000]", "PurgeConnectionBench.atomPurgeConnection[10]", 2.0, 1),
    ("Purge by connection, Caffeine store: 100k ÷ 10 entries", "PurgeConnectionBench.caffeinePurgeConnection[100000]", "PurgeConnectionBench.caffeinePurgeConnection[10]", 2.0, 1),
    # 1. dispatch cost
    ("1. Dispatch, atom store: keyed effects on the stored stream ÷ no key", "DispatchBench.atomKeyedEffects", "DispatchBench.atomNoKey", 1.2, 1),
    ("1. Dispatch, Caffeine store: keyed effects on the stored stream ÷ no key", "DispatchBench.caffeineKeyedEffects", "DispatchBench.caffeineNoKey", 1.2, 1),
    ("1. Dispatch, atom store: keyed effects ÷ the same with a no-op interceptor", "DispatchBench.atomKeyedEffects", "DispatchBench.noopKeyedEffects", 1.2, 1),
    ("1. Dispatch, Caffeine store: keyed effects ÷ the same with a no-op interceptor", "DispatchBench.caffeineKeyedEffects", "DispatchBench.noopKeyedEffects", 1.2, 1),
    # 2. the reuse look-up
    ("2. Interceptor reuse look-up, Caffeine store ÷ raw Caffeine read (hit)", "InterceptorBench.deaconCaffeineReuse", "LookupBench.rawCaffeineHit", 1.5, 1),
    # 3. broadcast: cost per stream reached ÷ one keyed dispatch
    ("3. Broadcast-all to 1,000 of 11,000 streams, per stream ÷ keyed dispatch, atom, SDK (render once)", "BroadcastBench.broadcastAll[n=1000,sdk=true,store=atom]", "DispatchBench.atomKeyedEffects", 0.3, 1000),
    ("3. Broadcast-all to 1,000 of 11,000 streams, per stream ÷ keyed dispatch, Caffeine, SDK (render once)", "BroadcastBench.broadcastAll[n=1000,sdk=true,store=caffeine]", "DispatchBench.caffeineKeyedEffects", 0.3, 1000),
    # the hot path through the Clojure API, keys of the form ["user-i" [:k i]] (HotPathBench)
    ("Hot path: Caffeine connection, Clojure API ÷ raw Caffeine read, nested key the caller holds", "HotPathBench.caffeineClojureHeld", "HotPathBench.rawCaffeineHeld", 1.3, 1),
    ("Hot path: atom look-up, Clojure API ÷ (get @a k), nested key the caller holds", "HotPathBench.atomClojureHeld", "HotPathBench.rawAtomHeld", 1.5, 1),
    ("Hot path: reuse dispatch, Caffeine store ÷ raw Caffeine read (hit)", "InterceptorBench.deaconCaffeineReuse", "LookupBench.rawCaffeineHit", 2.0, 1),
    ("Hot path: keyed effects dispatch on the stored stream ÷ no key, atom store", "DispatchBench.atomKeyedEffects", "DispatchBench.atomNoKey", 1.15, 1),
    ("Hot path: keyed effects dispatch on the stored stream ÷ no key, Caffeine store", "DispatchBench.caffeineKeyedEffects", "DispatchBench.caffeineNoKey", 1.15, 1),
    # several nodes: a local hit never touches Redis
    ("Cluster: local look-up on a cluster member ÷ on a store of no cluster", "ClusterBench.lookupCluster", "ClusterBench.lookupPlain", 1.1, 1),
    # replay (ReplayBench): what a store with :replay costs a push, against the same store without
    ("Replay: local keyed push, replay on ÷ off, atom store, 1,000 other keys", "ReplayBench.push[others=1000,replay=true,store=atom,tabs=1]", "ReplayBench.push[others=1000,replay=false,store=atom,tabs=1]", 1.2, 1),
    ("Replay: local keyed push, replay on ÷ off, Caffeine store, 1,000 other keys", "ReplayBench.push[others=1000,replay=true,store=caffeine,tabs=1]", "ReplayBench.push[others=1000,replay=false,store=caffeine,tabs=1]", 1.2, 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, atom store, 1,000 other keys", "ReplayBench.push[others=1000,replay=true,store=atom,tabs=100]", "ReplayBench.push[others=1000,replay=false,store=atom,tabs=100]", 1.2, 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, Caffeine store, 1,000 other keys", "ReplayBench.push[others=1000,replay=true,store=caffeine,tabs=100]", "ReplayBench.push[others=1000,replay=false,store=caffeine,tabs=100]", 1.2, 1),
]

# (description, benchmark, bound in ns/op): a time per operation, not a ratio
TIMES = [
    ("Replay: 1,000 missed events to a tab reconnecting with last-event-id (a request through datastar.wow), atom store", "ReplayBench.replayMissed[store=atom]", 5e6),
    ("Replay: 1,000 missed events to a tab reconnecting with last-event-id (a request through datastar.wow), Caffeine store", "ReplayBench.replayMissed[store=caffeine]", 5e6),
]

# Absolute bounds on a percentile of a sample-mode benchmark.
# (description, benchmark, percentile as JMH names it, bound in µs)
PERCENTILES = [
    ("Cross-node delivery through Redis on loopback, with replay: p99", "CrossNodeBench.replaySend", "99.0", 2000.0),
]

# (description, benchmark, bound in B/op)
ALLOCATION = [
    ("Interceptor, no key", "InterceptorBench.deaconNoKey", 1),
    ("1. Interceptor alone on the keyed effects ctx, atom store (a read: a store writes ~1.5 kB)", "DispatchBench.atomInterceptorKeyedEffects", 128),
    ("1. Interceptor alone on the keyed effects ctx, Caffeine store (a read: a store writes ~400 B)", "DispatchBench.caffeineInterceptorKeyedEffects", 128),
]

# Shown without a bound. (description, numerator, denominator, numerator's divisor)
FIGURES = [
    ("1. Interceptor alone ÷ its keyed effects dispatch, atom store", "DispatchBench.atomInterceptorKeyedEffects", "DispatchBench.atomKeyedEffects", 1),
    ("1. Interceptor alone ÷ its keyed effects dispatch, Caffeine store", "DispatchBench.caffeineInterceptorKeyedEffects", "DispatchBench.caffeineKeyedEffects", 1),
    ("1. No key ÷ no-op interceptor, atom store", "DispatchBench.atomNoKey", "DispatchBench.noopKeyedEffects", 1),
    ("Hot path: Caffeine connection, Clojure API ÷ raw Caffeine read, nested key built afresh", "HotPathBench.caffeineClojureFresh", "HotPathBench.rawCaffeineFresh", 1),
    ("Hot path: atom look-up, Clojure API ÷ (get @a k), nested key built afresh", "HotPathBench.atomClojureFresh", "HotPathBench.rawAtomFresh", 1),
    ("Hot path: Caffeine connection, Java API ÷ raw Caffeine read, nested key the caller holds", "HotPathBench.caffeineJavaHeld", "HotPathBench.rawCaffeineHeld", 1),
    ("Hot path: reuse dispatch, Caffeine store ÷ raw Caffeine read of a key built afresh", "InterceptorBench.deaconCaffeineReuse", "LookupBench.rawCaffeineHitFreshKey", 1),
    ("Hot path: the two assocs a reuse returns ÷ raw Caffeine read (hit)", "InterceptorBench.assocConnection", "LookupBench.rawCaffeineHit", 1),
    ("1. No key ÷ no-op interceptor, Caffeine store", "DispatchBench.caffeineNoKey", "DispatchBench.noopKeyedEffects", 1),
    ("2. Interceptor reuse look-up, atom store ÷ raw atom deref+get (hit)", "InterceptorBench.deaconAtomReuse", "LookupBench.rawAtomHit", 1),
    ("2. Caffeine store look-up, key built afresh ÷ raw Caffeine read, key built afresh", "LookupBench.caffeineJavaHitFreshKey", "LookupBench.rawCaffeineHitFreshKey", 1),
    ("2. Interceptor reuse look-up, Caffeine store ÷ store look-up, key built afresh", "InterceptorBench.deaconCaffeineReuse", "LookupBench.caffeineJavaHitFreshKey", 1),
    ("2. Interceptor reuse look-up, Caffeine store ÷ raw Caffeine read, key built afresh", "InterceptorBench.deaconCaffeineReuse", "LookupBench.rawCaffeineHitFreshKey", 1),
    ("2. Returning the connection in the ctx (two assocs) ÷ raw Caffeine read (hit)", "InterceptorBench.assocConnection", "LookupBench.rawCaffeineHit", 1),
    ("3. Stream's own write of the two events ÷ keyed dispatch (the floor per stream)", "DispatchBench.streamSend", "DispatchBench.atomKeyedEffects", 0.5),
    # without the SDK's protocol (a store over another stream type) every stream runs the whole dispatch
    ("3. Broadcast-all to 1,000 of 11,000 streams, per stream ÷ keyed dispatch, atom, no SDK (dispatch per stream)", "BroadcastBench.broadcastAll[n=1000,sdk=false,store=atom]", "DispatchBench.atomKeyedEffects", 1000),
    ("3. Broadcast-all to 1,000 of 11,000 streams, per stream ÷ keyed dispatch, Caffeine, no SDK (dispatch per stream)", "BroadcastBench.broadcastAll[n=1000,sdk=false,store=caffeine]", "DispatchBench.caffeineKeyedEffects", 1000),
    ("Cluster: store then close on a cluster member ÷ on a store of no cluster", "ClusterBench.storeCloseCluster", "ClusterBench.storeClosePlain", 1),
    ("Replay: local keyed push, replay on ÷ off, atom store, no other key", "ReplayBench.push[others=0,replay=true,store=atom,tabs=1]", "ReplayBench.push[others=0,replay=false,store=atom,tabs=1]", 1),
    ("Replay: local keyed push, replay on ÷ off, Caffeine store, no other key", "ReplayBench.push[others=0,replay=true,store=caffeine,tabs=1]", "ReplayBench.push[others=0,replay=false,store=caffeine,tabs=1]", 1),
    ("Replay: local keyed push, replay on ÷ off, atom store, 10,000 other keys", "ReplayBench.push[others=10000,replay=true,store=atom,tabs=1]", "ReplayBench.push[others=10000,replay=false,store=atom,tabs=1]", 1),
    ("Replay: local keyed push, replay on ÷ off, Caffeine store, 10,000 other keys", "ReplayBench.push[others=10000,replay=true,store=caffeine,tabs=1]", "ReplayBench.push[others=10000,replay=false,store=caffeine,tabs=1]", 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, atom store, no other key", "ReplayBench.push[others=0,replay=true,store=atom,tabs=100]", "ReplayBench.push[others=0,replay=false,store=atom,tabs=100]", 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, Caffeine store, no other key", "ReplayBench.push[others=0,replay=true,store=caffeine,tabs=100]", "ReplayBench.push[others=0,replay=false,store=caffeine,tabs=100]", 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, atom store, 10,000 other keys", "ReplayBench.push[others=10000,replay=true,store=atom,tabs=100]", "ReplayBench.push[others=10000,replay=false,store=atom,tabs=100]", 1),
    ("Replay: fan-out push to 100 tabs, replay on ÷ off, Caffeine store, 10,000 other keys", "ReplayBench.push[others=10000,replay=true,store=caffeine,tabs=100]", "ReplayBench.push[others=10000,replay=false,store=caffeine,tabs=100]", 1),
    ("Replay: replay with 10,000 ÷ with 1,000 other keys, local keyed push, atom store", "ReplayBench.push[others=10000,replay=true,store=atom,tabs=1]", "ReplayBench.push[others=1000,replay=true,store=atom,tabs=1]", 1),
    ("Replay: replay with 10,000 ÷ with 1,000 other keys, local keyed push, Caffeine store", "ReplayBench.push[others=10000,replay=true,store=caffeine,tabs=1]", "ReplayBench.push[others=1000,replay=true,store=caffeine,tabs=1]", 1),
    ("Replay: 1,000 missed events, Java API (Replay.resume, a writer) ÷ through datastar.wow, atom store", "ReplayBench.replayMissedJava[store=atom]", "ReplayBench.replayMissed[store=atom]", 1),
    ("Replay: 1,000 missed events, Java API (Replay.resume, a writer) ÷ through datastar.wow, Caffeine store", "ReplayBench.replayMissedJava[store=caffeine]", "ReplayBench.replayMissed[store=caffeine]", 1),
    ("3c. Find a key's streams: scan ÷ store.connections(key) (a look-up), atom, 11,000 entries", "MatchBench.scanExact[n=1000,store=atom]", "MatchBench.storeExact[n=1000,store=atom]", 1),
    ("3c. Find a key's streams: scan ÷ store.connections(key) (a look-up), Caffeine, 11,000 entries", "MatchBench.scanExact[n=1000,store=caffeine]", "MatchBench.storeExact[n=1000,store=caffeine]", 1),
    ("3c. Find a key's streams: scan ÷ store.connections(key) (a look-up), atom, 110,000 entries", "MatchBench.scanExact[n=10000,store=atom]", "MatchBench.storeExact[n=10000,store=atom]", 1),
    ("3c. Find a key's streams: scan ÷ store.connections(key) (a look-up), Caffeine, 110,000 entries", "MatchBench.scanExact[n=10000,store=caffeine]", "MatchBench.storeExact[n=10000,store=caffeine]", 1),
    ("3c. Find [:* :app/feed]: store.connections(pattern) ÷ scan, atom, 11,000 entries", "MatchBench.storePattern[n=1000,store=atom]", "MatchBench.scanPattern[n=1000,store=atom]", 1),
    ("3c. Find [:* :app/feed]: store.connections(pattern) ÷ scan, Caffeine, 11,000 entries", "MatchBench.storePattern[n=1000,store=caffeine]", "MatchBench.scanPattern[n=1000,store=caffeine]", 1),
    ("3c. Find [:* :app/feed]: store.connections(pattern) ÷ scan, atom, 110,000 entries", "MatchBench.storePattern[n=10000,store=atom]", "MatchBench.scanPattern[n=10000,store=atom]", 1),
    ("3c. Find [:* :app/feed]: store.connections(pattern) ÷ scan, Caffeine, 110,000 entries", "MatchBench.storePattern[n=10000,store=caffeine]", "MatchBench.scanPattern[n=10000,store=caffeine]", 1),
]

# The pure-Clojure baseline's interceptor ÷ deacon's, in isolation (once targets of >= 3×;
# superseded by the dispatch-level targets above, which are what an app pays).
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

TO_NS = {"ns/op": 1.0, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}


def ns(r, name, field):
    x = r[name]
    return x[field] * TO_NS.get(x["unit"], float("nan"))


def ratios(r, num, den, div):
    """(mean, CPU, best) ratios of (num / div) to den, in the same time unit."""
    return tuple(ns(r, num, f) / div / ns(r, den, f) for f in ("score", "cpu", "best"))


def percentile_us(r, name, q):
    """A percentile of a sample-mode benchmark, in µs."""
    x = r[name]
    p = x["entry"]["primaryMetric"].get("scorePercentiles", {})
    return num(p.get(q)) * TO_NS.get(x["unit"], float("nan")) / 1e3


def ms(x):
    """A time in nanoseconds, in milliseconds."""
    return "n/a" if math.isnan(x) else f"{x / 1e6:,.3f} ms"


def verdict(ok):
    return "met" if ok else "**missed**"


def targets_table(r, memory):
    rows = ["| target | ratio | CPU time | best iterations | bound | verdict |",
            "|---|---:|---:|---:|---:|---|"]
    for text, num, den, bound, div in TARGETS:
        if num in r and den in r:
            mean, cpu, fast = ratios(r, num, den, div)
            rows.append(f"| {text} | {fmt(mean)} | {fmt(cpu)} | {fmt(fast)} | ≤ {bound}× | {verdict(mean <= bound)} |")
    for text, name, bound in TIMES:
        if name in r:
            mean, cpu, fast = (ns(r, name, f) for f in ("score", "cpu", "best"))
            rows.append(f"| {text} | {ms(mean)} | {ms(cpu)} | {ms(fast)} | ≤ {ms(bound)} | {verdict(mean <= bound)} |")
    for text, name, q, bound in PERCENTILES:
        if name in r:
            v = percentile_us(r, name, q)
            rows.append(f"| {text} | {v:,.0f} µs | | | ≤ {bound:,.0f} µs | {verdict(v <= bound)} |")
    for text, name, bound in ALLOCATION:
        x = r.get(name)
        if x and x["alloc"] is not None:
            rows.append(f"| {text}: allocation | {x['alloc']:.1f} B/op | | | "
                        f"{'0' if bound <= 1 else f'≤ {bound} B'} | {verdict(x['alloc'] < bound)} |")
    if memory:
        for text, name, bound in MEMORY:
            if name in memory:
                b = memory[name]["graphBytesPerEntry"]
                h = memory[name]["heapBytesPerEntry"]
                rows.append(f"| Retained memory per entry at 100k, {text} | {b:.1f} B (heap: {h:.1f} B) | | | ≤ {bound} B | {verdict(max(b, h) <= bound)} |")
    return "\n".join(rows)


def figures_table(r):
    rows = ["| measure | ratio | CPU time | best iterations |", "|---|---:|---:|---:|"]
    for text, num, den, div in FIGURES:
        if num in r and den in r:
            mean, cpu, fast = ratios(r, num, den, div)
            rows.append(f"| {text} | {fmt(mean, 3)} | {fmt(cpu, 3)} | {fmt(fast, 3)} |")
    for text, base, ours in SPEEDUPS:
        if base in r and ours in r:
            mean, cpu, fast = ratios(r, base, ours, 1)
            rows.append(f"| Interceptor {text}: pure-Clojure baseline ÷ deacon | {fmt(mean)} | {fmt(cpu)} | {fmt(fast)} |")
    return "\n".join(rows)


def fanout_table(r):
    """Per stream reached: broadcasts and keyed fan-outs against one keyed dispatch."""
    rows = ["| request | store | SDK | streams | per request | per stream | CPU per stream | alloc per stream | per stream ÷ keyed dispatch (CPU) |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for bench, what, ns_ in (("BroadcastBench.broadcastAll", "broadcast-all", (1, 100, 1000, 10000)),
                             ("FanOutBench.keyedFanOut", "keyed fan-out", (1, 4, 100))):
        for store in ("atom", "caffeine"):
            den = f"DispatchBench.{store}KeyedEffects"
            for sdk in ("true", "false"):
                for n in ns_:
                    name = f"{bench}[n={n},sdk={sdk},store={store}]"
                    if name not in r:
                        continue
                    x = r[name]
                    per = ns(r, name, "score") / n
                    cpu = ns(r, name, "cpu") / n
                    alloc = "" if x["alloc"] is None else f"{x['alloc'] / n:,.0f} B"
                    rel = ""
                    if den in r:
                        rel = f"{per / ns(r, den, 'score'):.3f}× ({cpu / ns(r, den, 'cpu'):.3f}×)"
                    rows.append(f"| {what} | {store} | {'render once' if sdk == 'true' else 'dispatch each'} | {n:,} | "
                                f"{ns(r, name, 'score') / 1e3:,.1f} µs | {per / 1e3:,.2f} µs | {cpu / 1e3:,.2f} µs | {alloc} | {rel} |")
    return "\n".join(rows)


def cluster_table(r):
    """Delivery through Redis beside delivery in one JVM: percentiles of sample-mode runs."""
    rows = ["| delivery | samples | p50 | p90 | p99 | p99.9 | mean |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, what in (("ClusterBench.localSend", "local: the sending node holds the key"),
                       ("ClusterBench.remoteSend", "cross-node: another node holds the key, through Redis"),
                       ("CrossNodeBench.replaySend", "cross-node with replay: relay.lua publishes to the holder, which appends (append.lua, waited for) and writes"),
                       ("CrossNodeBench.plainSend", "cross-node without replay: send.lua publishes to the holder")):
        if name not in r:
            continue
        m = r[name]["entry"]["primaryMetric"]
        p = m.get("scorePercentiles", {})
        n = sum(int(c) for fork in m.get("rawDataHistogram", []) for it in fork for _, c in it)
        cells = " | ".join(f"{num(p.get(q)):,.0f} µs" for q in ("50.0", "90.0", "99.0", "99.9"))
        rows.append(f"| {what} | {n:,} | {cells} | {num(m['score']):,.0f} µs |")
    burst = r.get("ClusterBench.remoteBurst")
    if burst:
        per = ns(r, "ClusterBench.remoteBurst", "score")
        rows.append(f"| cross-node, 100 sends then 100 deliveries (throughput, one sender) | | | | | | "
                    f"{per / 1e3:,.1f} µs per message: {1e9 / per:,.0f} messages/s |")
    return "\n".join(rows)


def scores_table(r):
    rows = ["| benchmark | score | ± error | unit | CPU time | alloc B/op |", "|---|---:|---:|---|---:|---:|"]
    for name in sorted(r):
        x = r[name]
        alloc = "" if x["alloc"] is None else f"{x['alloc']:.1f}"
        cpu = "" if math.isnan(x["cpu"]) else f"{x['cpu']:.2f}"
        rows.append(f"| {name} | {x['score']:.2f} | {x['error']:.2f} | {x['unit']} | {cpu} | {alloc} |")
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
    print("### Broadcast and fan-out, per stream reached\n")
    print(fanout_table(r) + "\n")
    print("### Several nodes (Redis on loopback)\n")
    print(cluster_table(r) + "\n")
    print("### Other figures (no bound)\n")
    print(figures_table(r) + "\n")
    print("### All scores\n")
    print(scores_table(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
