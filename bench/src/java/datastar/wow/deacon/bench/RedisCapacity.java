package datastar.wow.deacon.bench;

import static datastar.wow.deacon.bench.CapacityNodes.QUIET_LEASE;
import static datastar.wow.deacon.bench.CapacityNodes.key;
import static datastar.wow.deacon.bench.CapacityNodes.keyEdn;

import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.cluster.ClusterSettings;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.io.PrintStream;
import java.util.List;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * What the cluster's directory, shared history, pushes and broadcasts cost one Redis, measured
 * with {@code INFO all} before and after runs of known size (see {@link RedisMeter}), on a {@code
 * redis-server} of its own on loopback without persistence. Run by {@code bench/capacity}; the
 * figures of {@code doc/several-nodes.md} ("Capacity, and past one Redis") come from its output.
 *
 * <ol>
 *   <li>a: K keys, each held by one stream on one node, no events: the directory per key; then
 *       the same keys released (a recent mark each, for the window);
 *   <li>b: K keys × E events, for two sizes of event: per key's log and per kept event;
 *   <li>c: logs past their bound (more events than kept): what {@code MAXLEN ~} leaves;
 *   <li>d: P pushes to a key held on 1, 2 and 4 nodes, or on another node only, with and without
 *       replay; a look-up of a key held elsewhere; pushes from many threads at once;
 *   <li>e: broadcasts to a pattern, with and without replay, and {@code P:bc} at its cap;
 *   <li>f: a node joining, idling (its lease) and leaving with its keys;
 *   <li>g: sharded pub/sub, as Redis Cluster would need it (see {@link ShardedChannels}).
 * </ol>
 *
 * Then {@code redis-benchmark} on the same server: simple commands, and the append script alone.
 */
public final class RedisCapacity {
  private final PrintStream out;
  private final RedisProcess server;
  private final RedisMeter meter;
  private final CapacityNodes nodes;

  private RedisCapacity(PrintStream out, RedisProcess server) {
    this.out = out;
    this.server = server;
    this.meter = new RedisMeter(server.uri(), out);
    this.nodes = new CapacityNodes(server.uri());
  }

  /**
   * Runs every measurement and prints it.
   *
   * @param args none
   * @throws Exception when Redis cannot be started or a run does not complete
   */
  public static void main(String[] args) throws Exception {
    RedisProcess server = RedisProcess.start();
    try {
      RedisCapacity c = new RedisCapacity(System.out, server);
      try {
        c.run();
      } finally {
        c.nodes.closeAll();
        c.meter.close();
      }
    } finally {
      server.stop();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    header();
    meter.calibrate();
    directory("a", 100, 10_000);
    directory("a0", null, 10_000);
    history("b-el", "patch-elements", CapacityNodes::elements, 1_000, 50);
    history("b-sig", "patch-signals", CapacityNodes::signals, 1_000, 50);
    bound("c1", "patch-elements", CapacityNodes::elements, 100, 50, 600);
    bound("c2", "patch-signals", CapacityNodes::signals, 100, 50, 600);
    bound("c3", "patch-elements", CapacityNodes::elements, 10, 50, 300);
    bound("c4", "patch-signals", CapacityNodes::signals, 10, 50, 300);
    new CapacityTraffic(out, meter, nodes).run();
    new ShardedChannels(out, meter, server.uri()).run();
    new RedisBenchmark(out, meter, server).run();
  }

  private void header() {
    out.println("# Redis capacity of datastar.wow.deacon's cluster, measured with INFO before and after runs of known size");
    RedisInfo info = meter.read();
    out.printf("redis_version %s, used_memory of the empty server %d B%n",
        meter.redis.info("server").lines().filter(l -> l.startsWith("redis_version")).findFirst().orElse("?"),
        info.number("used_memory"));
    for (String p : List.of("stream-node-max-bytes", "stream-node-max-entries", "set-max-intset-entries",
        "set-max-listpack-entries", "maxmemory", "save", "appendonly")) {
      out.printf("config %s = %s%n", p, meter.redis.configGet(p).get(p));
    }
    out.printf("names: prefix of 1-5 letters, node ids of 6-7 letters; keys [\"user-NNNNN\" :app/feed], %d bytes of EDN%n",
        keyEdn(0).length());
    out.printf("replay window %s; lease %s in runs a-e (a refresh every 20 s), the default %s in f%n",
        CapacityNodes.WINDOW, QUIET_LEASE, ClusterSettings.DEFAULT_LEASE);
    out.println();
  }

  /**
   * a: K keys held by one stream each on one node, stored at a pace Redis keeps up with (100 keys,
   * then 20 ms), then released; then K more keys stored at once, to show what a burst costs.
   */
  private void directory(String p, @Nullable Integer events, int k) throws Exception {
    CountingWriter w = new CountingWriter();
    CaffeineStore a = nodes.node(p, "node-a", w, events, QUIET_LEASE);
    String how = events == null ? ", without replay" : ", with replay";
    Object[] streams = new Object[k];
    Thread.sleep(500);
    RedisInfo before = meter.read();
    for (int i = 0; i < k; i++) {
      streams[i] = new Object();
      a.store(key(i), streams[i]);
      if (i % 100 == 99) Thread.sleep(20);
    }
    Thread.sleep(2_000);
    RedisInfo held = meter.read();
    meter.print(before, held, "a. " + k + " keys, each held by one stream on one node, 100 stored every 20 ms (directory: P:held:<node> and P:key:<edn>)" + how, k, "key");
    out.printf("  check: SCARD %s:held:node-a = %d; MEMORY USAGE %s:key:%s = %d B; %s:held:node-a = %d B (%.1f B per key)%n",
        p, meter.redis.scard(p + ":held:node-a"), p, keyEdn(0), meter.redis.memoryUsage(p + ":key:" + keyEdn(0)),
        p, meter.redis.memoryUsage(p + ":held:node-a"), meter.redis.memoryUsage(p + ":held:node-a") / (double) k);
    RedisInfo before2 = meter.read();
    for (int i = 0; i < k; i++) {
      a.purgeConnection(streams[i]);
      if (i % 100 == 99) Thread.sleep(20);
    }
    Thread.sleep(2_000);
    RedisInfo released = meter.read();
    meter.print(before2, released, "a'. the same " + k + " keys released" + (events == null ? " (nothing left)" : " (each marked recent, P:recent:<edn>, for the window)"), k, "key");
    out.printf("  check: EXISTS %s:key:%s = %d; PTTL %s:recent:%s = %d ms; MEMORY USAGE of it = %d B; used_memory against before the keys: %+.1f B per key%n",
        p, keyEdn(0), meter.redis.exists(p + ":key:" + keyEdn(0)), p, keyEdn(0), meter.redis.pttl(p + ":recent:" + keyEdn(0)),
        meter.redis.memoryUsage(p + ":recent:" + keyEdn(0)),
        (released.number("used_memory") - before.number("used_memory")) / (double) k);
    RedisInfo before3 = meter.read();
    for (int i = k; i < 2 * k; i++) a.store(key(i), new Object());
    Thread.sleep(5_000);
    RedisInfo burst = meter.read();
    meter.print(before3, burst, "a\". " + k + " other keys stored at once, in a loop with no pause" + how, k, "key");
    out.printf("  check: SCARD %s:held:node-a = %d%n", p, meter.redis.scard(p + ":held:node-a"));
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /** b: K keys × E events of one kind, on one node holding every key. */
  private void history(String prefix, String kind, IntFunction<Object> event, int k, int e) throws Exception {
    CountingWriter w = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-" + prefix.replace("-", ""), w, 100, QUIET_LEASE);
    CapacityNodes.hold(a, 0, k);
    Thread.sleep(1_000);
    RedisInfo before = meter.read();
    int n = 0;
    for (int i = 0; i < k; i++) a.send(key(i), event.apply(n++));
    w.await(k, 60);
    Thread.sleep(200);
    RedisInfo first = meter.read();
    meter.print(before, first, "b. " + kind + ": the first event of each of " + k + " keys (a new log per key: P:ev:<edn>)", k, "key");
    String log0 = prefix + ":ev:" + keyEdn(0);
    out.printf("  check: a log of one event: XLEN %s = %d, MEMORY USAGE = %d B%n", log0, meter.redis.xlen(log0), meter.redis.memoryUsage(log0));
    RedisInfo next = meter.read(); // after the check's own commands
    for (int round = 1; round < e; round++) {
      for (int i = 0; i < k; i++) a.send(key(i), event.apply(n++));
    }
    w.await((long) k * e, 300);
    Thread.sleep(200);
    RedisInfo after = meter.read();
    long events = (long) k * (e - 1);
    meter.print(next, after, "b. " + kind + ": " + (e - 1) + " more events to each of the " + k + " keys (one node holds each key; the append publishes to it)", events, "event");
    String log = prefix + ":ev:" + keyEdn(0);
    List<StreamMessage<String, String>> one = meter.redis.xrange(log, Range.create("-", "+"), io.lettuce.core.Limit.from(1));
    out.printf("  check: XLEN %s = %d; MEMORY USAGE = %d B (%.1f B per event); an event as kept: %d bytes of EDN in field e, id %s; written with an id %d of %d%n",
        log, meter.redis.xlen(log), meter.redis.memoryUsage(log), meter.redis.memoryUsage(log) / (double) e,
        one.get(0).getBody().get("e").getBytes(java.nio.charset.StandardCharsets.UTF_8).length, one.get(0).getId(),
        w.withId(), w.written());
    out.printf("  whole run: used_memory %+.1f B per key with %d events (%.1f B per event: the logs and P:evtop; the directory was written before)%n",
        (after.number("used_memory") - before.number("used_memory")) / (double) k, e,
        (after.number("used_memory") - before.number("used_memory")) / (double) k / e);
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }

  /** c: K keys sent many more events than each keeps (N): the length and memory MAXLEN ~ leaves. */
  private void bound(String prefix, String kind, IntFunction<Object> event, int kept, int k, int perKey) throws Exception {
    CountingWriter w = new CountingWriter();
    CaffeineStore a = nodes.node(prefix, "node-" + prefix, w, kept, QUIET_LEASE);
    CapacityNodes.hold(a, 0, k);
    Thread.sleep(1_000);
    RedisInfo before = meter.read();
    int n = 0;
    for (int round = 0; round < perKey; round++) {
      for (int i = 0; i < k; i++) a.send(key(i), event.apply(n++));
    }
    w.await((long) k * perKey, 600);
    Thread.sleep(200);
    RedisInfo after = meter.read();
    meter.print(before, after, "c. " + kind + ", " + kept + " events kept per key: " + perKey + " events to each of " + k + " keys", (long) k * perKey, "event");
    long min = Long.MAX_VALUE;
    long max = 0;
    long sum = 0;
    long bytes = 0;
    for (int i = 0; i < k; i++) {
      String log = prefix + ":ev:" + keyEdn(i);
      long len = meter.redis.xlen(log);
      min = Math.min(min, len);
      max = Math.max(max, len);
      sum += len;
      bytes += meter.redis.memoryUsage(log);
    }
    out.printf("  check: XLEN per key min %d, mean %.1f, max %d for %d kept (overshoot up to %d); MEMORY USAGE per log mean %.0f B (%.1f B per entry held); used_memory %+.0f B per key%n",
        min, sum / (double) k, max, kept, max - kept, bytes / (double) k, bytes / (double) sum,
        (after.number("used_memory") - before.number("used_memory")) / (double) k);
    out.println();
    nodes.closeAll();
    meter.redis.flushall();
  }
}
