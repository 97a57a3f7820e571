package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import datastar.wow.deacon.cluster.ClusterSettings;
import datastar.wow.deacon.cluster.RedisServer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The directory of a cluster member under churn: streams opened and closed on one key faster than
 * Redis answers leave at most one directory update of that key waiting, and the directory ends up
 * as the store is.
 */
class ClusterDirectoryTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  private static CaffeineStore member(String prefix) {
    return CaffeineStore.builder()
        .cluster(ClusterSettings.builder(REDIS.uri()).prefix(prefix).node("churn").build())
        .build();
  }

  private static void eventually(String what, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(10);
    }
  }

  @Test
  void churnOnOneKeyLeavesOneUpdateWaitingAndTheDirectoryInStep() throws Exception {
    String prefix = "d" + UUID.randomUUID().toString().substring(0, 8);
    Object key = Deacon.scopedKey("user-1", Keyword.intern("feed"));
    try (CaffeineStore store = member(prefix)) {
      eventually("the member never connected", () -> store.cluster().connected());
      int largest = 0;
      for (int i = 0; i < 20_000; i++) {
        Object stream = new Object();
        store.store(key, stream);
        store.purgeConnection(stream);
        largest = Math.max(largest, store.cluster().directoryBacklog());
      }
      assertTrue(largest <= 1, "updates waiting for one key at most: " + largest);
      eventually("the closed key left the directory", () -> store.clusterCount(key) == 0);

      store.store(key, new Object());
      eventually("the open key is in the directory", () -> store.clusterCount(key) == 1);
      assertEquals(1, store.clusterKeys(key).size());
    }
  }
}
