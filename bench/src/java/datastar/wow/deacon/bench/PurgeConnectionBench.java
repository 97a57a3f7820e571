package datastar.wow.deacon.bench;

import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
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
 * Purge by connection (an adapter's on-close knows the stream, not its key) in stores of 10 and
 * 100,000 entries. Each call stores a stream under a new key, owned by a request, then purges it
 * by the stream, so the store keeps its size; the ratio of the two sizes shows whether the purge
 * depends on the store's size. The baseline has no reverse index and scans.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PurgeConnectionBench {
  @Param({"10", "100000"})
  int size;

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
    atomStore = Filled.atomStore(size);
    caffeineStore = Filled.caffeineStore(size);
    baselineAtom = Filled.baselineAtom(size);
    baselineStore = Fixtures.var("bench.baseline.store", "store!");
    baselinePurgeConnection = Fixtures.var("bench.baseline.store", "purge-connection!");
    key = Fixtures.absent();
    sse = new Fixtures.Sse(-1);
    owner = Fixtures.request(-1);
  }

  @Benchmark
  public int atomPurgeConnection() {
    atomStore.store(key, sse, owner);
    return atomStore.purgeConnection(sse);
  }

  @Benchmark
  public int caffeinePurgeConnection() {
    caffeineStore.store(key, sse, owner);
    return caffeineStore.purgeConnection(sse);
  }

  @Benchmark
  public Object baselineAtomPurgeConnection() {
    baselineStore.invoke(baselineAtom, key, sse);
    return baselinePurgeConnection.invoke(baselineAtom, sse);
  }
}
