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
  static final int CONCURRENT_PUSHES = 32_000;

  private final PrintStream out;
  private final RedisMeter meter;
  private final CapacityNodes nodes;

  CapacityTraffic(PrintStream out, RedisMeter meter, CapacityNodes nodes) {
    this.out = out;
    this.meter = meter;
    this.nodes = nodes;
  }

  void run() throws Exception {
    pushes("d1", 100, true);
    pushes("d2", null, true);
    pushes("d3", 100, false);
    pushes("d4", null, false);
    concurrent("d5", 100);
    concurrent("d6", null);
    broadcasts("e1", 100);
    broadcasts("e2", null);
    lifecycle();
  }

  /**
   * d: P pushes from node A to one key, held by a stream on node B and, when {@code both}, on A
   * too; with replay ({@code events}) or without.
   */
  private void pushes(String prefix, @Nullable Integer events, boolean both) throws Exception {
    CountingWriter wa = new CountingWriter();
    CountingWriter wb = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-a", wa, events, QUIET_LEASE);
    CaffeineStore b = nodes.node(prefix, "node-b", wb, events, QUIET_LEASE);
    Object key = key(1);
    b.store(key, new Object());
    if (both) a.store(key, new Object());
    Thread.sleep(1_000);
    for (int i = 0; i < 100; i++) a.send(key, CapacityNodes.elements(i)); // the first log entry, scripts warm
    wb.await(100, 30);
    Thread.sleep(200);
    RedisInfo before = meter.read();
    for (int i = 0; i < PUSHES; i++) a.send(key, CapacityNodes.elements(i));
    wb.await(100 + PUSHES, 120);
    if (both) wa.await(100 + PUSHES, 120);
    Thread.sleep(200);
    RedisInfo after = meter.read();
    String how = events == null ? "without replay (send.lua, the local write needs no Redis)" : "with replay (append.lua)";
    String where = both ? "held on 2 nodes, A and B" : "held on B only";
    meter.print(before, after, "d. " + PUSHES + " pushes of a patch-elements event from node A to a key " + where + ", " + how, PUSHES, "push");
    out.printf("  check: B's stream got %d (%d with an id), A's %d%n", wb.written(), wb.withId(), wa.written());
    if (!both && events != null) holders(a, key);
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /**
   * d, under load: {@value #THREADS} threads of node A push at once, each to a key of its own held
   * on both nodes, as a busy app's requests do: Redis's CPU per push when the shared connection
   * carries many commands at a time, and the pushes per second this machine reaches.
   */
  private void concurrent(String prefix, @Nullable Integer events) throws Exception {
    CountingWriter wa = new CountingWriter();
    CountingWriter wb = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-a", wa, events, QUIET_LEASE);
    CaffeineStore b = nodes.node(prefix, "node-b", wb, events, QUIET_LEASE);
    CapacityNodes.hold(a, 0, THREADS);
    CapacityNodes.hold(b, 0, THREADS);
    Thread.sleep(1_000);
    int each = CONCURRENT_PUSHES / THREADS;
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
      wb.await((long) each * THREADS, 300);
      wa.await((long) each * THREADS, 300);
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(200);
      RedisInfo after = meter.read();
      String how = events == null ? "without replay" : "with replay";
      meter.print(before, after, "d. " + each * THREADS + " pushes from " + THREADS + " threads of node A at once, each to its own key held on A and B, " + how, (long) each * THREADS, "push");
      out.printf("  check: %.2f s from the first push to the last delivery on both nodes: %.0f pushes/s (two JVM nodes and Redis share this machine's 2 cores)%n",
          seconds, each * THREADS / seconds);
    } finally {
      pool.shutdownNow();
    }
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /** The query a keyed response with no stream here makes with replay: does another node hold the key? */
  private void holders(CaffeineStore a, Object key) {
    int n = 1_000;
    RedisInfo before = meter.read();
    for (int i = 0; i < n; i++) {
      if (a.policy().cluster().orElseThrow().keys(key).isEmpty()) throw new IllegalStateException("B holds the key");
    }
    RedisInfo after = meter.read();
    meter.print(before, after, "d'. " + n + " holder queries of one key (cluster keys(key): holders.lua), as a keyed response with no stream here makes one with replay", n, "query");
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
    String how = events == null ? "without replay (one PUBLISH to P:all)" : "with replay (broadcast.lua, then each node appends for its keys with the token)";
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
