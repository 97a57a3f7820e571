package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.java.api.Clojure;
import clojure.lang.Keyword;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three nodes in one JVM on one real Redis: routing, broadcast, the directory, the data check, the
 * size cap at both ends, refusal of messages that are not plain EDN, order, isolation by prefix,
 * and a latency figure. Each test has a prefix of its own, so tests never see each other.
 */
class BackplaneTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  static final Object EFFECTS =
      edn("[[:datastar.wow/patch-signals {:count 3}] [:my.app/thing \"x\" 1]]");

  private final List<TestNode> nodes = new ArrayList<>();
  private String prefix;
  private TestNode a;
  private TestNode b;
  private TestNode c;

  @BeforeEach
  void threeNodes() {
    prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    a = node("a", 1 << 20);
    b = node("b", 1 << 20);
    c = node("c", 1 << 20);
    for (TestNode n : nodes) n.awaitConnected();
  }

  @AfterEach
  void close() {
    for (TestNode n : nodes) n.close();
  }

  private TestNode node(String id, int maxBytes) {
    return node(prefix, id, maxBytes);
  }

  private TestNode node(String prefix, String id, int maxBytes) {
    TestNode n =
        TestNode.start(
            ClusterSettings.builder(REDIS.uri())
                .prefix(prefix)
                .node(id)
                .lease(Duration.ofSeconds(2))
                .maxMessageBytes(maxBytes)
                .build());
    nodes.add(n);
    return n;
  }

  private static int sent(java.util.concurrent.CompletionStage<Integer> stage) throws Exception {
    return stage.toCompletableFuture().get(2, TimeUnit.SECONDS);
  }

  private static void awaitCount(TestNode n, Object pattern, long expected) {
    eventually(
        Duration.ofSeconds(5),
        () -> n.backplane.keys(pattern).size() == expected,
        n.backplane.node() + " counts " + expected + " keys matching " + pattern);
  }

  @Test
  void aSendReachesOnlyTheNodesHoldingTheKey() throws Exception {
    Object key = edn("[\"user-1\" :demo/counter]");
    b.hold(key);
    awaitCount(a, key, 1);

    assertEquals(1, sent(a.backplane.send(key, EFFECTS)), "published to B only");
    TestNode.Delivery d = b.next();
    assertEquals(key, d.target());
    assertFalse(d.isPattern());
    assertEquals(EFFECTS, d.payload(), "the effects arrive equal");
    assertEquals("a", d.from());
    assertTrue(c.quietFor(300).isEmpty(), "C holds no stream under the key: it gets nothing");
    assertTrue(a.quietFor(0).isEmpty(), "the sender gets nothing");

    // A holds the key too: a send still goes to the other holders only
    a.hold(key);
    awaitCount(c, edn("[:* :*]"), 1);
    assertEquals(1, sent(a.backplane.send(key, EFFECTS)));
    assertEquals(EFFECTS, b.next().payload());
    assertTrue(a.quietFor(300).isEmpty(), "never to the sender itself");

    // a key held nowhere else: published to nobody
    assertEquals(0, sent(a.backplane.send(edn("[\"user-2\" :demo/counter]"), EFFECTS)));
    assertTrue(b.quietFor(200).isEmpty() && c.quietFor(0).isEmpty());
  }

  @Test
  void equalKeysOfOtherTypesMeet() throws Exception {
    // Clojure equality: a list equals a vector, 1 equals 1N, map order does not matter
    b.hold(edn("[1 {:a 1, :b 2} #{:x :y}]"));
    Object sameKey = Clojure.read("(1N {:b 2 :a 1} #{:y :x})");
    awaitCount(a, sameKey, 1);
    assertEquals(1, sent(a.backplane.send(sameKey, 42L)));
    assertEquals(edn("[1 {:a 1, :b 2} #{:x :y}]"), b.next().target());
  }

  @Test
  void aBroadcastReachesEveryOtherNodeAndNeverTheSender() throws Exception {
    Object pattern = edn("[:* :demo/counter]");
    assertEquals(2, sent(a.backplane.broadcast(pattern, EFFECTS)), "B and C");
    for (TestNode n : List.of(b, c)) {
      TestNode.Delivery d = n.next();
      assertEquals(pattern, d.target());
      assertTrue(d.isPattern());
      assertEquals(EFFECTS, d.payload());
      assertEquals("a", d.from());
    }
    assertTrue(a.quietFor(300).isEmpty(), "the sender does not hear its own broadcast");
  }

  @Test
  void theDirectoryAnswersForTheWholeCluster() throws Exception {
    a.hold(edn("[1 :counter]"));
    b.hold(edn("[2 :counter]"));
    b.hold(edn("[2 :panel]"));
    c.hold(edn("[1 :counter]")); // the same key on two nodes counts once
    awaitCount(c, Keyword.intern("*"), 3);

    assertEquals(
        Set.of(edn("[1 :counter]"), edn("[2 :counter]")),
        new HashSet<>(a.backplane.keys(edn("[:* :counter]"))));
    assertEquals(2, b.backplane.keys(edn("[:* :counter]")).size());
    assertEquals(1, a.backplane.keys(edn("[2 :panel]")).size(), "an exact key");
    assertEquals(0, a.backplane.keys(edn("[3 :panel]")).size());
    assertEquals(
        Set.of(edn("[2 :counter]"), edn("[2 :panel]")),
        new HashSet<>(c.backplane.keys(edn("[2 :*]"))));

    // unregister: B's last stream under [2 :counter] closes
    b.release(edn("[2 :counter]"));
    awaitCount(a, edn("[:* :counter]"), 1);
    assertEquals(0, sent(a.backplane.send(edn("[2 :counter]"), EFFECTS)), "no route any more");
    assertEquals(2, sent(b.backplane.send(edn("[1 :counter]"), EFFECTS)), "A and C still hold it");

    // a closed node leaves the directory at once
    c.close();
    awaitCount(b, edn("[:* :counter]"), 1);
    assertEquals(1, sent(b.backplane.send(edn("[1 :counter]"), EFFECTS)), "A only");
  }

  @Test
  void aPayloadThatIsNotDataFailsAtTheSenderWithItsPath() throws Exception {
    Object key = edn("[1 :counter]");
    b.hold(key);
    awaitCount(a, key, 1);
    Object fn = ((clojure.lang.IDeref) Clojure.var("clojure.core", "inc")).deref();
    Object effects =
        Clojure.var("clojure.core", "vector")
            .invoke(
                edn("[:datastar.wow/patch-signals {:count 3}]"),
                Clojure.var("clojure.core", "vector")
                    .invoke(Keyword.intern("my.app", "thing"), "x",
                        Clojure.var("clojure.core", "hash-map")
                            .invoke(Keyword.intern("on-click"), fn)));

    InvalidPayloadException e =
        assertThrows(InvalidPayloadException.class, () -> a.backplane.send(key, effects));
    assertEquals(edn("[1 2 :on-click]"), e.path());
    assertEquals(fn, e.value());
    assertTrue(e.getMessage().contains("[1 2 :on-click]"), e.getMessage());
    assertTrue(e.getMessage().contains("function"), e.getMessage());
    assertEquals("payload", e.getData().valAt(Keyword.intern("input")));
    assertEquals("payload", e.input());

    Object atom = Clojure.var("clojure.core", "atom").invoke(1L);
    InvalidPayloadException inBroadcast =
        assertThrows(
            InvalidPayloadException.class,
            () -> a.backplane.broadcast(Keyword.intern("*"), List.of(1L, atom)));
    assertEquals(edn("[1]"), inBroadcast.path());

    assertTrue(b.quietFor(300).isEmpty(), "nothing was sent, not even a part");
    assertTrue(c.quietFor(0).isEmpty());
    assertTrue(a.errors.isEmpty(), "a refused payload is thrown, not reported: " + a.errors);
  }

  @Test
  void theSizeCapHoldsAtTheSender() throws Exception {
    TestNode small = node("small", 4096);
    small.awaitConnected();
    Object key = edn("[1 :counter]");
    b.hold(key);
    awaitCount(small, key, 1);
    String big = "x".repeat(5000);
    InvalidPayloadException e =
        assertThrows(InvalidPayloadException.class, () -> small.backplane.send(key, List.of(big)));
    assertTrue(e.getMessage().contains(":max-message-bytes 4096"), e.getMessage());
    // an endless lazy seq stops at the cap instead of filling the heap
    Object endless = Clojure.var("clojure.core", "range").invoke();
    assertThrows(InvalidPayloadException.class, () -> small.backplane.send(key, endless));
    assertEquals(1, sent(small.backplane.send(key, List.of("x".repeat(3000)))), "under the cap");
    assertEquals(List.of("x".repeat(3000)), b.next().payload());
    assertTrue(b.quietFor(200).isEmpty(), "only the one under the cap arrived");
  }

  @Test
  @SuppressWarnings("JavaUtilDate") // #inst reads as a java.util.Date
  void aReceiverRefusesAndReportsWhatIsTooLargeOrNotPlainEdn() throws Exception {
    TestNode small = node("small", 4096);
    small.awaitConnected();
    String channel = prefix + ":to:small";
    RedisClient client = RedisClient.create(REDIS.uri());
    try (StatefulRedisConnection<String, String> raw = client.connect()) {
      // larger than the receiver's cap: refused unread
      String large = "{:v 1, :from \"x\", :key 1, :payload \"" + "y".repeat(5000) + "\"}";
      raw.sync().publish(channel, large);
      BackplaneException tooLarge = small.nextError(BackplaneException.RECEIVE);
      assertTrue(tooLarge.getMessage().contains("over :max-message-bytes 4096"), tooLarge.getMessage());
      assertEquals(
          (long) large.length(),
          tooLarge.getData().valAt(Keyword.intern("bytes")));

      List<String> hostile =
          List.of(
              "not edn ((",
              "{:v 1, :from \"x\", :key 1, :payload #java.util.Date[0]}",
              "{:v 1, :from \"x\", :key 1, :payload #=(java.lang.System/exit 1)}",
              "{:v 1, :from \"x\", :key 1, :payload #my/tag {:a 1}}",
              "{:v 1, :from \"x\", :key 1, :payload #datastar.wow.deacon.cluster.Evil{}}",
              "[:v 1]",
              "{:v 2, :from \"x\", :key 1, :payload 1}",
              "{:v 1, :key 1, :payload 1}",
              "{:v 1, :from \"x\", :key 1, :pattern 1, :payload 1}",
              "{:v 1, :from \"x\", :pattern 1, :payload 1}",
              "{:v 1, :from \"x\", :key 1, :payload 1} {:v 1}");
      for (String message : hostile) {
        raw.sync().publish(channel, message);
        BackplaneException e = small.nextError(BackplaneException.RECEIVE);
        assertTrue(e.getMessage().startsWith("datastar.wow.deacon.cluster: refused a message on "
            + channel), message + " => " + e.getMessage());
      }
      assertTrue(small.quietFor(300).isEmpty(), "none of them was delivered");

      // the node still takes plain data, #inst and #uuid included
      raw.sync().publish(channel,
          "{:v 1, :from \"x\", :key 1, :payload [#inst \"2026-01-02T03:04:05.006-00:00\""
              + " #uuid \"00000000-0000-0000-0000-000000000001\"]}");
      TestNode.Delivery d = small.next();
      assertEquals(
          List.of(new java.util.Date(1767323045006L), new UUID(0, 1)),
          d.payload());
    }
    // bytes that are not UTF-8 text are refused, not fatal
    try (StatefulRedisConnection<byte[], byte[]> bytes = client.connect(ByteArrayCodec.INSTANCE)) {
      bytes.sync().publish(channel.getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
      small.nextError(BackplaneException.RECEIVE);
      assertTrue(small.quietFor(100).isEmpty());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void messagesFromOneSenderToOneKeyArriveInOrderOnce() throws Exception {
    Object key = edn("[1 :counter]");
    b.hold(key);
    awaitCount(a, key, 1);
    int n = 2000;
    int window = 100; // sends in flight at once
    List<java.util.concurrent.CompletableFuture<Integer>> stages = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      if (i >= window) assertEquals(1, stages.get((int) (i - window)).get(5, TimeUnit.SECONDS));
      stages.add(a.backplane.send(key, i).toCompletableFuture());
    }
    for (var s : stages) assertEquals(1, s.get(5, TimeUnit.SECONDS));
    for (long i = 0; i < n; i++) assertEquals(i, b.next().payload());
    assertTrue(b.quietFor(300).isEmpty(), "nothing twice");
  }

  @Test
  void appsWithOtherPrefixesNeverMeet() throws Exception {
    // the same node ids and keys under another prefix, on the same Redis
    String other = prefix + "-other";
    TestNode otherA = node(other, "a", 1 << 20);
    TestNode otherB = node(other, "b", 1 << 20);
    otherA.awaitConnected();
    otherB.awaitConnected();
    Object key = edn("[1 :counter]");
    b.hold(key);
    otherB.hold(key);
    otherB.hold(edn("[2 :counter]"));
    awaitCount(a, key, 1);
    awaitCount(otherA, edn("[:* :counter]"), 2);

    assertEquals(1, a.backplane.keys(edn("[:* :counter]")).size(), "only its own app's keys");
    assertEquals(1, sent(a.backplane.send(key, "mine")));
    assertEquals("mine", b.next().payload());
    assertEquals(2, sent(a.backplane.broadcast(Keyword.intern("*"), "all of mine")));
    assertEquals("all of mine", c.next().payload());
    assertEquals("all of mine", b.next().payload());
    assertTrue(otherA.quietFor(300).isEmpty() && otherB.quietFor(0).isEmpty(),
        "the other app saw nothing");
  }

  @Test
  void latencyOfARoutedSend() throws Exception {
    Object key = edn("[\"user-1\" :demo/counter]");
    b.hold(key);
    awaitCount(a, key, 1);
    int warmup = 300;
    int n = 2000;
    long[] micros = new long[n];
    for (int i = -warmup; i < n; i++) {
      long t0 = System.nanoTime();
      a.backplane.send(key, EFFECTS);
      b.next();
      if (i >= 0) micros[i] = (System.nanoTime() - t0) / 1000;
    }
    Arrays.sort(micros);
    long p50 = micros[n / 2];
    long p99 = micros[n * 99 / 100];
    System.out.printf(
        "backplane send A -> B through Redis on loopback, %d sends: p50 %d us, p99 %d us, max %d us%n",
        n, p50, p99, micros[n - 1]);
    assertTrue(p99 < 100_000, "p99 " + p99 + " us");
  }
}
