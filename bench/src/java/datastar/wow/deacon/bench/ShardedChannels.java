package datastar.wow.deacon.bench;

import static datastar.wow.deacon.bench.CapacityNodes.keyEdn;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * g: what sharded pub/sub (Redis 7's {@code SSUBSCRIBE}/{@code SPUBLISH}, which Redis Cluster
 * keeps within the shard owning the channel's slot) would cost one Redis if each node subscribed
 * to a channel per key it holds ({@code P:ch:{<edn>}}, in the key's slot), in place of the
 * directory's sets: the memory per subscribed channel, and a message published to such a channel
 * against one to a classic channel, one subscriber each. Standalone Redis 7 serves both.
 */
final class ShardedChannels {
  static final int CHANNELS = 10_000;
  static final int MESSAGES = 10_000;

  private final PrintStream out;
  private final RedisMeter meter;
  private final RedisClient client;

  ShardedChannels(PrintStream out, RedisMeter meter, String uri) {
    this.out = out;
    this.meter = meter;
    this.client = RedisClient.create(uri);
  }

  void run() throws Exception {
    AtomicLong heard = new AtomicLong();
    try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub()) {
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void smessage(String channel, String message) {
          heard.incrementAndGet();
        }

        @Override
        public void message(String channel, String message) {
          heard.incrementAndGet();
        }
      });
      RedisInfo before = meter.read();
      String[] batch = new String[1_000];
      for (int i = 0; i < CHANNELS; i += batch.length) {
        for (int j = 0; j < batch.length; j++) batch[j] = channel(i + j);
        sub.sync().ssubscribe(batch);
      }
      RedisInfo after = meter.read();
      meter.print(before, after, "g. " + CHANNELS + " sharded channels P:ch:{<edn>} subscribed by one connection (SSUBSCRIBE, 1000 a call)", CHANNELS, "channel");
      sub.sync().subscribe("g:to:node-b");
      String event = RedisBenchmark.edn(CapacityNodes.elements(1));
      publish("g. " + MESSAGES + " SPUBLISH of a patch-elements event to one sharded channel, one subscriber", heard,
          () -> meter.redis.spublish(channel(1), event));
      publish("g. " + MESSAGES + " PUBLISH of the same to one classic channel, one subscriber (as send.lua does for each holder)", heard,
          () -> meter.redis.publish("g:to:node-b", event));
      publish("g. " + MESSAGES + " EVAL of a script that SPUBLISHes to the channel in its key's slot (KEYS: P:ev:{<edn>})", heard,
          () -> meter.redis.eval("return redis.call('SPUBLISH', ARGV[1], ARGV[2])", ScriptOutputType.INTEGER,
              new String[] {"g:ev:{" + keyEdn(1) + "}"}, channel(1), event));
    } finally {
      client.shutdown();
    }
    out.println();
    meter.redis.flushall();
  }

  private void publish(String what, AtomicLong heard, Runnable one) throws InterruptedException {
    long start = heard.get();
    RedisInfo before = meter.read();
    for (int i = 0; i < MESSAGES; i++) one.run();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (heard.get() - start < MESSAGES) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("heard " + (heard.get() - start) + " of " + MESSAGES);
      Thread.sleep(2);
    }
    Thread.sleep(200);
    RedisInfo after = meter.read();
    meter.print(before, after, what, MESSAGES, "message");
  }

  /** The sharded channel of user {@code i}'s feed, hash-tagged with the key's EDN. */
  static String channel(int i) {
    return "g:ch:{" + keyEdn(i) + "}";
  }
}
