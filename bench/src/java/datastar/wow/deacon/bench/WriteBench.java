package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import com.github.benmanes.caffeine.cache.Cache;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Writes to stores of 1,000 entries. {@code *Store}: store under a held key, alternating two
 * connections so that every store really replaces. {@code *StorePurge}: store under a new key then
 * purge it, so that the store returns to its size (a purge alone would find nothing after the first
 * call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WriteBench {
  static final int SIZE = 1000;

  ConcurrentHashMap<Object, Object> rawMap;
  Cache<Object, Object> rawCaffeine;
  Atom rawAtom;
  AtomStore atomStore;
  CaffeineStore caffeineStore;
  Object baselineAtom;
  Object baselineCaffeine;
  IFn assoc;
  IFn dissoc;
  IFn store;
  IFn purge;
  IFn baselineStore;
  IFn baselinePurge;
  Object held;
  Object fresh;
  Object a;
  Object b;
  boolean flip;

  @Setup
  public void setUp() {
    rawMap = Filled.map(SIZE);
    rawCaffeine = Filled.caffeine(SIZE);
    rawAtom = Filled.atom(SIZE);
    atomStore = Filled.atomStore(SIZE);
    caffeineStore = Filled.caffeineStore(SIZE);
    baselineAtom = Filled.baselineAtom(SIZE);
    baselineCaffeine = Filled.baselineCaffeine(SIZE);
    assoc = Fixtures.var("clojure.core", "assoc");
    dissoc = Fixtures.var("clojure.core", "dissoc");
    store = Fixtures.var("datastar.wow.deacon", "store!");
    purge = Fixtures.var("datastar.wow.deacon", "purge!");
    baselineStore = Fixtures.var("bench.baseline.store", "store!");
    baselinePurge = Fixtures.var("bench.baseline.store", "purge!");
    held = Fixtures.probe(SIZE / 2);
    fresh = Fixtures.absent();
    a = new Fixtures.Sse(-1);
    b = new Fixtures.Sse(-2);
    Fixtures.settle();
  }

  /** @return the two connections in turn */
  private Object next() {
    flip = !flip;
    return flip ? a : b;
  }

  @Benchmark
  public Object rawMapStore() {
    return rawMap.put(held, next());
  }

  @Benchmark
  public Object rawMapStorePurge() {
    rawMap.put(fresh, a);
    return rawMap.remove(fresh);
  }

  @Benchmark
  public void rawCaffeineStore() {
    rawCaffeine.put(held, next());
  }

  @Benchmark
  public void rawCaffeineStorePurge() {
    rawCaffeine.put(fresh, a);
    rawCaffeine.invalidate(fresh);
  }

  /** {@code (swap! a assoc k conn)} */
  @Benchmark
  public Object rawAtomStore() {
    return rawAtom.swap(assoc, held, next());
  }

  @Benchmark
  public Object rawAtomStorePurge() {
    rawAtom.swap(assoc, fresh, a);
    return rawAtom.swap(dissoc, fresh);
  }

  @Benchmark
  public Object atomJavaStore() {
    return atomStore.store(held, next());
  }

  @Benchmark
  public boolean atomJavaStorePurge() {
    atomStore.store(fresh, a);
    return atomStore.purge(fresh);
  }

  @Benchmark
  public Object caffeineJavaStore() {
    return caffeineStore.store(held, next());
  }

  @Benchmark
  public boolean caffeineJavaStorePurge() {
    caffeineStore.store(fresh, a);
    return caffeineStore.purge(fresh);
  }

  @Benchmark
  public Object atomClojureStore() {
    return store.invoke(atomStore, held, next());
  }

  @Benchmark
  public Object atomClojureStorePurge() {
    store.invoke(atomStore, fresh, a);
    return purge.invoke(atomStore, fresh);
  }

  @Benchmark
  public Object caffeineClojureStore() {
    return store.invoke(caffeineStore, held, next());
  }

  @Benchmark
  public Object caffeineClojureStorePurge() {
    store.invoke(caffeineStore, fresh, a);
    return purge.invoke(caffeineStore, fresh);
  }

  @Benchmark
  public Object baselineAtomStore() {
    return baselineStore.invoke(baselineAtom, held, next());
  }

  @Benchmark
  public Object baselineAtomStorePurge() {
    baselineStore.invoke(baselineAtom, fresh, a);
    return baselinePurge.invoke(baselineAtom, fresh);
  }

  @Benchmark
  public Object baselineCaffeineStore() {
    return baselineStore.invoke(baselineCaffeine, held, next());
  }

  @Benchmark
  public Object baselineCaffeineStorePurge() {
    baselineStore.invoke(baselineCaffeine, fresh, a);
    return baselinePurge.invoke(baselineCaffeine, fresh);
  }
}
