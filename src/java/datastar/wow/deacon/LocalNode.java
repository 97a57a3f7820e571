package datastar.wow.deacon;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a store offers the other nodes of its cluster (see {@link Peers}): which keys it holds
 * streams under, and the delivery of their messages to its own streams; for a store with replay,
 * also its history's settings and the events of the cluster's {@link SharedLog} (the methods with
 * defaults, which a store without history need not implement). Safe to call from any thread.
 */
public interface LocalNode {
  /**
   * Lists the keys this node holds at least one stream under.
   *
   * @return a snapshot of the keys
   */
  Collection<Object> keys();

  /**
   * Tells whether this node holds at least one stream under {@code key}; the read is no use of the
   * key (no idle expiry reset, no statistics).
   *
   * @param key an exact key
   * @return true when a stream is stored under it here
   */
  boolean holds(Object key);

  /**
   * Delivers a message another node sent to this node's streams under a key, or under keys
   * matching a pattern, as a send made here would, but to this node's streams only.
   *
   * @param keyOrPattern the key the message was sent to, or a broadcast's pattern
   * @param message the message, as sent
   * @return how many streams here it was written to
   */
  int deliver(Object keyOrPattern, Object message);

  /**
   * Delivers a message sent through {@link SharedLog#relay}: this node renders it for its own
   * keys matching {@code keyOrPattern} (those with a stream here, and those that had one within
   * the history's window) and appends the result to the shared log with {@code token}, which
   * carries it to every node holding each key.
   *
   * @param keyOrPattern the key the message was sent to, or a broadcast's pattern
   * @param message the message, as sent
   * @param token the token the sender gave it
   * @return how many streams here it is for; by default, {@link #deliver(Object, Object)}
   */
  default int deliver(Object keyOrPattern, Object message, String token) {
    return deliver(keyOrPattern, message);
  }

  /**
   * Gives the store's history settings, when it keeps one: a plug-in sizes its shared log by them.
   *
   * @return the store's {@link Replay}, or empty (the default)
   */
  default Optional<Replay> replay() {
    return Optional.empty();
  }

  /**
   * Events of {@code key} arrived from the shared log: this node writes those it has not written
   * yet to its streams under the key, in order, once each. When {@code previous} shows that events
   * came between the last one written here and these, it reads them from the log first.
   *
   * @param key the key they were appended to
   * @param previous the id of the event before them in the key's log, or null when there was none
   * @param entries the events, oldest first
   */
  default void arrived(Object key, @Nullable String previous, List<LogEntry> entries) {}

  /**
   * The node may have missed events of {@code keys} (it was cut off from the others, or has just
   * told them that it holds these keys): it reads from the shared log what came after the last
   * event it wrote for each, and writes it. Waits for the log at most {@link Peers#timeout()} per
   * key; call it off the plug-in's I/O threads.
   *
   * @param keys keys this node holds streams under
   */
  default void catchUp(Collection<Object> keys) {}
}
