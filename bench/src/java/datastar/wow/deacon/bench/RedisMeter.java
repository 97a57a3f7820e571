package datastar.wow.deacon.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.PrintStream;
import java.util.Map;

/**
 * Reads what a run of known size cost one Redis: {@code INFO all} before and after, on a connection
 * of its own, nothing else sent on it in between. The difference is printed raw (every command's
 * calls, commands processed, network bytes in and out, main-thread CPU, {@code used_memory}) and
 * per unit of the run (per push, per key, per event).
 *
 * <p>The meter's own {@code INFO} is taken out: its command, the bytes of its request (in) and of
 * the earlier reply (out), as measured by {@link #calibrate} with nothing between two readings.
 */
final class RedisMeter implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  final RedisCommands<String, String> redis;
  private final PrintStream out;
  private final LibraryErrors errors = new LibraryErrors();
  /** Bytes Redis reads for one {@code INFO all} request. */
  private long requestBytes;
  /** Bytes Redis writes for one reply beyond its text (the protocol's framing). */
  private long framingBytes;

  RedisMeter(String uri, PrintStream out) {
    this.client = RedisClient.create(uri);
    this.connection = client.connect();
    this.redis = connection.sync();
    this.out = out;
  }

  RedisInfo read() {
    return new RedisInfo(redis.info("all"));
  }

  /** Measures the meter's own cost: two readings with nothing between, a few times. */
  void calibrate() {
    RedisInfo a = read();
    long in = Long.MAX_VALUE;
    long framing = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      RedisInfo b = read();
      in = Math.min(in, b.number("total_net_input_bytes") - a.number("total_net_input_bytes"));
      framing = Math.min(framing, b.number("total_net_output_bytes") - a.number("total_net_output_bytes") - a.replyBytes);
      a = b;
    }
    requestBytes = in;
    framingBytes = framing;
    out.printf("meter: one INFO all costs %d bytes in, its reply's text plus %d bytes out%n", in, framing);
  }

  /** The cost of what ran between {@code before} and {@code after}, the meter's own reading taken out. */
  Cost cost(RedisInfo before, RedisInfo after) {
    Map<String, Long> calls = after.callsSince(before);
    long own = calls.getOrDefault("info", 0L);
    calls.remove("info");
    long commands = after.number("total_commands_processed") - before.number("total_commands_processed") - own;
    long in = after.number("total_net_input_bytes") - before.number("total_net_input_bytes") - own * requestBytes;
    long outBytes = after.number("total_net_output_bytes") - before.number("total_net_output_bytes")
        - before.replyBytes - framingBytes;
    double cpu = (after.decimal("used_cpu_user_main_thread") + after.decimal("used_cpu_sys_main_thread"))
        - (before.decimal("used_cpu_user_main_thread") + before.decimal("used_cpu_sys_main_thread"));
    long memory = after.number("used_memory") - before.number("used_memory");
    long scriptUsec = after.usec("evalsha") - before.usec("evalsha");
    return new Cost(calls, commands, in, outBytes, cpu * 1e6, memory, scriptUsec, after.number("used_memory"));
  }

  /**
   * Prints the cost of what ran between {@code before} and {@code after} (see {@link Cost#print}),
   * then what the library logged meanwhile.
   */
  Cost print(RedisInfo before, RedisInfo after, String what, long n, String unit) {
    Cost c = cost(before, after);
    c.print(out, what, n, unit);
    errors.report(out);
    return c;
  }

  /** What a run cost Redis. */
  static final class Cost {
    final Map<String, Long> calls;
    final long commands;
    final long in;
    final long out;
    final double cpuMicros;
    final long memory;
    final long scriptMicros;
    final long usedMemory;

    Cost(Map<String, Long> calls, long commands, long in, long out, double cpuMicros, long memory, long scriptMicros, long usedMemory) {
      this.calls = calls;
      this.commands = commands;
      this.in = in;
      this.out = out;
      this.cpuMicros = cpuMicros;
      this.memory = memory;
      this.scriptMicros = scriptMicros;
      this.usedMemory = usedMemory;
    }

    /** Prints the raw difference, then each figure divided by {@code n} {@code units}. */
    void print(PrintStream w, String what, long n, String unit) {
      w.printf("%s%n", what);
      w.printf("  raw: commands processed %d; calls %s%n", commands, calls);
      w.printf("  raw: net in %d B, net out %d B, main-thread CPU %.0f us, EVALSHA time %d us, used_memory %+d B (now %d B)%n",
          in, this.out, cpuMicros, scriptMicros, memory, usedMemory);
      StringBuilder per = new StringBuilder();
      for (Map.Entry<String, Long> e : calls.entrySet()) {
        per.append(String.format(" %s %.3f", e.getKey(), e.getValue() / (double) n));
      }
      w.printf("  per %s (%d %s): commands processed %.3f; calls%s%n", unit, n, plural(unit), commands / (double) n, per);
      w.printf("  per %s: net in %.1f B, net out %.1f B, main-thread CPU %.2f us, EVALSHA time %.2f us, used_memory %+.1f B%n",
          unit, in / (double) n, this.out / (double) n, cpuMicros / n, scriptMicros / (double) n, memory / (double) n);
    }
  }

  static String plural(String unit) {
    if (unit.endsWith("y") && !unit.endsWith("ey")) return unit.substring(0, unit.length() - 1) + "ies";
    return unit.endsWith("sh") || unit.endsWith("s") ? unit + "es" : unit + "s";
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
  }
}
