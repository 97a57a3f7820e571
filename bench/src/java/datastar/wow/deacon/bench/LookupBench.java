package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import com.github.benmanes.caffeine.cache.Cache;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.Deacon;
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
 * Look-up of a stored key (hit) and of an absent one (miss) in stores of 1,000 entries: the raw
 * structures, deacon's stores through the Java and the Clojure API, and the pure-Clojure baseline.
 * The probe key equals the stored key but is another object, as a request would build it.
 * {@code *FreshKey}: the key is built anew for each look-up ({@code [user-id k]}, the user id a
 * string the request already holds), so that its hash is computed each time, as for a request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LookupBench {
  static final int SIZE = 1000;

  ConcurrentHashMap<Object, Object> rawMap;
  Cache<Object, Object> rawCaffeine;
  Atom rawAtom;
  AtomStore atomStore;
  CaffeineStore caffeineStore;
  Object baselineAtom;
  Object baselineCaffeine;
  IFn connection;
  IFn baselineConnection;
  Object hit;
  Object miss;
  String hitUser;
  Object hitName;

  @Setup
  public void setUp() {
    rawMap = Filled.map(SIZE);
    rawCaffeine = Filled.caffeine(SIZE);
    rawAtom = Filled.atom(SIZE);
    atomStore = Filled.atomStore(SIZE);
    caffeineStore = Filled.caffeineStore(SIZE);
    baselineAtom = Filled.baselineAtom(SIZE);
    baselineCaffeine = Filled.baselineCaffeine(SIZE);
    connection = Fixtures.var("datastar.wow.deacon", "connection");
    baselineConnection = Fixtures.var("bench.baseline.store", "connection");
    hit = Fixtures.probe(SIZE / 2);
    hitUser = new String((String) ((clojure.lang.Indexed) hit).nth(0));
    hitName = ((clojure.lang.Indexed) hit).nth(1);
    miss = Fixtures.absent();
    Fixtures.settle();
  }

  @Benchmark
  public Object rawMapHit() {
    return rawMap.get(hit);
  }

  @Benchmark
  public Object rawMapMiss() {
    return rawMap.get(miss);
  }

  @Benchmark
  public Object rawCaffeineHit() {
    return rawCaffeine.getIfPresent(hit);
  }

  @Benchmark
  public Object rawCaffeineHitFreshKey() {
    return rawCaffeine.getIfPresent(Deacon.scopedKey(hitUser, hitName));
  }

  @Benchmark
  public Object rawCaffeineMiss() {
    return rawCaffeine.getIfPresent(miss);
  }

  /** {@code (get @a k)}: one deref and one map look-up. */
  @Benchmark
  public Object rawAtomHit() {
    return ((ILookup) rawAtom.deref()).valAt(hit);
  }

  @Benchmark
  public Object rawAtomMiss() {
    return ((ILookup) rawAtom.deref()).valAt(miss);
  }

  @Benchmark
  public Object atomJavaHit() {
    return atomStore.connection(hit);
  }

  @Benchmark
  public Object atomJavaMiss() {
    return atomStore.connection(miss);
  }

  @Benchmark
  public Object caffeineJavaHit() {
    return caffeineStore.connection(hit);
  }

  @Benchmark
  public Object caffeineJavaHitFreshKey() {
    return caffeineStore.connection(Deacon.scopedKey(hitUser, hitName));
  }

  @Benchmark
  public Object caffeineJavaMiss() {
    return caffeineStore.connection(miss);
  }

  @Benchmark
  public Object atomClojureHit() {
    return connection.invoke(atomStore, hit);
  }

  @Benchmark
  public Object atomClojureMiss() {
    return connection.invoke(atomStore, miss);
  }

  @Benchmark
  public Object caffeineClojureHit() {
    return connection.invoke(caffeineStore, hit);
  }

  @Benchmark
  public Object caffeineClojureMiss() {
    return connection.invoke(caffeineStore, miss);
  }

  @Benchmark
  public Object baselineAtomHit() {
    return baselineConnection.invoke(baselineAtom, hit);
  }

  @Benchmark
  public Object baselineAtomMiss() {
    return baselineConnection.invoke(baselineAtom, miss);
  }

  @Benchmark
  public Object baselineCaffeineHit() {
    return baselineConnection.invoke(baselineCaffeine, hit);
  }

  @Benchmark
  public Object baselineCaffeineMiss() {
    return baselineConnection.invoke(baselineCaffeine, miss);
  }
}
