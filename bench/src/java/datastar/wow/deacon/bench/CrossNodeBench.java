package datastar.wow.deacon.bench;

import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.ConnectionWriter;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Cross-node delivery through Redis on loopback, with replay and without, in the same run: the
 * time from {@code send} on node A until the stream on node B has the message (its writer
 * completes a future). Sample mode, so JMH reports the percentiles; the target is p99 at most 2 ms
 * with replay.
 *
 * <ul>
 *   <li>{@code replaySend}: two Caffeine stores with replay (100 events, 5 minutes) in a cluster;
 *       A's send is one {@code relay.lua} call, which publishes the push to B; B renders it, appends
 *       it to the key's log ({@code append.lua}, waited for) and writes it with the id the log gave;
 *   <li>{@code plainSend}: two Caffeine stores without replay in another cluster (another prefix) on
 *       the same Redis; A's send is one {@code send.lua} call, not waited for, which publishes to B.
 * </ul>
 *
 * The key is held only by B; the message is a patch-elements event as the log keeps one (about 200
 * bytes of EDN). The set-up starts its own {@code redis-server} on a free loopback port.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrossNodeBench {
  RedisProcess redis;
  CaffeineStore replayA;
  CaffeineStore replayB;
  CaffeineStore plainA;
  CaffeineStore plainB;
  final Object key = CapacityNodes.key(1);
  final Object message = CapacityNodes.elements(1);
  /** Completed by B's writer with what it was handed. */
  volatile CompletableFuture<Object> arrived = new CompletableFuture<>();
  final AtomicLong extra = new AtomicLong();

  @Setup
  public void setUp() throws Exception {
    redis = RedisProcess.start();
    replayA = node("replay", "a", 100, new CountingWriter());
    replayB = node("replay", "b", 100, toFuture());
    plainA = node("plain", "a", null, new CountingWriter());
    plainB = node("plain", "b", null, toFuture());
    replayB.store(key, new Object());
    plainB.store(key, new Object());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (replayA.policy().cluster().orElseThrow().keys(key).size() != 1
        || plainA.policy().cluster().orElseThrow().keys(key).size() != 1) {
      Wow.check(System.nanoTime() < deadline, "the directory never listed the key");
      Thread.sleep(10);
    }
    for (int i = 0; i < 100; i++) {
      replaySend();
      plainSend();
    }
    Thread.sleep(200);
    Wow.check(extra.get() == 0, "a message arrived twice");
  }

  private CaffeineStore node(String prefix, String node, Integer events, ConnectionWriter writer) throws InterruptedException {
    ClusterSettings settings = ClusterSettings.builder(redis.uri()).prefix(prefix).node(node).build();
    CaffeineStore.Builder b = CaffeineStore.builder().writer(writer).cluster(settings);
    if (events != null) b.replay(events, Duration.ofMinutes(5));
    CaffeineStore store = b.build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.policy().cluster().orElseThrow().connected()) {
      Wow.check(System.nanoTime() < deadline, node + " never connected");
      Thread.sleep(5);
    }
    return store;
  }

  /** B's writer: completes the pending future; a message with none pending counts as extra. */
  private ConnectionWriter toFuture() {
    return new ConnectionWriter() {
      @Override
      public boolean write(Object connection, Object m) {
        if (!arrived.complete(m)) extra.incrementAndGet();
        return true;
      }

      @Override
      public boolean write(Object connection, Object m, String id) {
        return write(connection, m);
      }
    };
  }

  private Object await() throws Exception {
    return arrived.get(5, TimeUnit.SECONDS);
  }

  @TearDown
  public void tearDown() throws Exception {
    replayA.close();
    replayB.close();
    plainA.close();
    plainB.close();
    redis.stop();
  }

  @Benchmark
  public Object replaySend() throws Exception {
    arrived = new CompletableFuture<>();
    replayA.send(key, message);
    return await();
  }

  @Benchmark
  public Object plainSend() throws Exception {
    arrived = new CompletableFuture<>();
    plainA.send(key, message);
    return await();
  }
}
