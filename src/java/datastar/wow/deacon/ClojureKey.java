package datastar.wow.deacon;

import clojure.lang.Keyword;
import clojure.lang.Symbol;
import clojure.lang.Util;
import java.util.UUID;

/**
 * A key as Clojure's maps see it: hashed with {@code hasheq} and compared with {@code equiv}, so
 * that a Caffeine cache (which uses {@code hashCode} and {@code equals}) finds {@code [42 :k]}
 * under {@code [(int 42) :k]} as a Clojure map would. Keys whose Java equality already is Clojure
 * equality are used as they are, without a wrapper.
 */
final class ClojureKey {
  final Object key;
  private final int hash;

  private ClojureKey(Object key, int hash) {
    this.key = key;
    this.hash = hash;
  }

  /**
   * Gives the form of a key the Caffeine store's map holds.
   *
   * @return the form of {@code key} the Caffeine store's map holds
   * @throws InvalidInputException when the key is nested too deeply to hash
   */
  static Object of(Object key) {
    if (key instanceof Keyword
        || key instanceof String
        || key instanceof Symbol
        || key instanceof Boolean
        || key instanceof Character
        || key instanceof UUID) {
      return key;
    }
    try {
      return new ClojureKey(key, Util.hasheq(key));
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
  }

  /** Returns the key a map key stands for. */
  static Object unwrap(Object mapKey) {
    return mapKey instanceof ClojureKey ? ((ClojureKey) mapKey).key : mapKey;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClojureKey
        && ((ClojureKey) other).hash == hash
        && Util.equiv(key, ((ClojureKey) other).key);
  }

  @Override
  public String toString() {
    return String.valueOf(key);
  }
}
