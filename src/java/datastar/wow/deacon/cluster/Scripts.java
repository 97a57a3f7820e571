package datastar.wow.deacon.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The Lua scripts of the backplane. Each runs atomically in Redis, so the directory never holds
 * half an update, and each costs one round trip. Times come from Redis's own clock ({@code TIME}),
 * so the nodes' clocks need not agree. The scripts name the per-key and per-node sets they build
 * from their arguments, which standalone Redis (with or without replicas) allows and Redis
 * Cluster does not.
 */
final class Scripts {
  private Scripts() {}

  /** A script's text and the SHA-1 that {@code EVALSHA} names it by. */
  static final class Script {
    final String name;
    final String text;
    final String sha;
    final boolean multi;

    Script(String name, boolean multi, String... lines) {
      this.name = name;
      this.multi = multi;
      this.text = String.join("\n", lines) + "\n";
      this.sha = sha1(text);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final String NOW =
      "local t = redis.call('TIME')\n"
          + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

  /**
   * Refreshes (or, with a lease of 0, gives up) the node's lease, moves nodes whose lease ended
   * to {@code P:dead}, and removes up to a budget of dead nodes' keys from the directory.
   *
   * <p>KEYS: {@code P:nodes}, {@code P:dead}. ARGV: node, lease in ms, {@code P:}, budget.
   * Returns {@code {1 if the node was not live before, number of dead nodes left to clean}}: a 1
   * tells the node that others gave it up and it must write its keys again.
   */
  static final Script LEASE =
      new Script(
          "lease",
          true,
          "local nodes, dead, self, prefix = KEYS[1], KEYS[2], ARGV[1], ARGV[3]",
          "local lease, budget = tonumber(ARGV[2]), tonumber(ARGV[4])",
          NOW,
          "local fresh = 0",
          "if lease > 0 then",
          "  fresh = redis.call('ZADD', nodes, string.format('%.0f', now + lease), self)",
          "  redis.call('SREM', dead, self)",
          "else",
          "  redis.call('ZREM', nodes, self)",
          "  redis.call('SADD', dead, self)",
          "end",
          "local ended = redis.call('ZRANGEBYSCORE', nodes, '-inf', '(' .. string.format('%.0f', now))",
          "for _, node in ipairs(ended) do",
          "  redis.call('ZREM', nodes, node)",
          "  redis.call('SADD', dead, node)",
          "end",
          "for _, node in ipairs(redis.call('SMEMBERS', dead)) do",
          "  if budget <= 0 then break end",
          "  local held = prefix .. 'held:' .. node",
          "  local keys = redis.call('SPOP', held, budget)",
          "  for _, key in ipairs(keys) do redis.call('SREM', prefix .. 'key:' .. key, node) end",
          "  budget = budget - #keys",
          "  if redis.call('EXISTS', held) == 0 then redis.call('SREM', dead, node) end",
          "end",
          "return {fresh, redis.call('SCARD', dead)}");

  /**
   * Adds and removes the node's keys, in order.
   *
   * <p>KEYS: {@code P:held:<node>}. ARGV: node, {@code P:key:}, then pairs of {@code +} or {@code
   * -} and a key's canonical EDN. Returns the number of pairs.
   */
  static final Script APPLY =
      new Script(
          "apply",
          false,
          "local held, self, keyPrefix = KEYS[1], ARGV[1], ARGV[2]",
          "for i = 3, #ARGV - 1, 2 do",
          "  local key = ARGV[i + 1]",
          "  if ARGV[i] == '+' then",
          "    redis.call('SADD', held, key)",
          "    redis.call('SADD', keyPrefix .. key, self)",
          "  else",
          "    redis.call('SREM', held, key)",
          "    redis.call('SREM', keyPrefix .. key, self)",
          "  end",
          "end",
          "return math.floor((#ARGV - 2) / 2)");

  /**
   * Publishes a message to every live node that holds a key, except the sender.
   *
   * <p>KEYS: {@code P:nodes}, {@code P:key:<edn>}. ARGV: sender, message, {@code P:to:}. Returns
   * the number of nodes it was published to.
   */
  static final Script SEND =
      new Script(
          "send",
          false,
          NOW,
          "local sent = 0",
          "for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do",
          "  if node ~= ARGV[1] then",
          "    local lease = redis.call('ZSCORE', KEYS[1], node)",
          "    if lease and tonumber(lease) > now then",
          "      redis.call('PUBLISH', ARGV[3] .. node, ARGV[2])",
          "      sent = sent + 1",
          "    end",
          "  end",
          "end",
          "return sent");

  /**
   * The keys held by live nodes, each once.
   *
   * <p>KEYS: {@code P:nodes}. ARGV: {@code P:held:}. Returns the keys' canonical EDN.
   */
  static final Script LIST =
      new Script(
          "list",
          true,
          NOW,
          "local seen, out = {}, {}",
          "local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. string.format('%.0f', now), '+inf')",
          "for _, node in ipairs(live) do",
          "  for _, key in ipairs(redis.call('SMEMBERS', ARGV[1] .. node)) do",
          "    if not seen[key] then",
          "      seen[key] = true",
          "      out[#out + 1] = key",
          "    end",
          "  end",
          "end",
          "return out");

  /**
   * The number of live nodes holding one key.
   *
   * <p>KEYS: {@code P:nodes}, {@code P:key:<edn>}. Returns the count.
   */
  static final Script HOLDERS =
      new Script(
          "holders",
          false,
          NOW,
          "local n = 0",
          "for _, node in ipairs(redis.call('SMEMBERS', KEYS[2])) do",
          "  local lease = redis.call('ZSCORE', KEYS[1], node)",
          "  if lease and tonumber(lease) > now then n = n + 1 end",
          "end",
          "return n");

  static final List<Script> ALL = List.of(LEASE, APPLY, SEND, LIST, HOLDERS);

  static String sha1(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) hex.append(String.format(java.util.Locale.ROOT, "%02x", b & 0xff));
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
