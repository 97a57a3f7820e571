package datastar.wow.deacon;

import clojure.lang.MapEntry;
import clojure.lang.PersistentVector;
import java.util.List;
import java.util.Map;

/** Typed views of Clojure's raw collection types, so that the rest of the code stays warning-free. */
final class Clj {
  private Clj() {}

  /** Returns an immutable Clojure vector of {@code items}. */
  @SuppressWarnings("unchecked")
  static List<Object> vector(List<Object> items) {
    return PersistentVector.create(items);
  }

  /** Whether two keys are one, as Clojure's {@code =} says. */
  static boolean sameKey(Object a, Object b) {
    return a == b || clojure.lang.Util.equiv(a, b);
  }

  /** Whether {@code keys} holds a key {@link #sameKey} as {@code key}. */
  static boolean holdsKey(List<Object> keys, Object key) {
    for (Object k : keys) {
      if (sameKey(k, key)) return true;
    }
    return false;
  }

  /** Whether {@code conns} holds {@code conn} itself: connections are compared by identity. */
  static boolean holds(List<Object> conns, Object conn) {
    for (Object c : conns) {
      if (c == conn) return true;
    }
    return false;
  }

  /** Returns an immutable {@code [key value]} pair that is also a Clojure vector. */
  @SuppressWarnings("unchecked")
  static Map.Entry<Object, Object> pair(Object key, Object value) {
    return MapEntry.create(key, value);
  }
}
