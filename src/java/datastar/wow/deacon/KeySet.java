package datastar.wow.deacon;

import clojure.lang.IPersistentSet;
import clojure.lang.PersistentHashSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The keys holding one connection, as kept by the reverse indexes. Nearly always one key, kept as
 * itself; only a connection stored under several keys gets a {@code KeySet}. Immutable.
 */
final class KeySet {
  private final IPersistentSet keys;

  private KeySet(IPersistentSet keys) {
    this.keys = keys;
  }

  /**
   * @param holder null, a key, or a KeySet
   * @return a holder with {@code key} added
   */
  static Object add(Object holder, Object key) {
    if (holder == null) return key;
    if (holder instanceof KeySet) {
      return new KeySet((IPersistentSet) ((KeySet) holder).keys.cons(key));
    }
    if (clojure.lang.Util.equiv(holder, key)) return holder;
    return new KeySet(PersistentHashSet.create(holder, key));
  }

  /**
   * @param holder null, a key, or a KeySet
   * @return a holder without {@code key}, or null when none is left
   */
  static Object remove(Object holder, Object key) {
    if (holder instanceof KeySet) {
      IPersistentSet rest = ((KeySet) holder).keys.disjoin(key);
      if (rest.count() == 0) return null;
      if (rest.count() == 1) return rest.seq().first();
      return new KeySet(rest);
    }
    return clojure.lang.Util.equiv(holder, key) ? null : holder;
  }

  /** @return the keys in {@code holder} */
  static List<Object> keys(Object holder) {
    if (holder == null) return Collections.emptyList();
    if (holder instanceof KeySet) {
      List<Object> all = new ArrayList<>();
      for (Object k : (Iterable<?>) ((KeySet) holder).keys) all.add(k);
      return Collections.unmodifiableList(all);
    }
    return Collections.singletonList(holder);
  }
}
