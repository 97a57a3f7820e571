package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.PersistentHashMap;
import clojure.lang.Util;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The atom store's record of which keys hold one connection, each with the owner that stored it.
 * Nearly always one key: kept as the key itself when it has no owner, or as a {@link One} when it
 * has; only a connection stored under several keys gets a {@link Many}. Immutable.
 */
final class KeyOwners {
  private KeyOwners() {}

  /** One key and its owner. */
  static final class One {
    final Object key;
    final Object owner;

    One(Object key, Object owner) {
      this.key = key;
      this.owner = owner;
    }
  }

  /** Several keys: key -> owner (nil for none). */
  static final class Many {
    final IPersistentMap owners;

    Many(IPersistentMap owners) {
      this.owners = owners;
    }
  }

  private static Object single(Object key, Object owner) {
    return owner == null ? key : new One(key, owner);
  }

  private static boolean sameKey(Object a, Object b) {
    return a == b || Util.equiv(a, b);
  }

  /**
   * Adds a key, or replaces its owner.
   *
   * @param holder null, a key, a One or a Many
   * @return a holder with {@code key} added (or its owner replaced)
   */
  static Object add(Object holder, Object key, Object owner) {
    if (holder == null) return single(key, owner);
    if (holder instanceof Many) return new Many(((Many) holder).owners.assoc(key, owner));
    Object heldKey = holder instanceof One ? ((One) holder).key : holder;
    if (sameKey(heldKey, key)) return single(heldKey, owner);
    Object heldOwner = holder instanceof One ? ((One) holder).owner : null;
    return new Many(PersistentHashMap.EMPTY.assoc(heldKey, heldOwner).assoc(key, owner));
  }

  /**
   * Removes a key.
   *
   * @param holder null, a key, a One or a Many
   * @return a holder without {@code key}, or null when none is left
   */
  static Object remove(Object holder, Object key) {
    if (holder == null) return null;
    if (holder instanceof Many) {
      IPersistentMap rest = ((Many) holder).owners.without(key);
      if (rest.count() > 1) return new Many(rest);
      if (rest.count() == 0) return null;
      Map.Entry<?, ?> last = (Map.Entry<?, ?>) rest.seq().first();
      return single(last.getKey(), last.getValue());
    }
    Object heldKey = holder instanceof One ? ((One) holder).key : holder;
    return sameKey(heldKey, key) ? null : holder;
  }

  /** Returns the owner of {@code key} in {@code holder}, or null. */
  static Object owner(Object holder, Object key) {
    if (holder instanceof Many) return ((Many) holder).owners.valAt(key);
    if (holder instanceof One) return sameKey(((One) holder).key, key) ? ((One) holder).owner : null;
    return null;
  }

  /** Returns the keys in {@code holder}. */
  static List<Object> keys(Object holder) {
    if (holder == null) return Collections.emptyList();
    List<Object> keys = new ArrayList<>();
    forEach(holder, (key, owner) -> keys.add(key));
    return Collections.unmodifiableList(keys);
  }

  /** Calls {@code visit} with each (key, owner) of {@code holder}. */
  static void forEach(Object holder, BiConsumer<Object, Object> visit) {
    if (holder == null) return;
    if (holder instanceof Many) {
      for (Object o : ((Many) holder).owners) {
        Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
        visit.accept(e.getKey(), e.getValue());
      }
    } else if (holder instanceof One) {
      visit.accept(((One) holder).key, ((One) holder).owner);
    } else {
      visit.accept(holder, null);
    }
  }
}
