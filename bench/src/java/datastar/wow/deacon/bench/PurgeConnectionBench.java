package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Purge by connection (an adapter's on-close knows the stream, not its key) in stores of 10 and
 * 100,000 entries; the ratio of the two sizes shows whether the purge depends on the store's size.
 *
 * <ul>
 *   <li>{@code *PurgeConnection}: the purge alone; the stream is stored under a new key, owned by
 *       a request, before each call, outside the measurement (JMH's per-invocation set-up, whose
 *       own cost of a few tens of nanoseconds is small beside a purge);
 *   <li>{@code *StoreThenPurgeConnection}: the store and the purge, both measured.
 * </ul>
 *
 * The baseline has no reverse index and scans. {@code rawAtomAssocDissoc}, a {@code swap!} of
 * {@code assoc} then one of {@code dissoc} on a plain atom holding a map of the same size, is the
 * floor of any store kept in a persistent map: its own growth from 10 to 100,000 entries is what
 * the atom store cannot avoid.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PurgeConnectionBench {
  @Param({"10", "100000"})
  int size;

  Atom rawAtom;
  IFn assoc;
  IFn dissoc;
  AtomStore atomStore;
  CaffeineStore caffeineStore;
  Object baselineAtom;
  IFn baselineStore;
  IFn baselinePurgeConnection;
  Object key;
  Object sse;
  IPersistentMap owner;

  @Setup
  public void setUp() {
    rawAtom = Filled.atom(size);
    assoc = Fixtures.var("clojure.core", "assoc");
    dissoc = Fixtures.var("clojure.core", "dissoc");
    atomStore = Filled.atomStore(size);
    caffeineStore = Filled.caffeineStore(size);
    baselineAtom = Filled.baselineAtom(size);
    baselineStore = Fixtures.var("bench.baseline.store", "store!");
    baselinePurgeConnection = Fixtures.var("bench.baseline.store", "purge-connection!");
    key = Fixtures.absent();
    sse = new Fixtures.Sse(-1);
    owner = Fixtures.request(-1);
    Fixtures.settle();
  }

  /** Stores the stream before each call to a {@code *PurgeConnection} benchmark. */
  @State(Scope.Thread)
  public static class AtomStored {
    @Setup(Level.Invocation)
    public void store(PurgeConnectionBench bench) {
      bench.atomStore.store(bench.key, bench.sse, bench.owner);
    }
  }

  /** Stores the stream before each call to a {@code *PurgeConnection} benchmark. */
  @State(Scope.Thread)
  public static class CaffeineStored {
    @Setup(Level.Invocation)
    public void store(PurgeConnectionBench bench) {
      bench.caffeineStore.store(bench.key, bench.sse, bench.owner);
    }
  }

  @Benchmark
  public int atomPurgeConnection(AtomStored stored) {
    return atomStore.purgeConnection(sse);
  }

  @Benchmark
  public int caffeinePurgeConnection(CaffeineStored stored) {
    return caffeineStore.purgeConnection(sse);
  }

  @Benchmark
  public int atomStoreThenPurgeConnection() {
    atomStore.store(key, sse, owner);
    return atomStore.purgeConnection(sse);
  }

  @Benchmark
  public int caffeineStoreThenPurgeConnection() {
    caffeineStore.store(key, sse, owner);
    return caffeineStore.purgeConnection(sse);
  }

  @Benchmark
  public Object rawAtomAssocDissoc() {
    rawAtom.swap(assoc, key, sse);
    return rawAtom.swap(dissoc, key);
  }

  @Benchmark
  public Object baselineAtomPurgeConnection() {
    baselineStore.invoke(baselineAtom, key, sse);
    return baselinePurgeConnection.invoke(baselineAtom, sse);
  }
}
