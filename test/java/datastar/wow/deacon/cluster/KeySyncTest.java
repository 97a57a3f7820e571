package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.LocalNode;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The directory of one store under churn: changes to one key faster than the directory thread
 * reads the store leave at most one update of that key waiting, and the directory ends up as the
 * store is.
 */
class KeySyncTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  /** A store's side for the test: a set of held keys, and a count of the reads the sync makes. */
  static final class Store implements LocalNode {
    final Set<Object> held = ConcurrentHashMap.newKeySet();
    final AtomicInteger reads = new AtomicInteger();
    final CountDownLatch firstReadStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public Collection<Object> keys() {
      return List.copyOf(held);
    }

    @Override
    public boolean holds(Object key) {
      if (reads.incrementAndGet() == 1) { // the backplane's thread is busy with the first change
        firstReadStarted.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return held.contains(key);
    }

    @Override
    public int deliver(Object keyOrPattern, Object message) {
      return 0;
    }
  }

  @Test
  void changesToAKeyThatIsWaitingQueueNothingMoreAndTheDirectoryEndsInStep() throws Exception {
    String prefix = "k" + UUID.randomUUID().toString().substring(0, 8);
    ClusterSettings settings = ClusterSettings.builder(REDIS.uri()).prefix(prefix).node("churn").build();
    Store store = new Store();
    Object key = edn("[\"user-1\" :feed]");
    try (Backplane backplane = Backplane.start(settings, (t, p, m, f) -> {}, store::keys, e -> {})) {
      KeySync sync = backplane.keySync(store);
      eventually(Duration.ofSeconds(10), backplane::connected, "the node connects");
      sync.changed(key);
      assertTrue(store.firstReadStarted.await(10, TimeUnit.SECONDS), "the first change is read");
      for (int i = 0; i < 20_000; i++) {
        if (i % 2 == 0) store.held.add(key);
        else store.held.remove(key);
        sync.changed(key);
      }
      store.held.add(key);
      sync.changed(key);
      store.release.countDown();
      eventually(Duration.ofSeconds(10), () -> backplane.keys(key).size() == 1, "the key is listed");
      assertEquals(2, store.reads.get(), "the first change, and one more for all 20,001 after it");

      store.held.remove(key);
      sync.changed(key);
      eventually(Duration.ofSeconds(10), () -> backplane.keys(key).isEmpty(), "the key leaves");
    }
  }

  @Test
  void aKeysRegistrationReachesRedisBeforeAnyMessageTheNodePublishesAfterIt() throws Exception {
    String prefix = "r" + UUID.randomUUID().toString().substring(0, 8);
    ClusterSettings.Builder settings = ClusterSettings.builder(REDIS.uri()).prefix(prefix);
    Store store = new Store();
    store.release.countDown(); // reads never wait here
    try (TestNode a = TestNode.connected(settings.node("a").build());
        Backplane b = Backplane.start(settings.node("b").build(), (t, p, m, f) -> {}, store::keys, e -> {})) {
      eventually(Duration.ofSeconds(10), b::connected, "b connects");
      KeySync sync = b.keySync(store);
      for (int i = 0; i < 200; i++) {
        Object key = edn("[\"tab-" + i + "\" :counter]");
        store.held.add(key); // a tab opens on b
        sync.changed(key);
        b.broadcast(edn("[:* :ask]"), key).toCompletableFuture().get(5, TimeUnit.SECONDS); // b asks a at once
        TestNode.Delivery ask = a.next();
        assertEquals(key, ask.payload());
        assertEquals(1, a.backplane.send(key, "the answer").toCompletableFuture().get(5, TimeUnit.SECONDS),
            "a's answer reaches b's new tab, round " + i);
      }
    }
  }
}
