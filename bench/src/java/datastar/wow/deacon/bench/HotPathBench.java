package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentHashMap;
import clojure.lang.RT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
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
 * The look-up of a key through the Clojure API ({@code d*conn/connection}) against a raw read of
 * the same key, with the keys of the library's hot path: a scoped key whose name is itself a
 * vector, {@code ["user-i" [:k i]]}, in stores of 1,000 entries.
 *
 * <ul>
 *   <li>{@code *Held}: the key is an object the caller holds from one call to the next (a request
 *       scoped its key once and uses it again; a server keeps a user's keys): equal to the stored
 *       key, not the same object, its hash cached after the first call;
 *   <li>{@code *Fresh}: the key is built anew for each look-up from parts the caller holds, as the
 *       registry scopes a response's key, so its hash is computed every time.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBench {
  static final int SIZE = 1000;
  static final int PROBE = SIZE / 2;
  static final Keyword K = Keyword.intern("k");

  Cache<Object, Object> rawCaffeine;
  Atom rawAtom;
  CaffeineStore caffeineStore;
  AtomStore atomStore;
  IFn connection;
  IPersistentVector held;
  String user;
  Long index;

  /** {@code ["user-i" [:k i]]}. */
  static IPersistentVector key(String user, long i) {
    return Deacon.scopedKey(user, RT.vector(K, i));
  }

  @Setup
  public void setUp() {
    rawCaffeine =
        Caffeine.newBuilder()
            .maximumSize(Filled.maximumSize(SIZE))
            .expireAfterAccess(CaffeineStore.DEFAULT_DURATION)
            .build();
    IPersistentMap map = PersistentHashMap.EMPTY;
    caffeineStore = CaffeineStore.builder().maximumSize(Filled.maximumSize(SIZE)).build();
    atomStore = AtomStore.builder().build();
    for (int i = 0; i < SIZE; i++) {
      Object stream = new Fixtures.Sse(i);
      IPersistentVector k = key("user-" + i, i);
      rawCaffeine.put(k, stream);
      map = map.assoc(k, stream);
      caffeineStore.store(k, stream);
      atomStore.store(k, stream);
    }
    rawAtom = new Atom(map);
    rawCaffeine.cleanUp();
    caffeineStore.cleanUp();
    connection = Fixtures.var("datastar.wow.deacon", "connection");
    user = new String("user-" + PROBE); // equal to the stored one, not the same object
    index = (long) PROBE;
    held = key(user, PROBE);
    Fixtures.settle();
  }

  @Benchmark
  public Object rawCaffeineHeld() {
    return rawCaffeine.getIfPresent(held);
  }

  @Benchmark
  public Object caffeineClojureHeld() {
    return connection.invoke(caffeineStore, held);
  }

  @Benchmark
  public Object caffeineJavaHeld() {
    return caffeineStore.connection(held);
  }

  @Benchmark
  public Object atomJavaHeld() {
    return atomStore.connection(held);
  }

  @Benchmark
  public Object rawAtomHeld() {
    return ((ILookup) rawAtom.deref()).valAt(held);
  }

  @Benchmark
  public Object atomClojureHeld() {
    return connection.invoke(atomStore, held);
  }

  @Benchmark
  public Object rawCaffeineFresh() {
    return rawCaffeine.getIfPresent(key(user, index));
  }

  @Benchmark
  public Object caffeineClojureFresh() {
    return connection.invoke(caffeineStore, key(user, index));
  }

  @Benchmark
  public Object rawAtomFresh() {
    return ((ILookup) rawAtom.deref()).valAt(key(user, index));
  }

  @Benchmark
  public Object atomClojureFresh() {
    return connection.invoke(atomStore, key(user, index));
  }
}
