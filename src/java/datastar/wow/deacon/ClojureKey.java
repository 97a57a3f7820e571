package datastar.wow.deacon;

import clojure.lang.APersistentVector;
import clojure.lang.Keyword;
import clojure.lang.Murmur3;
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
      return new ClojureKey(key, hash(key));
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
  }

  /**
   * {@code Util.hasheq}, computed for a vector element by element with class tests first (every
   * scoped key is a vector of keywords and strings): on JDK 17 alternating interface tests of one
   * class ({@code IHashEq} in {@code Util.hasheq}, {@code IPersistentCollection} in {@code
   * Util.equiv}) each search the class's interface list. The result is the vector's {@code hasheq}
   * (Clojure's ordered collection hash), so that an equal list or map entry hashes the same.
   */
  private static int hash(Object key) {
    if (!(key instanceof APersistentVector)) return Util.hasheq(key);
    APersistentVector v = (APersistentVector) key;
    int n = v.count();
    int h = 1;
    for (int i = 0; i < n; i++) h = 31 * h + elementHash(v.nth(i));
    return Murmur3.mixCollHash(h, n);
  }

  private static int elementHash(Object x) {
    if (x instanceof Keyword) return ((Keyword) x).hasheq();
    if (x instanceof String) return Murmur3.hashInt(x.hashCode()); // what Util.hasheq answers
    return hash(x);
  }

  /**
   * {@code Util.equiv}; two vectors are compared element by element, with class tests first, for
   * the same reason as {@link #hash}.
   */
  private static boolean equiv(Object a, Object b) {
    if (a == b) return true;
    if (!(a instanceof APersistentVector) || !(b instanceof APersistentVector)) return Util.equiv(a, b);
    APersistentVector x = (APersistentVector) a;
    APersistentVector y = (APersistentVector) b;
    int n = x.count();
    if (n != y.count()) return false;
    for (int i = 0; i < n; i++) {
      Object p = x.nth(i);
      Object q = y.nth(i);
      if (p == q) continue;
      if ((p instanceof Keyword || p instanceof String) && q != null && q.getClass() == p.getClass()) {
        if (!p.equals(q)) return false; // what Util.equiv answers for two keywords or two strings
      } else if (!equiv(p, q)) {
        return false;
      }
    }
    return true;
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
        && equiv(key, ((ClojureKey) other).key);
  }

  @Override
  public String toString() {
    return String.valueOf(key);
  }
}
