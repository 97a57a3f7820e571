package datastar.wow.deacon.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;

/**
 * The Lua scripts of the backplane, each a resource file beside this class ({@code lease.lua},
 * {@code apply.lua}, {@code send.lua}, {@code list.lua}, {@code holders.lua}, {@code append.lua}, {@code after.lua}, {@code relay.lua}) whose comment says
 * what it takes and returns. Each runs atomically in Redis, so the directory never holds half an
 * update, and each costs one round trip. Times come from Redis's own clock ({@code TIME}), so the
 * nodes' clocks need not agree. The scripts name the per-key and per-node sets they build from
 * their arguments, which standalone Redis (with or without replicas) allows and Redis Cluster does
 * not.
 */
final class Scripts {
  private Scripts() {}

  /** A script's text and the SHA-1 that {@code EVALSHA} names it by. */
  static final class Script {
    final String name;
    final String text;
    final String sha;
    /** True when it returns a list; false for an integer. */
    final boolean multi;

    private Script(String name, boolean multi) {
      this.name = name;
      this.multi = multi;
      this.text = read(name + ".lua");
      this.sha = sha1(text);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Refreshes or gives up a node's lease and cleans up after dead nodes. */
  static final Script LEASE = new Script("lease", true);
  /** Adds and removes a node's keys in the directory. */
  static final Script APPLY = new Script("apply", false);
  /** Publishes a message to every live node holding a key, but the sender. */
  static final Script SEND = new Script("send", false);
  /** Lists the keys of every live node. */
  static final Script LIST = new Script("list", true);
  /** Counts the live nodes holding a key. */
  static final Script HOLDERS = new Script("holders", false);

  /** Appends events to a key's log and publishes them to its holders. */
  static final Script APPEND = new Script("append", true);
  /** Reads a key's log after an id. */
  static final Script AFTER = new Script("after", true);

  /** Keeps a push to render for the nodes cut off and publishes it with its token. */
  static final Script RELAY = new Script("relay", true);

  static final List<Script> ALL = List.of(LEASE, APPLY, SEND, LIST, HOLDERS, APPEND, AFTER, RELAY);

  private static String read(String resource) {
    try (InputStream in = Scripts.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("the backplane's script " + resource + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha1(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) hex.append(String.format(Locale.ROOT, "%02x", b & 0xff));
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
