package datastar.wow.deacon.impl;

import clojure.lang.BigInt;
import clojure.lang.IFn;
import clojure.lang.IPersistentCollection;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.Symbol;
import datastar.wow.deacon.InvalidInputException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A Clojure options map, read in Clojure's vocabulary: each value is checked as it is read, and
 * each error names its option keyword ({@code :maximum-size}) and the value the caller gave. A nil
 * value means "use the default".
 */
final class Options {
  private final IPersistentMap map;

  private Options(IPersistentMap map) {
    this.map = map;
  }

  /**
   * Reads an options map.
   *
   * @param subject what the options are for, for messages (e.g. "store :caffeine")
   * @param options the map given; nil is an empty map
   * @param known the unqualified keys understood. Qualified keyword keys are left alone for the
   *     caller's own use; any other key (an unknown keyword, a string, a symbol) is refused
   */
  static Options read(String subject, @Nullable Object options, Set<Keyword> known) {
    if (options == null) return new Options(PersistentArrayMap.EMPTY);
    if (!(options instanceof IPersistentMap)) {
      throw new InvalidInputException("options of " + subject, options, "must be a map");
    }
    IPersistentMap map = (IPersistentMap) options;
    for (Object o : map) {
      Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
      Object key = e.getKey();
      if (key instanceof Keyword && ((Keyword) key).getNamespace() != null) continue;
      if (key instanceof Keyword && known.contains(key)) continue;
      Set<String> names = new TreeSet<>();
      for (Keyword k : known) names.add(k.toString());
      String what =
          key instanceof Keyword
              ? "is not an option of " + subject
              : "is not an option of " + subject + " (option keys are keywords)";
      throw new InvalidInputException(shown(key), e.getValue(), what + "; known: " + names);
    }
    return new Options(map);
  }

  private static String shown(@Nullable Object key) {
    if (key instanceof String) return "\"" + key + "\"";
    return String.valueOf(key);
  }

  @Nullable Object get(Keyword key) {
    return map.valAt(key);
  }

  boolean has(Keyword key) {
    return map.valAt(key) != null;
  }

  long atLeastOne(Keyword key) {
    Object v = map.valAt(key);
    long n = toLong(key, v);
    if (n < 1) throw new InvalidInputException(key.toString(), v, "must be at least 1");
    return n;
  }

  Duration millis(Keyword key) {
    Object v = map.valAt(key);
    long n = toLong(key, v);
    if (n < 1) {
      throw new InvalidInputException(key.toString(), v, "must be a positive number of milliseconds");
    }
    return Duration.ofMillis(n);
  }

  /**
   * Functions given as options: anything callable except keywords, symbols and collections, which
   * are callable in Clojure but as a callback are nearly always a mistake ({@code :id-fn
   * :session-id} would look the key up in the dispatch ctx and always find nil).
   */
  IFn fn(Keyword key) {
    Object v = map.valAt(key);
    if (v instanceof IFn
        && !(v instanceof Keyword)
        && !(v instanceof Symbol)
        && !(v instanceof IPersistentCollection)) {
      return (IFn) v;
    }
    throw new InvalidInputException(key.toString(), v, "must be a function");
  }

  String string(Keyword key) {
    Object v = map.valAt(key);
    if (v instanceof String) return (String) v;
    throw new InvalidInputException(key.toString(), v, "must be a string");
  }

  boolean bool(Keyword key) {
    Object v = map.valAt(key);
    if (v == null || v instanceof Boolean) return Boolean.TRUE.equals(v);
    throw new InvalidInputException(key.toString(), v, "must be true or false");
  }

  <T> T instance(Keyword key, Class<T> type, String expected) {
    Object v = map.valAt(key);
    if (type.isInstance(v)) return type.cast(v);
    throw new InvalidInputException(key.toString(), v, "must be " + expected);
  }

  /** Refuses {@code key} when {@code other} is given too. */
  void exclusive(Keyword key, Keyword other, String why) {
    if (has(key) && has(other)) {
      throw new InvalidInputException(
          other.toString(), get(other), "cannot be combined with " + key + ": " + why);
    }
  }

  private static long toLong(Keyword key, @Nullable Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    BigInteger big = null;
    if (v instanceof BigInt) big = ((BigInt) v).toBigInteger();
    if (v instanceof BigInteger) big = (BigInteger) v;
    if (big != null) {
      if (big.bitLength() < 64) return big.longValue();
      throw new InvalidInputException(key.toString(), v, "is too large (at most " + Long.MAX_VALUE + ")");
    }
    throw new InvalidInputException(key.toString(), v, "must be an integer");
  }
}
