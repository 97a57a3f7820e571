package datastar.wow.deacon.bench;

import clojure.lang.IFn;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Listing every key, and a pattern query ({@code [:* :app/counter]}, every user's counter: a
 * quarter of the keys), through the Clojure API, against the baseline's scan. The Caffeine store's
 * bound is raised to twice the size so that nothing is evicted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ListKeysBench {
  @Param({"10", "10000", "100000"})
  int size;

  AtomStore atomStore;
  CaffeineStore caffeineStore;
  Object baselineAtom;
  IFn listKeys;
  IFn baselineAll;
  IFn baselineMatching;

  @Setup
  public void setUp() {
    atomStore = Filled.atomStore(size);
    caffeineStore = Filled.caffeineStore(size);
    baselineAtom = Filled.baselineAtom(size);
    listKeys = Fixtures.var("datastar.wow.deacon", "list-keys");
    baselineAll = Fixtures.var("bench.baseline.store", "all-keys");
    baselineMatching = Fixtures.var("bench.baseline.store", "matching-keys");
    if (caffeineStore.count() != size) throw new IllegalStateException("evicted: " + caffeineStore);
    Fixtures.settle();
  }

  @Benchmark
  public Object atomListKeys() {
    return listKeys.invoke(atomStore);
  }

  @Benchmark
  public Object atomPattern() {
    return listKeys.invoke(atomStore, Fixtures.EVERY_COUNTER);
  }

  @Benchmark
  public Object caffeineListKeys() {
    return listKeys.invoke(caffeineStore);
  }

  @Benchmark
  public Object caffeinePattern() {
    return listKeys.invoke(caffeineStore, Fixtures.EVERY_COUNTER);
  }

  @Benchmark
  public Object baselineAtomListKeys() {
    return baselineAll.invoke(baselineAtom);
  }

  @Benchmark
  public Object baselineAtomPattern() {
    return baselineMatching.invoke(baselineAtom, Fixtures.EVERY_COUNTER);
  }
}
