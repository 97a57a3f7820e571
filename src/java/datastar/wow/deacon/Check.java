package datastar.wow.deacon;

import clojure.lang.Keyword;
import clojure.lang.Util;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Argument checks of the Java API. Each failure names the method or argument and the value. */
final class Check {
  private Check() {}

  /** The shortest duration anything accepts: nothing in the library is meant for less. */
  static final Duration MINIMUM = Duration.ofMillis(1);

  static long atLeastOne(String method, long value) {
    if (value < 1) throw InvalidInputException.ofCall(method, value, "must be at least 1");
    return value;
  }

  static Duration duration(String method, @Nullable Duration value) {
    notNull(method, value);
    if (value.compareTo(MINIMUM) < 0) {
      throw InvalidInputException.ofCall(method, value, "must be at least 1 millisecond");
    }
    return value;
  }

  static <T> T notNull(String method, @Nullable T value) {
    if (value == null) throw InvalidInputException.ofCall(method, null, "must not be null");
    return value;
  }

  static Object key(@Nullable Object key) {
    if (key == null) throw new InvalidInputException("key", null, "must not be nil");
    return clojureHashable(key);
  }

  static Object connection(Object key, @Nullable Object connection) {
    if (connection == null) {
      throw new InvalidInputException(
          "connection",
          null,
          "must not be nil (storing under key " + Shown.key(key) + ")");
    }
    return connection;
  }

  /**
   * Refuses a key nested too deeply to hash the way Clojure's maps do ({@code hasheq}), with a
   * clear error here instead of a stack overflow inside a map. Clojure collections cache their
   * hash, so hashing the key again later is free.
   */
  static Object clojureHashable(Object key) {
    if (key instanceof Keyword || key instanceof String || key instanceof Number) return key;
    try {
      int unused = Util.hasheq(key);
    } catch (StackOverflowError e) {
      throw InvalidInputException.tooDeep("key", key);
    }
    return key;
  }
}
