package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.PersistentArrayMap;
import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/** Counts removals by cause and tells the store's {@link EvictionListener}, once per removal. */
final class Evictions {
  private static final System.Logger LOG = System.getLogger("datastar.wow.deacon");
  private static final EvictionCause[] CAUSES = EvictionCause.values();

  private final EvictionListener listener;
  private final Executor executor;
  // Filled in the constructor and never changed after: safe to read from any thread.
  private final Map<EvictionCause, LongAdder> counts = new EnumMap<>(EvictionCause.class);

  /**
   * @param listener told of each removal; may be null
   * @param executor runs the listener; null runs it on the removing thread
   */
  Evictions(EvictionListener listener, Executor executor) {
    this.listener = listener;
    this.executor = executor;
    for (EvictionCause cause : CAUSES) counts.put(cause, new LongAdder());
  }

  void report(Object key, Object connection, EvictionCause cause) {
    counts.get(cause).increment();
    if (listener == null) return;
    if (executor == null) {
      tell(key, connection, cause);
      return;
    }
    try {
      executor.execute(() -> tell(key, connection, cause));
    } catch (RejectedExecutionException e) {
      tell(key, connection, cause);
    }
  }

  private void tell(Object key, Object connection, EvictionCause cause) {
    try {
      listener.onEvict(key, connection, cause);
    } catch (RuntimeException | LinkageError | AssertionError e) {
      LOG.log(Level.ERROR, "datastar.wow.deacon: :on-evict threw for key " + key + " (" + cause.keyword() + ")", e);
    }
  }

  /** @return {cause-keyword count} for every cause */
  IPersistentMap counts() {
    Object[] kvs = new Object[CAUSES.length * 2];
    int i = 0;
    for (EvictionCause cause : CAUSES) {
      kvs[i++] = cause.keyword();
      kvs[i++] = counts.get(cause).sum();
    }
    return PersistentArrayMap.createAsIfByAssoc(kvs);
  }
}
