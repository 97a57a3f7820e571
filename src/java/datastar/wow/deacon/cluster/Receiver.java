package datastar.wow.deacon.cluster;

import datastar.wow.deacon.LogEntry;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a node's backplane hands the messages other nodes sent it. Called on one thread per
 * backplane, in the order the messages arrived, so a slow receiver delays the ones after it: keep
 * it short or hand the work off. What it throws goes to the {@link ErrorHandler}.
 */
@FunctionalInterface
interface Receiver {
  /**
   * Delivers one message to this node's local streams.
   *
   * @param target for a routed send, the key it was sent to; for a broadcast, the pattern, which
   *     the receiver matches against its own keys (e.g. with {@code KeyPattern.matches})
   * @param isPattern true for a broadcast, false for a routed send
   * @param payload the data that was sent, as read back from EDN
   * @param fromNode the id of the node that sent it
   */
  void deliver(Object target, boolean isPattern, Object payload, String fromNode);

  /**
   * Delivers a broadcast of the shared history: the receiver renders it for its keys matching
   * {@code target} and appends the result with {@code token}. By default, dropped.
   *
   * @param target the pattern, or key, it was sent to
   * @param payload the data that was sent
   * @param token the token to append with
   */
  default void rendered(Object target, Object payload, String token) {}

  /**
   * Delivers events of a key's shared history, with their ids. By default, dropped.
   *
   * @param key the key they were appended to
   * @param previous the id before them in the key's log, or null
   * @param entries the events, oldest first
   */
  default void logged(Object key, @Nullable String previous, List<LogEntry> entries) {}
}
