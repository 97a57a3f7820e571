package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionStore;
import datastar.wow.deacon.ConnectionWriter;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.Replay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replay across the nodes of a cluster of Java apps, with a {@link ConnectionWriter} and no
 * Clojure dispatch: the writer is handed each message with the id the shared log gave it, the
 * same on every node; a stream resuming on another node with {@link Replay#resume} gets what it
 * missed there, and {@link Replay#recoverable} says so first.
 */
class SharedHistoryTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  /** A stream as a Java app might keep one: what its writer was handed, with the ids. */
  static final class Tab {
    final List<String> lines = new ArrayList<>();
    volatile boolean open = true;

    synchronized boolean write(Object message, String id) {
      if (!open) return false;
      lines.add(id + " " + message);
      return true;
    }

    synchronized int size() {
      return lines.size();
    }

    synchronized List<String> all() {
      return new ArrayList<>(lines);
    }

    synchronized List<String> messages() {
      return lines.stream().map(l -> l.substring(l.indexOf(' ') + 1)).collect(Collectors.toList());
    }

    synchronized List<String> ids() {
      return lines.stream().map(l -> l.substring(0, l.indexOf(' '))).collect(Collectors.toList());
    }
  }

  /** Writes to a {@link Tab}; a message with no id (outside replay) gets "-". */
  static final class TabWriter implements ConnectionWriter {
    @Override
    public boolean write(Object connection, Object message) {
      return ((Tab) connection).write(message, "-");
    }

    @Override
    public boolean write(Object connection, Object message, String id) {
      return ((Tab) connection).write(message, id);
    }
  }

  private static ClusterSettings settings(String prefix, String node) {
    return ClusterSettings.builder(REDIS.uri()).prefix(prefix).node(node).lease(Duration.ofSeconds(2)).build();
  }

  private static Replay replay(ConnectionStore store) {
    return store.policy().replay().orElseThrow();
  }

  private static boolean connected(ConnectionStore store) {
    return store.policy().cluster().map(p -> p.connected()).orElse(false);
  }

  private static boolean heldEverywhere(Object key, ConnectionStore... stores) {
    for (ConnectionStore s : stores) {
      if (s.policy().cluster().orElseThrow().keys(key).isEmpty()) return false;
    }
    return true;
  }

  @Test
  void aStreamResumesOnAnotherNodeWithTheIdsTheLogGave() throws Exception {
    String prefix = "h" + UUID.randomUUID().toString().substring(0, 8);
    Object key = Deacon.scopedKey("u1", "feed");
    try (AtomStore a =
            AtomStore.builder().writer(new TabWriter()).replay(50, Duration.ofMinutes(1)).cluster(settings(prefix, "a")).build();
        CaffeineStore b =
            CaffeineStore.builder()
                .writer(new TabWriter())
                .replay(50, Duration.ofMinutes(1))
                .cluster(settings(prefix, "b"))
                .build()) {
      eventually(Duration.ofSeconds(10), () -> connected(a) && connected(b), "both nodes connected");
      Tab onA = new Tab();
      Tab onB = new Tab();
      replay(a).resume(key, onA, null, () -> a.store(key, onA));
      replay(b).resume(key, onB, null, () -> b.store(key, onB));
      eventually(Duration.ofSeconds(5), () -> heldEverywhere(key, a, b), "the directory knows both");

      a.send(key, "one");
      b.send(key, "two");
      eventually(Duration.ofSeconds(5), () -> onA.size() == 2 && onB.size() == 2, "both tabs got both");
      assertEquals(onA.all(), onB.all(), "the same messages with the same ids, in the same order");
      assertTrue(onA.ids().stream().allMatch(id -> id.matches("\\d+-\\d+")), "ids of the log: " + onA.ids());

      String last = onA.ids().get(1);
      onA.open = false;
      a.purgeConnection(onA);
      a.send(key, "three"); // b still holds the key: the log keeps it
      eventually(Duration.ofSeconds(5), () -> onB.size() == 3, "b's tab got three");

      assertTrue(replay(b).recoverable(key, last), "b can tell the tab from a will be caught up");
      assertFalse(replay(b).recoverable(key, "1-0"), "an id the log never gave");
      Tab back = new Tab();
      boolean caughtUp = replay(b).resume(key, back, last, () -> {
        back.write("opening", "none");
        b.store(key, back);
      });
      assertTrue(caughtUp);
      a.send(key, "four");
      eventually(Duration.ofSeconds(5), () -> back.size() == 3, "the resumed tab got the live one");
      assertEquals(List.of("three", "opening", "four"), back.messages(), "missed, its opening, then live");
      assertEquals(onB.ids().get(2), back.ids().get(0), "with the id the other tab got");
    }
  }
}
