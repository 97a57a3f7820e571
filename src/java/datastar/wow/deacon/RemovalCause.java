package datastar.wow.deacon;

import clojure.lang.Keyword;

/**
 * Why a connection left a store; given to a {@link RemovalListener}. Clojure callbacks receive
 * {@link #keyword()} instead.
 *
 * <p>As in Caffeine, a <em>removal</em> is any departure and an <em>eviction</em> is a removal the
 * store made on its own, by one of its policies (expiry, size, liveness), rather than because of a
 * call: see {@link #wasEvicted()}.
 */
public enum RemovalCause {
  /** Purged by key, by connection, by owner, or because its stream closed ({@code :explicit}). */
  EXPLICIT("explicit", false),
  /**
   * Another connection was stored under the same key of a store without fan-out ({@code
   * :replaced}).
   */
  REPLACED("replaced", false),
  /** Idle or fixed expiry ran out ({@code :expired}); Caffeine store only. */
  EXPIRED("expired", true),
  /** The store was over its maximum size ({@code :size}); Caffeine store only. */
  SIZE("size", true),
  /**
   * The garbage collector took a weakly or softly held entry ({@code :collected}); only a Caffeine
   * cache given with {@code :cache} can hold entries that way.
   */
  COLLECTED("collected", true),
  /** A write to the connection reported it closed, or the heartbeat's probe failed ({@code :dead}). */
  DEAD("dead", true);

  private final Keyword keyword;
  private final boolean evicted;

  RemovalCause(String name, boolean evicted) {
    this.keyword = Keyword.intern(name);
    this.evicted = evicted;
  }

  /**
   * Returns the cause as the unqualified keyword Clojure callbacks receive.
   *
   * @return e.g. {@code :size}
   */
  public Keyword keyword() {
    return keyword;
  }

  /**
   * Tells whether the store removed the connection on its own: true for {@link #EXPIRED}, {@link
   * #SIZE}, {@link #COLLECTED} and {@link #DEAD}; false for {@link #EXPLICIT} and {@link
   * #REPLACED}. A stream evicted while still open stays open unless the listener closes it.
   *
   * @return true when this cause is an eviction
   */
  public boolean wasEvicted() {
    return evicted;
  }
}
