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
    try {
      if (key instanceof APersistentVector) return new ClojureKey(key, hash((APersistentVector) key));
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
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

  /**
   * {@code Util.hasheq} of a vector (Clojure's ordered collection hash), for a scoped key {@code [id
   * k]}: a vector built afresh for each request. Its elements are hashed with class tests first,
   * since on JDK 17 {@code Util.hasheq}'s interface test searches each element's class's list of
   * interfaces; a nested vector gives the hash it caches, so that a key the caller holds, such as
   * {@code [:room 7]}, is hashed once.
   */
  private static int hash(APersistentVector v) {
    int n = v.count();
    int h = 1;
    for (int i = 0; i < n; i++) h = 31 * h + elementHash(v.nth(i));
    return Murmur3.mixCollHash(h, n);
  }

  private static int elementHash(Object x) {
    if (x instanceof Keyword) return ((Keyword) x).hasheq();
    if (x instanceof String) return Murmur3.hashInt(x.hashCode()); // what Util.hasheq answers
    if (x instanceof APersistentVector) return ((APersistentVector) x).hasheq();
    return Util.hasheq(x);
  }

  /**
   * {@code Util.equiv}; two vectors are compared element by element, with class tests first: on
   * JDK 17, {@code Util.equiv}'s interface tests ({@code IPersistentCollection}, {@code Number})
   * each search the element's class's list of interfaces.
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
      if ((p instanceof Keyword || p instanceof String || p instanceof Long)
          && q != null
          && q.getClass() == p.getClass()) {
        if (!p.equals(q)) return false; // what Util.equiv answers for two of one of these classes
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
