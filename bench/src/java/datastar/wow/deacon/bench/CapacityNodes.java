package datastar.wow.deacon.bench;

import clojure.lang.Keyword;
import clojure.lang.PersistentVector;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The nodes, keys and events of {@link RedisCapacity}: Caffeine stores in a cluster over one Redis,
 * built through the public API with a {@link CountingWriter}, and events shaped as the shared log
 * keeps a rendered Datastar event ({@code [type [data-lines] retry]}).
 */
final class CapacityNodes {
  static final Keyword FEED = Keyword.intern("app", "feed");
  /** Every user's feed. */
  static final Object ALL_FEEDS = Deacon.scopedKey(Deacon.WILDCARD, FEED);
  /** How long events and recent marks are kept: the default window. */
  static final Duration WINDOW = Duration.ofMinutes(5);
  /** Long enough that no lease refresh falls within most runs (one every 20 s). */
  static final Duration QUIET_LEASE = Duration.ofSeconds(60);

  private final String uri;
  private final List<CaffeineStore> open = new ArrayList<>();

  CapacityNodes(String uri) {
    this.uri = uri;
  }

  /**
   * A node of the cluster under {@code prefix}, connected.
   *
   * @param events the events kept per key, or null for a store without replay
   */
  CaffeineStore node(String prefix, String node, CountingWriter writer, @Nullable Integer events, Duration lease)
      throws InterruptedException {
    ClusterSettings settings = ClusterSettings.builder(uri).prefix(prefix).node(node).lease(lease).build();
    CaffeineStore.Builder b = CaffeineStore.builder().maximumSize(1_000_000).writer(writer).cluster(settings);
    if (events != null) b.replay(events, WINDOW);
    CaffeineStore store = b.build();
    open.add(store);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.policy().cluster().orElseThrow().connected()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException(node + " did not connect");
      Thread.sleep(5);
    }
    return store;
  }

  /**
   * Stores a stream under the keys {@code from} to {@code to} (excluded), 100 every 20 ms: a pace
   * at which the directory's writes keep up (stored at once, each key is one write; see the
   * burst of run a).
   */
  static void hold(CaffeineStore store, int from, int to) throws InterruptedException {
    for (int i = from; i < to; i++) {
      store.store(key(i), new Object());
      if (i % 100 == 99) Thread.sleep(20);
    }
  }

  /** Closes every node made so far. */
  void closeAll() {
    for (CaffeineStore s : open) s.close();
    open.clear();
  }

  /** The key of user {@code i}'s feed: {@code ["user-00042" :app/feed]}, 24 bytes of EDN. */
  static Object key(int i) {
    return Deacon.scopedKey(String.format("user-%05d", i), FEED);
  }

  /** The canonical EDN of {@link #key}, as the directory and the logs name it. */
  static String keyEdn(int i) {
    return String.format("[\"user-%05d\" :app/feed]", i);
  }

  /** A patch-elements event: one list item of a feed, about 200 bytes as the log keeps it. */
  static Object elements(int i) {
    String line = String.format(
        "elements <li id=\"msg-%07d\" class=\"message\"><span class=\"by\">ada</span>"
            + " <span class=\"text\">The build on main is green again; both nodes pass.</span></li>",
        i % 10_000_000);
    return PersistentVector.create("datastar-patch-elements", PersistentVector.create(line), null);
  }

  /** A small patch-signals event, about 50 bytes as the log keeps it. */
  static Object signals(int i) {
    String line = String.format("signals {\"n\":%05d}", i % 100_000);
    return PersistentVector.create("datastar-patch-signals", PersistentVector.create(line), null);
  }
}
