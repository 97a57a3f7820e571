package datastar.wow.deacon.bench;

import static datastar.wow.deacon.bench.CapacityNodes.ALL_FEEDS;
import static datastar.wow.deacon.bench.CapacityNodes.QUIET_LEASE;
import static datastar.wow.deacon.bench.CapacityNodes.key;
import static datastar.wow.deacon.bench.CapacityNodes.keyEdn;

import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.cluster.ClusterSettings;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The traffic half of {@link RedisCapacity}: pushes to one key from one node (d), broadcasts to a
 * pattern (e), and what a node costs Redis when it joins, idles and leaves, and when another
 * node's lease cleans up after it died (f).
 */
final class CapacityTraffic {
  static final int PUSHES = 10_000;
  static final int BROADCASTS = 3_000;
  static final int BROADCAST_KEYS = 10;
  static final int THREADS = 16;

  private final PrintStream out;
  private final RedisMeter meter;
  private final CapacityNodes nodes;

  CapacityTraffic(PrintStream out, RedisMeter meter, CapacityNodes nodes) {
    this.out = out;
    this.meter = meter;
    this.nodes = nodes;
  }

  void run() throws Exception {
    for (int holders : new int[] {1, 2, 4}) {
      pushes("d" + holders + "r", 100, holders, true);
      pushes("d" + holders + "p", null, holders, true);
    }
    pushes("dbr", 100, 1, false);
    pushes("dbp", null, 1, false);
    concurrent("d5", 100, 4_000);
    concurrent("d6", null, 4_000);
    concurrent("d7", 100, 32_000);
    concurrent("d8", null, 32_000);
    broadcasts("e1", 100);
    broadcasts("e2", null);
    lifecycle();
  }

  /**
   * d: {@value #PUSHES} pushes from node A to one key held by one stream on each of {@code
   * holders} nodes, A among them when {@code pusherHolds} (else A holds nothing and the others
   * do); with replay ({@code events} kept per key) or without.
   */
  private void pushes(String prefix, @Nullable Integer events, int holders, boolean pusherHolds) throws Exception {
    CountingWriter wa = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-a", wa, events, QUIET_LEASE);
    List<CountingWriter> held = new ArrayList<>();
    Object key = key(1);
    if (pusherHolds) {
      a.store(key, new Object());
      held.add(wa);
    }
    for (int i = held.size(); i < holders; i++) {
      CountingWriter w = new CountingWriter();
      nodes.node(prefix, "node-" + (char) ('b' + i - (pusherHolds ? 1 : 0)), w, events, QUIET_LEASE).store(key, new Object());
      held.add(w);
    }
    Thread.sleep(1_000);
    for (int i = 0; i < 100; i++) a.send(key, CapacityNodes.elements(i)); // the log's first entry, scripts warm
    for (CountingWriter w : held) w.await(100, 30);
    Thread.sleep(200);
    RedisInfo before = meter.read();
    for (int i = 0; i < PUSHES; i++) a.send(key, CapacityNodes.elements(i));
    for (CountingWriter w : held) w.await(100 + PUSHES, 120);
    Thread.sleep(200);
    RedisInfo after = meter.read();
    String how = events == null
        ? "without replay (send.lua, not waited for; the pushing node writes its own stream)"
        : "with replay (relay.lua to the other holders, then each holder appends with the push's token: append.lua)";
    String where = pusherHolds ? "held on " + holders + " node(s), A among them" : "held on B only, not on A";
    meter.print(before, after, "d. " + PUSHES + " pushes of a patch-elements event from node A to a key " + where + ", " + how, PUSHES, "push");
    StringBuilder got = new StringBuilder();
    for (CountingWriter w : held) got.append(' ').append(w.written()).append(" (").append(w.withId()).append(" with an id)");
    out.printf("  check: the holders' streams got%s%n", got);
    if (events != null) tokens(prefix);
    if (!pusherHolds && events != null) holders(a, key);
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /**
   * d, under load: {@value #THREADS} threads of node A push at once, {@code pushes} in all, each
   * thread to a key of its own held on both nodes, as a busy app's requests do: Redis's CPU per
   * push when the shared connection carries many commands at a time, the pushes per second this
   * machine reaches, and whether every stream got every push (a node whose inbox falls 10,000
   * messages behind drops messages, and the library logs it).
   */
  private void concurrent(String prefix, @Nullable Integer events, int pushes) throws Exception {
    CountingWriter wa = new CountingWriter();
    CountingWriter wb = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-a", wa, events, QUIET_LEASE);
    CaffeineStore b = nodes.node(prefix, "node-b", wb, events, QUIET_LEASE);
    CapacityNodes.hold(a, 0, THREADS);
    CapacityNodes.hold(b, 0, THREADS);
    Thread.sleep(1_000);
    int each = pushes / THREADS;
    long all = (long) each * THREADS;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      RedisInfo before = meter.read();
      long start = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Object key = key(t);
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) a.send(key, CapacityNodes.elements(i));
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
      double sent = (System.nanoTime() - start) / 1e9;
      boolean complete = wb.reached(all, 30) & wa.reached(all, 30);
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(200);
      RedisInfo after = meter.read();
      String how = events == null ? "without replay" : "with replay";
      meter.print(before, after, "d. " + all + " pushes from " + THREADS + " threads of node A at once, each to its own key held on A and B, " + how, all, "push");
      if (complete) {
        out.printf("  check: every stream got every push; %.2f s from the first push to the last delivery on both nodes: %.0f pushes/s (A's threads done in %.2f s; two JVM nodes and Redis share this machine's 2 cores)%n",
            seconds, all / seconds, sent);
      } else {
        out.printf("  check: NOT every push arrived within 30 s: A's streams got %d, B's %d, of %d each; A's threads pushed them in %.2f s (%.0f pushes/s)%n",
            wa.written(), wb.written(), all, sent, all / sent);
      }
    } finally {
      pool.shutdownNow();
    }
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /** What replay's pushes leave in Redis for the window: the token marks, P:bc and the key's log. */
  private void tokens(String prefix) {
    long once = 0;
    String one = null;
    for (ScanIterator<String> it = ScanIterator.scan(meter.redis, ScanArgs.Builder.matches(prefix + ":once:*").limit(1000)); it.hasNext(); ) {
      String k = it.next();
      if (one == null) one = k;
      once++;
    }
    out.printf("  check: %d keys %s:once:* (token marks, one per push and key, kept for the window), one is %d B, PTTL %d ms;"
            + " XLEN %s:bc = %d, MEMORY USAGE %d B; the key's log: XLEN %d, MEMORY USAGE %d B%n",
        once, prefix, one == null ? 0 : meter.redis.memoryUsage(one), one == null ? 0 : meter.redis.pttl(one),
        prefix, meter.redis.xlen(prefix + ":bc"), meter.redis.memoryUsage(prefix + ":bc"),
        meter.redis.xlen(prefix + ":ev:" + keyEdn(1)), meter.redis.memoryUsage(prefix + ":ev:" + keyEdn(1)));
  }

  /** A look-up of a key with no stream here: do other nodes hold it? (cluster keys(key): holders.lua) */
  private void holders(CaffeineStore a, Object key) {
    int n = 1_000;
    RedisInfo before = meter.read();
    for (int i = 0; i < n; i++) {
      if (a.policy().cluster().orElseThrow().keys(key).isEmpty()) throw new IllegalStateException("B holds the key");
    }
    RedisInfo after = meter.read();
    meter.print(before, after, "d'. " + n + " look-ups of a key held on another node only (cluster keys(key): holders.lua)", n, "query");
  }

  /** e: broadcasts from A to every user's feed, M keys held on both A and B. */
  private void broadcasts(String prefix, @Nullable Integer events) throws Exception {
    CountingWriter wa = new CountingWriter();
    CountingWriter wb = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-a", wa, events, QUIET_LEASE);
    CaffeineStore b = nodes.node(prefix, "node-b", wb, events, QUIET_LEASE);
    for (int i = 0; i < BROADCAST_KEYS; i++) {
      a.store(key(i), new Object());
      b.store(key(i), new Object());
    }
    Thread.sleep(1_000);
    RedisInfo before = meter.read();
    for (int i = 0; i < BROADCASTS; i++) a.send(ALL_FEEDS, CapacityNodes.elements(i));
    long each = (long) BROADCASTS * BROADCAST_KEYS;
    wa.await(each, 300);
    wb.await(each, 300);
    Thread.sleep(1_000);
    RedisInfo after = meter.read();
    String how = events == null ? "without replay (one PUBLISH to P:all)" : "with replay (relay.lua to P:bc and P:all, then each node appends for its keys with the push's token: append.lua)";
    meter.print(before, after, "e. " + BROADCASTS + " broadcasts of a patch-elements event to [:* :app/feed], " + BROADCAST_KEYS + " keys held on both nodes A and B, " + how, BROADCASTS, "broadcast");
    out.printf("  check: A's streams got %d, B's %d (%d each expected)%n", wa.written(), wb.written(), each);
    if (events != null) {
      long once = 0;
      String oneOnce = null;
      for (ScanIterator<String> it = ScanIterator.scan(meter.redis, ScanArgs.Builder.matches(prefix + ":once:*").limit(1000)); it.hasNext(); ) {
        String k = it.next();
        if (oneOnce == null) oneOnce = k;
        once++;
      }
      out.printf("  check: XLEN %s:bc = %d (MAXLEN ~ 1000), MEMORY USAGE %d B; %d keys %s:once:* (%.2f per broadcast), one is %d B, PTTL %d ms; log of one key: XLEN %d, %d B%n",
          prefix, meter.redis.xlen(prefix + ":bc"), meter.redis.memoryUsage(prefix + ":bc"), once, prefix,
          once / (double) BROADCASTS, oneOnce == null ? 0 : meter.redis.memoryUsage(oneOnce),
          oneOnce == null ? 0 : meter.redis.pttl(oneOnce), meter.redis.xlen(prefix + ":ev:" + keyEdn(0)),
          meter.redis.memoryUsage(prefix + ":ev:" + keyEdn(0)));
    }
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /** f: a node joins, two idle with the default lease, one leaves with its keys, a dead one is cleaned. */
  private void lifecycle() throws Exception {
    RedisInfo quiet = meter.read();
    Thread.sleep(30_000);
    RedisInfo quieted = meter.read();
    meter.print(quiet, quieted, "f. the server alone, no node, for 30 s (its own timers); per second", 30, "second");
    RedisInfo before = meter.read();
    CaffeineStore f1 = nodes.node("f", "node-f1", new CountingWriter(), 100, ClusterSettings.DEFAULT_LEASE);
    Thread.sleep(1_000);
    RedisInfo joined = meter.read();
    meter.print(before, joined, "f. a node joins (scripts loaded, lease taken, channels subscribed), holding no key", 1, "node");
    CaffeineStore f2 = nodes.node("f", "node-f2", new CountingWriter(), 100, ClusterSettings.DEFAULT_LEASE);
    int k = 1_000;
    for (int i = 0; i < k; i++) f1.store(key(i), new Object());
    Thread.sleep(2_000);
    int seconds = 60;
    RedisInfo idle = meter.read();
    Thread.sleep(seconds * 1_000L);
    RedisInfo idled = meter.read();
    meter.print(idle, idled, "f. two nodes idle for " + seconds + " s with the default lease (15 s: a refresh every 5 s), one holding " + k + " keys; per node-second", 2L * seconds, "node-second");
    RedisInfo leaving = meter.read();
    f1.close();
    Thread.sleep(1_000);
    RedisInfo left = meter.read();
    meter.print(leaving, left, "f. a node holding " + k + " keys leaves (close: its lease given up, its keys removed and marked recent)", k, "key");
    // a node that died: its lease ended and its keys are still listed; the next refresh of f2 cleans them
    String ghost = "node-gone";
    for (int i = 0; i < k; i++) {
      meter.redis.sadd("f:held:" + ghost, keyEdn(i));
      meter.redis.sadd("f:key:" + keyEdn(i), ghost);
    }
    meter.redis.zadd("f:nodes", 1.0, ghost); // last: no refresh sees the node before its keys
    RedisInfo dead = meter.read();
    Thread.sleep(6_000);
    RedisInfo cleaned = meter.read();
    meter.print(dead, cleaned, "f. a dead node's " + k + " keys removed by another node's lease refreshes (lease.lua, at most 1000 keys a refresh), with the refresh itself", k, "key");
    out.printf("  check: EXISTS f:held:%s = %d, f:dead members %d, f2 connected %s%n",
        ghost, meter.redis.exists("f:held:" + ghost), meter.redis.scard("f:dead"), f2.policy().cluster().orElseThrow().connected());
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }
}
