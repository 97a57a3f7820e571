package datastar.wow.deacon.bench;

import clojure.lang.Atom;
import clojure.lang.IPersistentMap;
import clojure.lang.PersistentHashMap;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.Ownership;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

/**
 * Retained memory per stored entry at 100,000 entries: what a store costs beyond the keys,
 * connections and owners it is given, which are allocated beforehand and left out.
 *
 * <p>Two measures of each store: JOL's object graph ({@code GraphLayout}) of the filled store minus
 * that of the same store empty and minus the keys, connections and owners; and the used heap after
 * full collections, before and after filling. Raw structures (a Clojure map in an atom, a Caffeine
 * cache configured as the store's, a ConcurrentHashMap) are measured the same way for comparison.
 *
 * <p>Usage: {@code java -cp benchmarks.jar datastar.wow.deacon.bench.MemoryFootprint [out.json]}
 */
public final class MemoryFootprint {
  static final int N = 100_000;

  private MemoryFootprint() {}

  /** Fills a structure with the prepared entries. */
  interface Filler {
    Object fill(Object[] keys, Object[] conns, Object[] owners);
  }

  public static void main(String[] args) throws IOException {
    Object[] keys = new Object[N];
    Object[] conns = new Object[N];
    Object[] owners = new Object[N];
    for (int i = 0; i < N; i++) {
      keys[i] = Fixtures.key(i);
      conns[i] = new Fixtures.Sse(i);
      owners[i] = new Object();
    }
    long keysAndConns = elements(keys, conns);
    long withOwners = elements(keys, conns, owners);

    Map<String, Filler> subjects = new LinkedHashMap<>();
    subjects.put("atomStore", (k, c, o) -> fill(AtomStore.builder().build(), k, c, null));
    subjects.put("atomStoreOwned", (k, c, o) -> fill(AtomStore.builder().build(), k, c, o));
    subjects.put("caffeineStore", (k, c, o) -> fill(caffeineStore(), k, c, null));
    subjects.put("caffeineStoreOwned", (k, c, o) -> fill(caffeineStore(), k, c, o));
    subjects.put("rawAtom", MemoryFootprint::rawAtom);
    subjects.put("rawCaffeine", MemoryFootprint::rawCaffeine);
    subjects.put("rawMap", MemoryFootprint::rawMap);

    Map<String, double[]> results = new LinkedHashMap<>();
    for (Map.Entry<String, Filler> e : subjects.entrySet()) {
      Filler filler = e.getValue();
      long given = e.getKey().endsWith("Owned") ? withOwners : keysAndConns;
      double graph = graphPerEntry(filler, keys, conns, owners, given);
      double heap = heapPerEntry(filler, keys, conns, owners);
      results.put(e.getKey(), new double[] {graph, heap});
      System.out.printf(
          Locale.ROOT, "%-20s %7.1f B/entry (object graph)  %7.1f B/entry (heap)%n", e.getKey(), graph, heap);
    }
    if (args.length > 0) write(Path.of(args[0]), results);
  }

  /** @return the bytes of every object the arrays' elements reach, the arrays themselves left out */
  private static long elements(Object[]... arrays) {
    long total = GraphLayout.parseInstance((Object[]) arrays).totalSize();
    for (Object[] a : arrays) total -= VM.current().sizeOf(a);
    return total;
  }

  /** @return (graph of the filled structure - graph of the empty one - what was given) / N */
  private static double graphPerEntry(
      Filler filler, Object[] keys, Object[] conns, Object[] owners, long given) {
    Object empty = filler.fill(new Object[0], new Object[0], new Object[0]);
    long base = GraphLayout.parseInstance(empty).totalSize();
    Object full = filler.fill(keys, conns, owners);
    long size = GraphLayout.parseInstance(full).totalSize();
    return (double) (size - base - given) / N;
  }

  private static double heapPerEntry(Filler filler, Object[] keys, Object[] conns, Object[] owners) {
    Object empty = filler.fill(new Object[0], new Object[0], new Object[0]);
    long before = usedHeap();
    Object full = filler.fill(keys, conns, owners);
    long after = usedHeap();
    Reference.reachabilityFence(empty);
    Reference.reachabilityFence(full);
    return (double) (after - before) / N;
  }

  private static long usedHeap() {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /**
   * Bounded at exactly N, so that the frequency sketch (sized by the bound) is that of a cache
   * meant for N entries. Maintenance runs on the calling thread, so that the object graph does not
   * reach into a thread pool's changing state; entries are laid out the same either way.
   */
  private static CaffeineStore caffeineStore() {
    return CaffeineStore.builder().maximumSize(N).executor(Runnable::run).build();
  }

  private static Object fill(ConnectionStore store, Object[] keys, Object[] conns, Object[] owners) {
    Ownership owned = store.policy().ownership().orElseThrow();
    for (int i = 0; i < keys.length; i++) owned.store(keys[i], conns[i], owners == null ? null : owners[i]);
    if (store instanceof CaffeineStore) ((CaffeineStore) store).cleanUp();
    if (store.count() != keys.length) throw new IllegalStateException("lost entries: " + store);
    return store;
  }

  private static Object rawAtom(Object[] keys, Object[] conns, Object[] owners) {
    IPersistentMap map = PersistentHashMap.EMPTY;
    for (int i = 0; i < keys.length; i++) map = map.assoc(keys[i], conns[i]);
    return new Atom(map);
  }

  private static Object rawCaffeine(Object[] keys, Object[] conns, Object[] owners) {
    Cache<Object, Object> cache =
        Caffeine.newBuilder()
            .maximumSize(N)
            .expireAfterAccess(CaffeineStore.DEFAULT_DURATION)
            .executor(Runnable::run)
            .build();
    for (int i = 0; i < keys.length; i++) cache.put(keys[i], conns[i]);
    cache.cleanUp();
    return cache;
  }

  private static Object rawMap(Object[] keys, Object[] conns, Object[] owners) {
    Map<Object, Object> map = new java.util.concurrent.ConcurrentHashMap<>();
    for (int i = 0; i < keys.length; i++) map.put(keys[i], conns[i]);
    return map;
  }

  private static void write(Path out, Map<String, double[]> results) throws IOException {
    StringBuilder json = new StringBuilder("{\n  \"entries\": " + N);
    Supplier<String> sep = () -> ",\n";
    for (Map.Entry<String, double[]> e : results.entrySet()) {
      json.append(sep.get())
          .append(String.format(
              Locale.ROOT,
              "  \"%s\": {\"graphBytesPerEntry\": %.1f, \"heapBytesPerEntry\": %.1f}",
              e.getKey(), e.getValue()[0], e.getValue()[1]));
    }
    json.append("\n}\n");
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    try (PrintStream ps = new PrintStream(Files.newOutputStream(out), true, StandardCharsets.UTF_8)) {
      ps.print(json);
    }
  }
}
