package datastar.wow.deacon;

import java.util.Collection;

/**
 * What a store offers the other nodes of its cluster (see {@link Peers}): which keys it holds
 * streams under, and the delivery of their messages to its own streams. Safe to call from any
 * thread.
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
}
