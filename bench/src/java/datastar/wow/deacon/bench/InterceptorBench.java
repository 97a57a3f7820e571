package datastar.wow.deacon.bench;

import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.RT;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The interceptor's {@code :before-dispatch} on the dispatches datastar.wow makes, deacon's
 * (over its atom and Caffeine stores, built through the Clojure API) against the pure-Clojure
 * baseline over its own stores. Stores hold 1,000 other entries.
 *
 * <ul>
 *   <li>{@code noKey}: a handler's effects, its response naming no key (most dispatches of an app);
 *   <li>{@code open}: a new stream's effects, its response naming a key: the stream is stored. Two
 *       streams take turns, so that every call really stores (replacing the other);
 *   <li>{@code reuse}: datastar.wow asking for the connection of a stored key;
 *   <li>{@code openClose}: a stream stored on open, then purged by its close dispatch (a close alone
 *       would find nothing to purge after the first call);
 *   <li>{@code reuseScoped}: the reuse look-up with keys scoped per user by an {@code :id-fn} that
 *       reads the session's user id (the other cases use the default, global scope);
 *   <li>{@code assocConnection}: only what a reuse returns, the ctx with the connection put at
 *       {@code [:dispatch-data :datastar.wow/connection]}: the floor of any interceptor that hands
 *       datastar.wow a stored connection.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class InterceptorBench {
  static final int SIZE = 1000;

  IFn deaconAtom;
  IFn deaconCaffeine;
  IFn baselineAtom;
  IFn baselineCaffeine;
  IFn deaconAtomScoped;
  IFn deaconCaffeineScoped;
  IFn baselineAtomScoped;
  IFn baselineCaffeineScoped;

  IPersistentMap noKey;
  IPersistentMap openA;
  IPersistentMap openB;
  IPersistentMap reuse;
  IPersistentMap reuseScoped;
  IPersistentMap openOther;
  IPersistentMap closeOther;
  boolean flip;
  Object stored;

  @Setup
  public void setUp() {
    IFn interceptor = Fixtures.var("datastar.wow.deacon", "interceptor");
    IFn baseline = Fixtures.var("bench.baseline.interceptor", "interceptor");
    Object none = Fixtures.map();
    AtomStore atomStore = Filled.atomStore(SIZE);
    CaffeineStore caffeineStore = Filled.caffeineStore(SIZE);
    deaconAtom = beforeDispatch(interceptor.invoke(atomStore, none));
    deaconCaffeine = beforeDispatch(interceptor.invoke(caffeineStore, none));
    Object baselineAtomStore = Filled.baselineAtom(SIZE);
    Object baselineCaffeineStore = Filled.baselineCaffeine(SIZE);
    baselineAtom = beforeDispatch(baseline.invoke(baselineAtomStore, none));
    baselineCaffeine = beforeDispatch(baseline.invoke(baselineCaffeineStore, none));
    Object scoped = Fixtures.map(Fixtures.kw("id-fn"), Fixtures.var("bench.fixtures", "session-user"));
    deaconAtomScoped = beforeDispatch(interceptor.invoke(atomStore, scoped));
    deaconCaffeineScoped = beforeDispatch(interceptor.invoke(caffeineStore, scoped));
    baselineAtomScoped = beforeDispatch(baseline.invoke(baselineAtomStore, scoped));
    baselineCaffeineScoped = beforeDispatch(baseline.invoke(baselineCaffeineStore, scoped));

    IPersistentMap request = Fixtures.request(7);
    IPersistentMap withKey = Fixtures.response(Fixtures.COUNTER);
    IPersistentMap withOther = Fixtures.response(Fixtures.kw("app", "chat"));
    noKey = Fixtures.ctx(new Fixtures.Sse(-1), Fixtures.response(null), request, Fixtures.effectActions());
    openA = Fixtures.ctx(new Fixtures.Sse(-2), withKey, request, Fixtures.effectActions());
    openB = Fixtures.ctx(new Fixtures.Sse(-3), withKey, request, Fixtures.effectActions());
    reuse = Fixtures.ctx(null, withKey, Fixtures.request(8), Fixtures.connectionActions());
    reuseScoped = Fixtures.ctx(null, withKey, Fixtures.request(9), Fixtures.connectionActions());
    IPersistentMap openScoped =
        Fixtures.ctx(new Fixtures.Sse(-5), withKey, Fixtures.request(9), Fixtures.effectActions());
    openOther = Fixtures.ctx(new Fixtures.Sse(-4), withOther, request, Fixtures.effectActions());
    closeOther = Fixtures.ctx(null, withOther, request, Fixtures.closedActions());

    // a stored stream for the reuse case
    for (IFn f : new IFn[] {deaconAtom, deaconCaffeine, baselineAtom, baselineCaffeine}) f.invoke(openA);
    IFn[] scopedFns = {deaconAtomScoped, deaconCaffeineScoped, baselineAtomScoped, baselineCaffeineScoped};
    for (IFn f : scopedFns) f.invoke(openScoped);
    check(deaconAtom.invoke(reuse));
    stored = RT.get(RT.get(deaconCaffeine.invoke(reuse), DISPATCH_DATA), CONNECTION);
    check(baselineAtom.invoke(reuse));
    for (IFn f : scopedFns) check(f.invoke(reuseScoped));
    // open then close must really store then purge
    Object other = Deacon.scopedKey(Deacon.DEFAULT_ID, Fixtures.kw("app", "chat"));
    for (ConnectionStore store : new ConnectionStore[] {atomStore, caffeineStore}) {
      IFn f = store == atomStore ? deaconAtom : deaconCaffeine;
      f.invoke(openOther);
      if (store.connection(other) == null) throw new IllegalStateException("open stored nothing");
      f.invoke(closeOther);
      if (store.connection(other) != null) throw new IllegalStateException("close purged nothing");
    }
    Fixtures.settle();
  }

  static final Keyword DISPATCH_DATA = Keyword.intern("dispatch-data");
  static final Keyword CONNECTION = Keyword.intern("datastar.wow", "connection");

  private static IFn beforeDispatch(Object interceptor) {
    return (IFn) RT.get(interceptor, Keyword.intern("before-dispatch"));
  }

  private static void check(Object ctx) {
    Object data = RT.get(ctx, Keyword.intern("dispatch-data"));
    if (RT.get(data, Keyword.intern("datastar.wow", "connection")) == null) {
      throw new IllegalStateException("reuse found no stored connection under " + Deacon.KEY);
    }
  }

  private IPersistentMap open() {
    flip = !flip;
    return flip ? openA : openB;
  }

  @Benchmark
  public Object assocConnection() {
    return reuse.assoc(DISPATCH_DATA, ((IPersistentMap) reuse.valAt(DISPATCH_DATA)).assoc(CONNECTION, stored));
  }

  @Benchmark
  public Object deaconNoKey() {
    return deaconAtom.invoke(noKey);
  }

  @Benchmark
  public Object baselineNoKey() {
    return baselineAtom.invoke(noKey);
  }

  @Benchmark
  public Object deaconAtomOpen() {
    return deaconAtom.invoke(open());
  }

  @Benchmark
  public Object deaconCaffeineOpen() {
    return deaconCaffeine.invoke(open());
  }

  @Benchmark
  public Object baselineAtomOpen() {
    return baselineAtom.invoke(open());
  }

  @Benchmark
  public Object baselineCaffeineOpen() {
    return baselineCaffeine.invoke(open());
  }

  @Benchmark
  public Object deaconAtomReuse() {
    return deaconAtom.invoke(reuse);
  }

  @Benchmark
  public Object deaconCaffeineReuse() {
    return deaconCaffeine.invoke(reuse);
  }

  @Benchmark
  public Object baselineAtomReuse() {
    return baselineAtom.invoke(reuse);
  }

  @Benchmark
  public Object baselineCaffeineReuse() {
    return baselineCaffeine.invoke(reuse);
  }

  @Benchmark
  public Object deaconAtomReuseScoped() {
    return deaconAtomScoped.invoke(reuseScoped);
  }

  @Benchmark
  public Object deaconCaffeineReuseScoped() {
    return deaconCaffeineScoped.invoke(reuseScoped);
  }

  @Benchmark
  public Object baselineAtomReuseScoped() {
    return baselineAtomScoped.invoke(reuseScoped);
  }

  @Benchmark
  public Object baselineCaffeineReuseScoped() {
    return baselineCaffeineScoped.invoke(reuseScoped);
  }

  @Benchmark
  public Object deaconAtomOpenClose() {
    deaconAtom.invoke(openOther);
    return deaconAtom.invoke(closeOther);
  }

  @Benchmark
  public Object deaconCaffeineOpenClose() {
    deaconCaffeine.invoke(openOther);
    return deaconCaffeine.invoke(closeOther);
  }

  @Benchmark
  public Object baselineAtomOpenClose() {
    baselineAtom.invoke(openOther);
    return baselineAtom.invoke(closeOther);
  }

  @Benchmark
  public Object baselineCaffeineOpenClose() {
    baselineCaffeine.invoke(openOther);
    return baselineCaffeine.invoke(closeOther);
  }
}
