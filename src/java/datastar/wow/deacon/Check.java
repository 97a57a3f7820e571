package datastar.wow.deacon;

import clojure.lang.IFn;
import clojure.lang.Keyword;
import clojure.lang.Util;
import java.time.Duration;

/** Argument checks shared by the builders. Each failure names the input and the value. */
final class Check {
  private Check() {}

  static long nonNegative(Object input, long value) {
    if (value < 0) throw new InvalidInputException(input, value, "must not be negative");
    return value;
  }

  static Duration nonNegative(Object input, Duration value) {
    notNull(input, value);
    if (value.isNegative()) throw new InvalidInputException(input, value, "must not be negative");
    return value;
  }

  static Duration positive(Object input, Duration value) {
    notNull(input, value);
    if (value.isNegative() || value.isZero()) {
      throw new InvalidInputException(input, value, "must be positive");
    }
    return value;
  }

  static <T> T notNull(Object input, T value) {
    if (value == null) throw new InvalidInputException(input, null, "must not be nil");
    return value;
  }

  /**
   * Functions given as options: anything callable except keywords, symbols and collections, which
   * are callable in Clojure but as a callback are nearly always a mistake ({@code :id-fn
   * :session-id} would look the key up in the dispatch ctx and always find nil).
   */
  static IFn fn(Object input, Object value) {
    if (value instanceof IFn
        && !(value instanceof clojure.lang.Keyword)
        && !(value instanceof clojure.lang.Symbol)
        && !(value instanceof clojure.lang.IPersistentCollection)) {
      return (IFn) value;
    }
    throw new InvalidInputException(input, value, "must be a function");
  }

  static Object key(Object key) {
    if (key == null) throw new InvalidInputException("key", null, "must not be nil");
    return key;
  }

  /**
   * Refuses a key nested too deeply to hash the way Clojure's maps do ({@code hasheq}), with a
   * clear error here instead of a stack overflow inside the map. Keywords, strings and numbers are
   * skipped, and Clojure collections cache the hash, so the map's own hashing after this is free.
   */
  static Object clojureHashable(Object key) {
    if (simple(key)) return key;
    try {
      int unused = Util.hasheq(key);
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
    return key;
  }

  /** As {@link #clojureHashable}, for a store whose map hashes keys with {@code hashCode}. */
  static Object javaHashable(Object key) {
    if (simple(key)) return key;
    try {
      int unused = key.hashCode();
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
    return key;
  }

  private static boolean simple(Object key) {
    return key == null || key instanceof Keyword || key instanceof String || key instanceof Number;
  }
}
