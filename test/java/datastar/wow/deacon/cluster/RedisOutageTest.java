package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis going away and coming back: sends fail fast while it is gone (each well under a second),
 * nothing hangs, and after it is back the nodes reconnect, re-subscribe and re-register their keys
 * by themselves, and delivery resumes, nothing twice. Also a node started while Redis is down, and
 * a Redis that freezes (SIGSTOP) instead of going away.
 */
class RedisOutageTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  /** Each failing call must end within this (the send timeout is 500 ms). */
  static final long FAIL_FAST_MS = 1000;

  private static ClusterSettings settings(String prefix, String node) {
    return ClusterSettings.builder(REDIS.uri())
        .prefix(prefix)
        .node(node)
        .lease(Duration.ofSeconds(2))
        .build();
  }

  @Test
  void sendsFailFastWhileRedisIsDownAndDeliveryResumesAfterItRestarts() throws Exception {
    String prefix = "o" + UUID.randomUUID().toString().substring(0, 8);
    try (TestNode a = TestNode.connected(settings(prefix, "a"));
        TestNode b = TestNode.connected(settings(prefix, "b"))) {
      Object key = edn("[\"u1\" :counter]");
      b.hold(key);
      eventually(Duration.ofSeconds(5), () -> a.backplane.keys(key).size() == 1, "B's key is listed");
      assertEquals(1, send(a, key, "before").get(2, TimeUnit.SECONDS));
      assertEquals("before", b.next().payload());

      REDIS.stop();
      eventually(Duration.ofSeconds(5), () -> !a.backplane.connected(), "A sees Redis gone");
      Object held = edn("[\"u2\" :counter]");
      b.hold(held); // opened while Redis is down: registered after the restart
      a.errors.clear();

      long worst = 0;
      int failures = 0;
      long outageEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < outageEnds) {
        long t0 = System.nanoTime();
        CompletableFuture<Integer> s = send(a, key, "during");
        ExecutionException e =
            assertThrows(ExecutionException.class, () -> s.get(FAIL_FAST_MS, TimeUnit.MILLISECONDS));
        assertTrue(e.getCause() instanceof BackplaneException, e.toString());
        long t1 = System.nanoTime();
        assertThrows(BackplaneException.class, () -> a.backplane.keys(edn("[:* :counter]")));
        long t2 = System.nanoTime();
        CompletableFuture<Integer> bc = a.backplane.broadcast(edn(":*"), "during").toCompletableFuture();
        assertThrows(ExecutionException.class, () -> bc.get(FAIL_FAST_MS, TimeUnit.MILLISECONDS));
        worst = Math.max(worst, Math.max(t1 - t0, Math.max(t2 - t1, System.nanoTime() - t2)));
        failures++;
        Thread.sleep(100);
      }
      long worstMs = TimeUnit.NANOSECONDS.toMillis(worst);
      assertTrue(worstMs < FAIL_FAST_MS, "slowest failure " + worstMs + " ms");
      assertTrue(a.errors.stream().anyMatch(e -> e.op() == BackplaneException.SEND),
          "failed sends are reported");

      long restartedAt = System.nanoTime();
      REDIS.start(); // empty: no persistence, so every key must be written again
      eventually(Duration.ofSeconds(5),
          () -> a.backplane.connected() && b.backplane.connected(), "both nodes are back");
      eventually(Duration.ofSeconds(5),
          () -> a.backplane.keys(edn("[:* :counter]")).size() == 2,
          "B's keys are registered again, the one opened during the outage too");
      assertEquals(1, send(a, key, "after").get(2, TimeUnit.SECONDS));
      long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
      assertEquals(1, send(a, held, "after, new key").get(2, TimeUnit.SECONDS));
      System.out.printf("Redis down 3 s: %d sends failed, slowest failure %d ms; delivery resumed"
          + " %d ms after the restart%n", failures, worstMs, resumedMs);
      assertTrue(resumedMs <= 5000, "resumed after " + resumedMs + " ms");

      List<Object> got = new ArrayList<>();
      got.add(b.next().payload());
      got.add(b.next().payload());
      got.addAll(b.quietFor(300).stream().map(TestNode.Delivery::payload).toList());
      assertEquals(List.of("after", "after, new key"), got,
          "nothing sent during the outage arrives, nothing arrives twice");
      List<CompletableFuture<Integer>> sends = new ArrayList<>();
      for (int i = 0; i < 100; i++) sends.add(send(a, key, i));
      for (CompletableFuture<Integer> s : sends) assertEquals(1, s.get(2, TimeUnit.SECONDS));
      Set<Object> distinct = new HashSet<>();
      for (int i = 0; i < 100; i++) assertTrue(distinct.add(b.next().payload()));
      assertTrue(b.quietFor(300).isEmpty(), "each once");
    }
  }

  @Test
  void aNodeStartedWhileRedisIsDownConnectsWhenItComesUp() throws Exception {
    String prefix = "s" + UUID.randomUUID().toString().substring(0, 8);
    REDIS.stop();
    TestNode late = null;
    try {
      long t0 = System.nanoTime();
      late = TestNode.start(settings(prefix, "late"));
      long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(startMs < 500, "start returned after " + startMs + " ms");
      late.hold(edn("[\"u1\" :counter]"));
      assertEquals(BackplaneException.CONNECT, late.nextError().op(), "the failed connect is told");
      assertFalse(late.backplane.connected());
      Thread.sleep(1500);
    } finally {
      REDIS.start();
    }
    try (TestNode node = late;
        TestNode other = TestNode.connected(settings(prefix, "other"))) {
      node.awaitConnected();
      eventually(Duration.ofSeconds(5), () -> other.backplane.keys(edn("[:* :counter]")).size() == 1,
          "the late node's key is registered");
      assertEquals(1, send(other, edn("[\"u1\" :counter]"), "hi").get(2, TimeUnit.SECONDS));
      assertEquals("hi", node.next().payload());
    }
  }

  @Test
  void aFrozenRedisFailsSendsWithinTheTimeoutAndNothingHangs() throws Exception {
    String prefix = "f" + UUID.randomUUID().toString().substring(0, 8);
    try (TestNode a = TestNode.connected(settings(prefix, "a"));
        TestNode b = TestNode.connected(settings(prefix, "b"))) {
      Object key = edn("[\"u1\" :counter]");
      b.hold(key);
      eventually(Duration.ofSeconds(5), () -> a.backplane.keys(key).size() == 1, "B's key is listed");
      REDIS.signal("STOP");
      long worst = 0;
      try {
        for (int i = 0; i < 3; i++) {
          long t0 = System.nanoTime();
          CompletableFuture<Integer> s = send(a, key, "frozen " + i);
          assertThrows(ExecutionException.class, () -> s.get(FAIL_FAST_MS, TimeUnit.MILLISECONDS));
          long t1 = System.nanoTime();
          assertThrows(BackplaneException.class, () -> a.backplane.keys(edn("[:* :*]")));
          worst = Math.max(worst, Math.max(t1 - t0, System.nanoTime() - t1));
        }
      } finally {
        REDIS.signal("CONT");
      }
      long worstMs = TimeUnit.NANOSECONDS.toMillis(worst);
      assertTrue(worstMs < FAIL_FAST_MS, "slowest failure " + worstMs + " ms");
      // Frozen longer than the lease: on waking, Redis runs the refreshes it had queued and
      // each node may find the other given up; both heal by themselves (re-sync), and sends
      // that timed out may still be delivered then (at most once), but none twice.
      long wokeAt = System.nanoTime();
      int[] n = {0};
      eventually(Duration.ofSeconds(5),
          () -> send(a, key, "awake " + n[0]++).join() == 1, "routes are back after the freeze");
      long healedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wokeAt);
      System.out.printf("Redis frozen 3 s: slowest failure %d ms; routing healed %d ms after it"
          + " woke%n", worstMs, healedMs);
      Set<Object> got = new HashSet<>();
      for (TestNode.Delivery d : b.quietFor(500)) assertTrue(got.add(d.payload()), "twice: " + d);
      assertTrue(got.contains("awake " + (n[0] - 1)), "the send that found the route arrived");
    }
  }

  private static CompletableFuture<Integer> send(TestNode from, Object key, Object payload) {
    return from.backplane.send(key, payload).toCompletableFuture();
  }
}
