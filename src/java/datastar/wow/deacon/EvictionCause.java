package datastar.wow.deacon;

import clojure.lang.Keyword;

/**
 * Why an entry left a store. Passed to {@link EvictionListener}; Clojure callbacks receive {@link
 * #keyword()}.
 */
public enum EvictionCause {
  /** Idle or fixed expiry ran out ({@code :expired}). Caffeine store only. */
  EXPIRED("expired"),
  /** The store was over its maximum size ({@code :size}). Caffeine store only. */
  SIZE("size"),
  /** Purged by key, by connection, by owner or on sse-closed ({@code :explicit}). */
  EXPLICIT("explicit"),
  /** Another connection was stored under the same key ({@code :replaced}). */
  REPLACED("replaced"),
  /** The garbage collector took a weakly held value ({@code :collected}); Caffeine caches only. */
  COLLECTED("collected"),
  /** The heartbeat's send failed: the client is gone ({@code :dead}). */
  DEAD("dead");

  private final Keyword keyword;

  EvictionCause(String name) {
    this.keyword = Keyword.intern(name);
  }

  /** @return the cause as the unqualified keyword Clojure callbacks receive, e.g. {@code :size} */
  public Keyword keyword() {
    return keyword;
  }
}
