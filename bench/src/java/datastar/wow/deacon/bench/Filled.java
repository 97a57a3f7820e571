package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.PersistentHashMap;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stores under test and the raw structures they are compared with, each filled with the same
 * {@code n} entries {@code key(i) -> Sse(i)}.
 */
final class Filled {
  private Filled() {}

  /** The largest Caffeine bound any benchmark needs: room for 100k entries and the ones added. */
  static long maximumSize(int n) {
    return Math.max(CaffeineStore.DEFAULT_MAXIMUM_SIZE, 2L * n);
  }

  static ConcurrentHashMap<Object, Object> map(int n) {
    ConcurrentHashMap<Object, Object> map = new ConcurrentHashMap<>();
    for (int i = 0; i < n; i++) map.put(Fixtures.key(i), new Fixtures.Sse(i));
    return map;
  }

  /** A raw cache configured as {@link CaffeineStore} configures its own: size bound and idle expiry. */
  static Cache<Object, Object> caffeine(int n) {
    Cache<Object, Object> cache =
        Caffeine.newBuilder()
            .maximumSize(maximumSize(n))
            .expireAfterAccess(CaffeineStore.DEFAULT_DURATION)
            .build();
    for (int i = 0; i < n; i++) cache.put(Fixtures.key(i), new Fixtures.Sse(i));
    cache.cleanUp();
    return cache;
  }

  /** A plain Clojure atom holding a map. */
  static Atom atom(int n) {
    IPersistentMap map = PersistentHashMap.EMPTY;
    for (int i = 0; i < n; i++) map = map.assoc(Fixtures.key(i), new Fixtures.Sse(i));
    return new Atom(map);
  }

  static AtomStore atomStore(int n) {
    AtomStore store = AtomStore.builder().build();
    for (int i = 0; i < n; i++) store.store(Fixtures.key(i), new Fixtures.Sse(i));
    return store;
  }

  static CaffeineStore caffeineStore(int n) {
    CaffeineStore store = CaffeineStore.builder().maximumSize(maximumSize(n)).build();
    for (int i = 0; i < n; i++) store.store(Fixtures.key(i), new Fixtures.Sse(i));
    store.cleanUp();
    return store;
  }

  /** @return the pure-Clojure baseline's atom store */
  static Object baselineAtom(int n) {
    return fill(Fixtures.var("bench.baseline.store", "atom-store").invoke(), n);
  }

  /** @return the pure-Clojure baseline's Caffeine store, bounded as {@link #caffeine(int)} */
  static Object baselineCaffeine(int n) {
    Object opts = Fixtures.map(clojure.lang.Keyword.intern("maximum-size"), maximumSize(n));
    return fill(Fixtures.var("bench.baseline.store", "caffeine-store").invoke(opts), n);
  }

  private static Object fill(Object store, int n) {
    IFn put = Fixtures.var("bench.baseline.store", "store!");
    for (int i = 0; i < n; i++) put.invoke(store, Fixtures.key(i), new Fixtures.Sse(i));
    return store;
  }
}
