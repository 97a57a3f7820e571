package datastar.wow.deacon.cluster;

import clojure.lang.EdnReader;
import clojure.lang.PersistentHashMap;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node in a JVM of its own, for the tests that kill or freeze one: starts a backplane
 * with {@code args = uri prefix node leaseMs key...} (keys in EDN), registers the keys, prints
 * {@code READY} once connected, and runs until killed.
 */
public final class NodeProcess {
  private NodeProcess() {}

  public static void main(String[] args) throws Exception {
    List<Object> keys = new CopyOnWriteArrayList<>();
    for (int i = 4; i < args.length; i++) {
      keys.add(EdnReader.readString(args[i], PersistentHashMap.EMPTY));
    }
    Backplane backplane =
        Backplane.start(
            ClusterSettings.builder(args[0])
                .prefix(args[1])
                .node(args[2])
                .lease(Duration.ofMillis(Long.parseLong(args[3])))
                .build(),
            (target, isPattern, payload, from) -> System.out.println("GOT " + payload),
            () -> keys,
            error -> System.out.println("ERROR " + error.getMessage()));
    for (Object key : keys) backplane.register(key);
    while (!backplane.connected()) Thread.sleep(10);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
