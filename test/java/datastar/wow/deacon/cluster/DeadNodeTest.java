package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node that dies without leaving: its routes stop being used once its lease ends, and the
 * surviving nodes remove its keys from the directory at their next refresh after that. Once with
 * a separate JVM killed with {@code kill -9}, once with one frozen ({@code kill -STOP}) that then
 * wakes up ({@code kill -CONT}) and takes its place again.
 */
class DeadNodeTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  static final long LEASE_MS = 2000;
  /** Scheduling slack on a loaded two-core machine. */
  static final long MARGIN_MS = 700;

  private static ClusterSettings settings(String prefix, String node) {
    return ClusterSettings.builder(REDIS.uri())
        .prefix(prefix)
        .node(node)
        .lease(Duration.ofMillis(LEASE_MS))
        .build();
  }

  /** A node in a JVM of its own, holding {@code keys}, started and connected. */
  private static Process child(String prefix, String node, List<String> keys) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, NodeProcess.class.getName(),
        REDIS.uri(), prefix, node, Long.toString(LEASE_MS)));
    command.addAll(keys);
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null && !line.equals("READY")) seen.append(line).append('\n');
    assertEquals("READY", line, "the child node started: " + seen);
    return child;
  }

  /** Sends {@code signal} (e.g. STOP, CONT) to {@code process}, as {@code kill -SIGNAL pid}. */
  private static void signal(Process process, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }

  @Test
  void aNodeKilledWithSigkillLosesItsRoutesWithinItsLease() throws Exception {
    String prefix = "k" + UUID.randomUUID().toString().substring(0, 8);
    List<String> keys = List.of("[\"u1\" :counter]", "[\"u2\" :counter]", "[\"u3\" :panel]");
    try (TestNode survivor = TestNode.connected(settings(prefix, "survivor"));
        TestNode witness = TestNode.connected(settings(prefix, "witness"))) {
      Process child = child(prefix, "doomed", keys);
      try {
        Object key = edn(keys.get(0));
        eventually(Duration.ofSeconds(5), () -> survivor.backplane.keys(edn("[:* :*]")).size() == 3,
            "the child's keys are listed");
        assertEquals(1, survivor.backplane.send(key, "hello").toCompletableFuture()
            .get(2, TimeUnit.SECONDS), "routed to the child");

        long killedAt = System.nanoTime();
        child.destroyForcibly(); // SIGKILL: no close, no word to Redis
        child.waitFor(10, TimeUnit.SECONDS);

        eventually(Duration.ofMillis(LEASE_MS + MARGIN_MS),
            () -> sent(survivor, key) == 0, "no route to the dead node");
        long routesGone = ms(killedAt);
        eventually(Duration.ofMillis(LEASE_MS + MARGIN_MS),
            () -> survivor.backplane.keys(edn("[:* :*]")).size() == 0, "the dead node's keys are not listed");
        long listingGone = ms(killedAt);
        try (Raw raw = new Raw()) {
          eventually(Duration.ofMillis(LEASE_MS + LEASE_MS / 3 + MARGIN_MS),
              () -> raw.cleaned(prefix, "doomed", keys), "the dead node's keys are removed from Redis");
        }
        long cleaned = ms(killedAt);
        System.out.printf("kill -9 of a node with a %d ms lease: routes gone after %d ms, listing after"
            + " %d ms, Redis cleaned after %d ms%n", LEASE_MS, routesGone, listingGone, cleaned);
        assertTrue(routesGone <= LEASE_MS + MARGIN_MS, "routes gone after " + routesGone + " ms");
        assertTrue(witness.received.isEmpty(), "the witness held nothing and got nothing");
      } finally {
        child.destroyForcibly();
      }
    }
  }

  @Test
  void aFrozenNodeIsGivenUpAndWritesItsKeysAgainWhenItWakes() throws Exception {
    String prefix = "h" + UUID.randomUUID().toString().substring(0, 8);
    List<String> keys = List.of("[\"u1\" :counter]");
    try (TestNode survivor = TestNode.connected(settings(prefix, "survivor"))) {
      Process child = child(prefix, "frozen", keys);
      try {
        Object key = edn(keys.get(0));
        survivor.hold(edn("[\"u9\" :counter]"));
        eventually(Duration.ofSeconds(5), () -> survivor.backplane.keys(edn("[:* :counter]")).size() == 2,
            "both keys listed");
        long frozenAt = System.nanoTime();
        signal(child, "STOP"); // as a long pause would: the node refreshes nothing, says nothing
        eventually(Duration.ofMillis(LEASE_MS + MARGIN_MS), () -> sent(survivor, key) == 0,
            "no route to the frozen node");
        try (Raw raw = new Raw()) {
          eventually(Duration.ofMillis(LEASE_MS + LEASE_MS / 3 + MARGIN_MS),
              () -> raw.cleaned(prefix, "frozen", keys), "the frozen node's keys are removed from Redis");
        }
        assertTrue(ms(frozenAt) <= 2 * LEASE_MS + MARGIN_MS);
        assertEquals(List.of(edn("[\"u9\" :counter]")), survivor.backplane.keys(edn("[:* :counter]")),
            "the survivor's own key stays");
        signal(child, "CONT");
        eventually(Duration.ofMillis(LEASE_MS + MARGIN_MS), () -> sent(survivor, key) == 1,
            "the node that woke up took its lease again and wrote its keys back");
      } finally {
        child.destroyForcibly();
      }
    }
  }

  private static int sent(TestNode from, Object key) {
    try {
      return from.backplane.send(key, "ping").toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  /** A plain Lettuce connection that looks at the directory's keys directly. */
  static final class Raw implements AutoCloseable {
    private final RedisClient client = RedisClient.create(REDIS.uri());
    private final StatefulRedisConnection<String, String> connection = client.connect();
    final RedisCommands<String, String> redis = connection.sync();

    boolean cleaned(String prefix, String node, List<String> keys) {
      if (redis.zscore(prefix + ":nodes", node) != null) return false;
      if (redis.sismember(prefix + ":dead", node)) return false;
      if (redis.exists(prefix + ":held:" + node) != 0) return false;
      for (String k : keys) {
        if (redis.sismember(prefix + ":key:" + k, node)) return false;
      }
      return true;
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  static String javaBinary() {
    return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
  }
}
