package datastar.wow.deacon.bench;

import static datastar.wow.deacon.bench.CapacityNodes.keyEdn;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling of the Redis under {@link RedisCapacity}, by {@code redis-benchmark} (50 clients, no
 * pipelining) on the same server: simple commands, a {@code PUBLISH} of a 200-byte message with no
 * subscriber, and the cluster's push scripts alone, nobody subscribed (the scripts' own work, not
 * the delivery): {@code append.lua} with two live holders, {@code relay.lua} for a key with two
 * (one the sender), {@code send.lua} likewise.
 * Skipped with a line saying so when {@code redis-benchmark} is not installed.
 */
final class RedisBenchmark {
  static final int REQUESTS = 100_000;

  private final PrintStream out;
  private final RedisMeter meter;
  private final RedisProcess server;

  RedisBenchmark(PrintStream out, RedisMeter meter, RedisProcess server) {
    this.out = out;
    this.meter = meter;
    this.server = server;
  }

  void run() throws Exception {
    meter.redis.flushall();
    out.println("redis-benchmark on the same server (" + REQUESTS + " requests, 50 clients, no pipelining)");
    if (!installed()) {
      out.println("  skipped: redis-benchmark is not installed");
      return;
    }
    bench(List.of("-t", "ping_mbulk,set,get,sadd,zadd"));
    String event = edn(CapacityNodes.elements(1));
    bench(List.of("publish", "rb:channel", event));
    meter.redis.zadd("rb:nodes", 9.0e15, "n1");
    meter.redis.zadd("rb:nodes", 9.0e15, "n2");
    meter.redis.sadd("rb:key:k", "n1", "n2");
    String append = meter.redis.scriptLoad(script("append.lua"));
    // no token, the sender holds the key: every call appends
    bench(List.of("evalsha", append, "6", "rb:nodes", "rb:key:k", "rb:ev:k", "rb:recent:k", "rb:evtop", "rb:once:-:k",
        "n1", keyEdn(1), "100", "300000", "rb:to:", "", "1", event));
    String relay = meter.redis.scriptLoad(script("relay.lua"));
    String message = "{:v 1, :from \"n1\", :pattern " + keyEdn(1) + ", :token \"abc\", :payload " + event + "}";
    bench(List.of("evalsha", relay, "4", "rb:bc", "rb:nodes", "rb:key:k", "rb:recent:k",
        message, "rb:all", "rb:to:", "n1", "1000", "300000", "key"));
    String send = meter.redis.scriptLoad(script("send.lua"));
    bench(List.of("evalsha", send, "2", "rb:nodes", "rb:key:k", "n1", event, "rb:to:"));
    out.printf("  check: XLEN rb:ev:k = %d after the append runs (kept 100), XLEN rb:bc = %d after the relay runs (kept 1000)%n",
        meter.redis.xlen("rb:ev:k"), meter.redis.xlen("rb:bc"));
    meter.redis.flushall();
  }

  private static boolean installed() {
    try {
      Process p = new ProcessBuilder("redis-benchmark", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void bench(List<String> what) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
        Integer.toString(server.port()), "-q", "-n", Integer.toString(REQUESTS)));
    cmd.addAll(what);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.MINUTES);
    String shown = what.size() > 3 ? String.join(" ", what.subList(0, 3)) + " ..." : String.join(" ", what);
    out.println("  $ redis-benchmark -q -n " + REQUESTS + " " + shown);
    for (String line : text.split("\n")) {
      // progress lines end in a carriage return; the result is the last part
      String last = line.substring(line.lastIndexOf('\r') + 1).trim();
      // a command given in full is echoed before its result: shown once above
      int result = last.lastIndexOf(": ");
      if (!what.get(0).equals("-t") && result > 0) last = last.substring(result + 2);
      if (!last.isEmpty()) out.println("    " + last);
    }
  }

  /** An event as the log keeps it: the EDN of {@code [type [line] nil]}. */
  static String edn(Object event) {
    clojure.lang.IPersistentVector v = (clojure.lang.IPersistentVector) event;
    String line = (String) ((clojure.lang.IPersistentVector) v.nth(1)).nth(0);
    return "[\"" + v.nth(0) + "\" [\"" + line.replace("\\", "\\\\").replace("\"", "\\\"") + "\"] nil]";
  }

  private static String script(String name) throws IOException {
    try (InputStream in = RedisBenchmark.class.getResourceAsStream("/datastar/wow/deacon/cluster/" + name)) {
      if (in == null) throw new IOException(name + " is not on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
