package datastar.wow.deacon;

import clojure.lang.BigInt;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Reading option maps: each value is checked as it is read, and each error names its option. */
final class Options {
  private final IPersistentMap map;

  private Options(IPersistentMap map) {
    this.map = map;
  }

  /**
   * @param subject what the options are for, for messages (e.g. "store :caffeine")
   * @param options the map given; nil is an empty map
   * @param known the unqualified keys understood; any other unqualified keyword key is refused
   *     (qualified keys are left alone for the caller's own use)
   */
  static Options read(Object subject, Object options, Set<Keyword> known) {
    if (options == null) return new Options(clojure.lang.PersistentArrayMap.EMPTY);
    if (!(options instanceof IPersistentMap)) {
      throw new InvalidInputException("options of " + subject, options, "must be a map");
    }
    IPersistentMap map = (IPersistentMap) options;
    for (Object o : map) {
      Object key = ((Map.Entry<?, ?>) o).getKey();
      if (key instanceof Keyword && ((Keyword) key).getNamespace() == null && !known.contains(key)) {
        Set<String> names = new TreeSet<>();
        for (Keyword k : known) names.add(k.toString());
        throw new InvalidInputException(
            key, ((Map.Entry<?, ?>) o).getValue(), "is not an option of " + subject + "; known: " + names);
      }
    }
    return new Options(map);
  }

  /** @return the value, or null when absent or nil (nil means "use the default") */
  Object get(Keyword key) {
    return map.valAt(key);
  }

  boolean has(Keyword key) {
    return map.valAt(key) != null;
  }

  long nonNegativeLong(Keyword key) {
    Object v = map.valAt(key);
    long n = toLong(key, v);
    if (n < 0) throw new InvalidInputException(key, v, "must not be negative");
    return n;
  }

  Duration millis(Keyword key) {
    return Duration.ofMillis(nonNegativeLong(key));
  }

  Duration positiveMillis(Keyword key) {
    Object v = map.valAt(key);
    long n = toLong(key, v);
    if (n <= 0) throw new InvalidInputException(key, v, "must be a positive number of milliseconds");
    return Duration.ofMillis(n);
  }

  clojure.lang.IFn fn(Keyword key) {
    return Check.fn(key, map.valAt(key));
  }

  boolean bool(Keyword key) {
    Object v = map.valAt(key);
    if (v == null || v instanceof Boolean) return Boolean.TRUE.equals(v);
    throw new InvalidInputException(key, v, "must be true or false");
  }

  <T> T instance(Keyword key, Class<T> type, String expected) {
    Object v = map.valAt(key);
    if (type.isInstance(v)) return type.cast(v);
    throw new InvalidInputException(key, v, "must be " + expected);
  }

  private static long toLong(Keyword key, Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    BigInteger big = null;
    if (v instanceof BigInt) big = ((BigInt) v).toBigInteger();
    if (v instanceof BigInteger) big = (BigInteger) v;
    if (big != null) {
      if (big.bitLength() < 64) return big.longValue();
      throw new InvalidInputException(key, v, "is too large (at most " + Long.MAX_VALUE + ")");
    }
    throw new InvalidInputException(key, v, "must be an integer");
  }
}
