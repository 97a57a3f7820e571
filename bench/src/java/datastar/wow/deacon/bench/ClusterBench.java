package datastar.wow.deacon.bench;

import clojure.lang.Keyword;
import datastar.wow.deacon.CaffeineStore;
import datastar.wow.deacon.Deacon;
import datastar.wow.deacon.cluster.ClusterSettings;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Delivery through Redis against delivery in one JVM, in the same run: two Caffeine stores, nodes
 * {@code here} and {@code there} of one cluster over a real {@code redis-server} on loopback
 * (started by the set-up, as the tests do), and a third store of no cluster.
 *
 * <ul>
 *   <li>{@code remoteSend}: {@code here.send(key, message)} for a key only {@code there} holds, timed
 *       until {@code there}'s writer has the message: the cross-node latency (sample mode gives
 *       its percentiles);
 *   <li>{@code localSend}: the same with the key held by the sending node (which still asks
 *       Redis whether another node holds it too, without waiting for the answer);
 *   <li>{@code remoteBurst}: 100 sends, then wait for the 100 deliveries: throughput, per message;
 *   <li>{@code lookupCluster} / {@code lookupPlain}: a local look-up on a cluster member and on a
 *       store of no cluster (a local hit never touches Redis);
 *   <li>{@code storeCloseCluster} / {@code storeClosePlain}: a stream stored then purged by its
 *       close, what the directory adds to both (its update runs on the member's own thread).
 * </ul>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterBench {
  static final int BURST = 100;
  static final Keyword FEED = Keyword.intern("app", "feed");

  RedisProcess redis;
  CaffeineStore here;
  CaffeineStore there;
  CaffeineStore plain;
  final BlockingQueue<Object> arrived = new ArrayBlockingQueue<>(4 * BURST);
  Object remoteKey;
  Object localKey;
  Object closingKey;
  final Object message = "data: hello\n\n";

  @Setup
  public void setUp() throws Exception {
    redis = RedisProcess.start();
    here = member("here");
    there = member("there");
    plain = CaffeineStore.builder().writer(this::arrive).build();
    remoteKey = Deacon.scopedKey("user-1", FEED);
    localKey = Deacon.scopedKey("user-2", FEED);
    closingKey = Deacon.scopedKey("user-3", FEED);
    there.store(remoteKey, new Object());
    Object stream = new Object();
    here.store(localKey, stream);
    plain.store(localKey, stream);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (here.policy().cluster().orElseThrow().keys(remoteKey).size() != 1
        || there.policy().cluster().orElseThrow().keys(localKey).size() != 1) {
      Wow.check(System.nanoTime() < deadline, "the directory never listed both keys");
      Thread.sleep(10);
    }
    remoteSend();
    localSend();
    Thread.sleep(200);
    Wow.check(arrived.isEmpty(), "a message arrived twice");
  }

  private CaffeineStore member(String node) {
    ClusterSettings settings = ClusterSettings.builder(redis.uri()).node(node).build();
    return CaffeineStore.builder().writer(this::arrive).cluster(settings).build();
  }

  private boolean arrive(Object connection, Object m) {
    arrived.add(m);
    return true;
  }

  private Object await() throws InterruptedException {
    Object m = arrived.poll(5, TimeUnit.SECONDS);
    if (m == null) throw new IllegalStateException("no delivery within 5 s");
    return m;
  }

  @TearDown
  public void tearDown() throws Exception {
    here.close();
    there.close();
    plain.close();
    redis.stop();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public Object remoteSend() throws InterruptedException {
    here.send(remoteKey, message);
    return await();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public Object localSend() throws InterruptedException {
    here.send(localKey, message);
    return await();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OperationsPerInvocation(BURST)
  public Object remoteBurst() throws InterruptedException {
    for (int i = 0; i < BURST; i++) here.send(remoteKey, message);
    Object last = null;
    for (int i = 0; i < BURST; i++) last = await();
    return last;
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public Object lookupCluster() {
    return here.connection(localKey);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public Object lookupPlain() {
    return plain.connection(localKey);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public int storeCloseCluster() {
    Object stream = new Object();
    here.store(closingKey, stream);
    return here.purgeConnection(stream);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public int storeClosePlain() {
    Object stream = new Object();
    plain.store(closingKey, stream);
    return plain.purgeConnection(stream);
  }
}
