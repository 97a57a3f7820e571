package datastar.wow.deacon.bench;

import io.lettuce.core.XAddArgs;
import java.io.PrintStream;
import java.util.Map;

/**
 * What a key's log costs Redis by the size of a stream's nodes ({@code stream-node-max-bytes}, 4096
 * by default): K streams of E events each, written with {@code XADD} as {@code append.lua} does
 * ({@code MAXLEN ~ 100}, one field {@code e}), for a patch-elements event of about 200 bytes and a
 * patch-signals event of about 50, under each setting. Redis 7.0 allocates a stream's first node
 * at that size, so a log of one event costs about that much. Run by {@code bench/capacity
 * streams}.
 */
public final class StreamNodeSize {
  static final int KEYS = 1_000;

  private StreamNodeSize() {}

  /**
   * Runs every measurement and prints it.
   *
   * @param args none
   * @throws Exception when Redis cannot be started
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    RedisProcess server = RedisProcess.start();
    try (RedisMeter meter = new RedisMeter(server.uri(), out)) {
      out.println("# A key's log by stream-node-max-bytes: " + KEYS + " streams of E events each, XADD MAXLEN ~ 100");
      meter.calibrate();
      for (String bytes : new String[] {"4096", "1024", "512"}) {
        meter.redis.configSet("stream-node-max-bytes", bytes);
        for (int events : new int[] {1, 10, 50}) {
          run(meter, bytes, "patch-elements", RedisBenchmark.edn(CapacityNodes.elements(1)), events);
          run(meter, bytes, "patch-signals", RedisBenchmark.edn(CapacityNodes.signals(1)), events);
        }
      }
    } finally {
      server.stop();
    }
    System.exit(0);
  }

  private static void run(RedisMeter meter, String bytes, String kind, String event, int events) {
    RedisInfo before = meter.read();
    XAddArgs args = XAddArgs.Builder.maxlen(100).approximateTrimming();
    for (int e = 0; e < events; e++) {
      for (int k = 0; k < KEYS; k++) meter.redis.xadd("s:ev:" + CapacityNodes.keyEdn(k), args, Map.of("e", event));
    }
    RedisInfo after = meter.read();
    String one = "s:ev:" + CapacityNodes.keyEdn(0);
    meter.print(before, after, "h. stream-node-max-bytes " + bytes + ": " + KEYS + " logs of " + events + " " + kind
        + " event(s) of " + event.length() + " bytes", KEYS, "key");
    System.out.printf("  check: XLEN %s = %d, MEMORY USAGE = %d B%n", one, meter.redis.xlen(one), meter.redis.memoryUsage(one));
    meter.redis.flushall();
  }
}
