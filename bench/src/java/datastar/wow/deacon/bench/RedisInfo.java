package datastar.wow.deacon.bench;

import java.util.Map;
import java.util.TreeMap;

/**
 * One reply of Redis's {@code INFO all}, read into its fields ({@code used_memory},
 * {@code total_commands_processed}, {@code total_net_input_bytes}, ...) and its command statistics
 * ({@code cmdstat_<name>:calls=..,usec=..}); the difference of two is what ran between them.
 */
final class RedisInfo {
  /** The reply's length in bytes: what Redis counts as its output for the next reply. */
  final long replyBytes;

  private final Map<String, String> fields = new TreeMap<>();
  /** Calls per command, e.g. {@code evalsha}, {@code publish}, {@code xadd}. */
  private final Map<String, Long> calls = new TreeMap<>();
  /** Microseconds spent per command, as Redis counts them. */
  private final Map<String, Long> usec = new TreeMap<>();

  RedisInfo(String reply) {
    this.replyBytes = reply.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    for (String line : reply.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (line.startsWith("#") || colon < 0) continue;
      String name = line.substring(0, colon);
      String value = line.substring(colon + 1);
      if (name.startsWith("cmdstat_")) {
        String cmd = name.substring("cmdstat_".length());
        for (String part : value.split(",")) {
          int eq = part.indexOf('=');
          if (eq < 0) continue;
          String k = part.substring(0, eq);
          if (k.equals("calls")) calls.put(cmd, Long.parseLong(part.substring(eq + 1)));
          else if (k.equals("usec")) usec.put(cmd, Long.parseLong(part.substring(eq + 1)));
        }
      } else {
        fields.put(name, value);
      }
    }
  }

  long number(String field) {
    String v = fields.get(field);
    return v == null ? 0 : Long.parseLong(v);
  }

  double decimal(String field) {
    String v = fields.get(field);
    return v == null ? 0 : Double.parseDouble(v);
  }

  long calls(String cmd) {
    return calls.getOrDefault(cmd, 0L);
  }

  long usec(String cmd) {
    return usec.getOrDefault(cmd, 0L);
  }

  /** Every command's calls from {@code before} to this one, those that ran at least once. */
  Map<String, Long> callsSince(RedisInfo before) {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, Long> e : calls.entrySet()) {
      long d = e.getValue() - before.calls(e.getKey());
      if (d != 0) out.put(e.getKey(), d);
    }
    return out;
  }
}
