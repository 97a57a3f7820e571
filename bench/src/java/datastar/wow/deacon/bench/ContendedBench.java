package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import com.github.benmanes.caffeine.cache.Cache;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Two threads on one store of 1,000 entries, each with its own key (two users' requests):
 * look-ups, stores (alternating two connections, so every store replaces), and groups of one
 * reader and one writer. Scores are per operation, per thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ContendedBench {
  static final int SIZE = 1000;

  ConcurrentHashMap<Object, Object> rawMap;
  Cache<Object, Object> rawCaffeine;
  Atom rawAtom;
  AtomStore atomStore;
  CaffeineStore caffeineStore;
  IFn assoc;
  final AtomicInteger threads = new AtomicInteger();

  @Setup
  public void setUp() {
    rawMap = Filled.map(SIZE);
    rawCaffeine = Filled.caffeine(SIZE);
    rawAtom = Filled.atom(SIZE);
    atomStore = Filled.atomStore(SIZE);
    caffeineStore = Filled.caffeineStore(SIZE);
    assoc = Fixtures.var("clojure.core", "assoc");
    Fixtures.settle();
  }

  /** One thread's key and connections. */
  @State(Scope.Thread)
  public static class Worker {
    Object key;
    Object a;
    Object b;
    boolean flip;

    @Setup
    public void setUp(ContendedBench bench) {
      int i = bench.threads.getAndIncrement();
      key = Fixtures.probe(4 * (10 + i));
      a = new Fixtures.Sse(-2 * i - 1);
      b = new Fixtures.Sse(-2 * i - 2);
    }

    Object next() {
      flip = !flip;
      return flip ? a : b;
    }
  }

  @Benchmark
  @Threads(2)
  public Object rawMapLookup(Worker w) {
    return rawMap.get(w.key);
  }

  @Benchmark
  @Threads(2)
  public Object rawCaffeineLookup(Worker w) {
    return rawCaffeine.getIfPresent(w.key);
  }

  @Benchmark
  @Threads(2)
  public Object rawAtomLookup(Worker w) {
    return ((ILookup) rawAtom.deref()).valAt(w.key);
  }

  @Benchmark
  @Threads(2)
  public Object atomJavaLookup(Worker w) {
    return atomStore.connection(w.key);
  }

  @Benchmark
  @Threads(2)
  public Object caffeineJavaLookup(Worker w) {
    return caffeineStore.connection(w.key);
  }

  @Benchmark
  @Threads(2)
  public Object rawMapStore(Worker w) {
    return rawMap.put(w.key, w.next());
  }

  @Benchmark
  @Threads(2)
  public void rawCaffeineStore(Worker w) {
    rawCaffeine.put(w.key, w.next());
  }

  @Benchmark
  @Threads(2)
  public Object rawAtomStore(Worker w) {
    return rawAtom.swap(assoc, w.key, w.next());
  }

  @Benchmark
  @Threads(2)
  public Object atomJavaStore(Worker w) {
    return atomStore.store(w.key, w.next());
  }

  @Benchmark
  @Threads(2)
  public Object caffeineJavaStore(Worker w) {
    return caffeineStore.store(w.key, w.next());
  }

  @Benchmark
  @Group("atomReadWrite")
  @GroupThreads(1)
  public Object atomReader(Worker w) {
    return atomStore.connection(w.key);
  }

  @Benchmark
  @Group("atomReadWrite")
  @GroupThreads(1)
  public Object atomWriter(Worker w) {
    return atomStore.store(w.key, w.next());
  }

  @Benchmark
  @Group("caffeineReadWrite")
  @GroupThreads(1)
  public Object caffeineReader(Worker w) {
    return caffeineStore.connection(w.key);
  }

  @Benchmark
  @Group("caffeineReadWrite")
  @GroupThreads(1)
  public Object caffeineWriter(Worker w) {
    return caffeineStore.store(w.key, w.next());
  }
}
