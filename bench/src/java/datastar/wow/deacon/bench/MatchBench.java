package datastar.wow.deacon.bench;

import clojure.lang.IDeref;
import clojure.lang.MapEntry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.KeyPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Finding a broadcast's streams: {@code store.connections(pattern)} against a linear scan of every
 * entry with {@code KeyPattern.matches}, over the same entries as {@link BroadcastBench} ({@code n}
 * feeds and {@code 10 × n} other keys). {@code *Exact}: an exact key, {@code [user-(n/2) :app/feed]}
 * built afresh as a request builds it (the store looks it up); {@code *Pattern}: {@code [:*
 * :app/feed]}, the {@code n} feeds. The scan reads the atom store's own map, or a raw Caffeine cache
 * configured as the Caffeine store configures its own and holding the same entries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatchBench {
  @Param({"1000", "10000"})
  int n;

  @Param({"atom", "caffeine"})
  String store;

  ConnectionStore s;
  Iterable<?> entries;
  Object exact;
  Object pattern;

  @Setup
  public void setUp() {
    s = Wow.store(store, 11 * n, false);
    Cache<Object, Object> raw =
        Caffeine.newBuilder()
            .maximumSize(Filled.maximumSize(11 * n))
            .expireAfterAccess(CaffeineStore.DEFAULT_DURATION)
            .build();
    for (int i = 0; i < n; i++) {
      Object conn = new Fixtures.Sse(i);
      s.store(Wow.userKey(i, Wow.FEED), conn);
      raw.put(Wow.userKey(i, Wow.FEED), conn);
    }
    for (int j = 0; j < 10 * n; j++) {
      Object conn = new Fixtures.Sse(-j - 1);
      s.store(Wow.otherKey(j), conn);
      raw.put(Wow.otherKey(j), conn);
    }
    Wow.settle(s);
    raw.cleanUp();
    entries =
        s instanceof AtomStore
            ? (Iterable<?>) ((IDeref) ((AtomStore) s).atom()).deref()
            : raw.asMap().entrySet();
    exact = Deacon.scopedKey(new String("user-" + (n / 2)), Wow.FEED);
    pattern = Deacon.scopedKey(Deacon.WILDCARD, Wow.FEED);
    Wow.check(storeExact().size() == 1 && scanExact().size() == 1, "the exact key is not found once");
    Wow.check(storePattern().size() == n && scanPattern().size() == n, "the pattern does not find every feed");
    Fixtures.settle();
  }

  private List<Map.Entry<Object, Object>> scan(Object p) {
    List<Map.Entry<Object, Object>> found = new ArrayList<>();
    for (Object o : entries) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      if (KeyPattern.matches(p, e.getKey())) found.add(MapEntry.create(e.getKey(), e.getValue()));
    }
    return found;
  }

  @Benchmark
  public List<Map.Entry<Object, Object>> storeExact() {
    return s.connections(exact);
  }

  @Benchmark
  public List<Map.Entry<Object, Object>> scanExact() {
    return scan(exact);
  }

  @Benchmark
  public List<Map.Entry<Object, Object>> storePattern() {
    return s.connections(pattern);
  }

  @Benchmark
  public List<Map.Entry<Object, Object>> scanPattern() {
    return scan(pattern);
  }
}
