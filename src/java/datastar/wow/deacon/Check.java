package datastar.wow.deacon;

import clojure.lang.IFn;
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
    return hashable(key);
  }

  /**
   * Computes (and, for Clojure collections, caches) both hashes of {@code key}, Clojure's and
   * Java's, so that a key nested too deeply to hash is refused with a clear error here instead of
   * overflowing the stack inside a map. Cheap for the usual keys: keywords, strings and numbers
   * are skipped, collections cache their hashes.
   */
  static Object hashable(Object key) {
    if (key == null
        || key instanceof clojure.lang.Keyword
        || key instanceof String
        || key instanceof Number) {
      return key;
    }
    try {
      // Both hashes are cached by Clojure's collections: computing them here is the check.
      int unused = clojure.lang.Util.hasheq(key) ^ key.hashCode();
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
    return key;
  }
}
