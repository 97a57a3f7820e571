package datastar.wow.deacon;

import clojure.lang.IPersistentMap;
import clojure.lang.PersistentArrayMap;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Counts a store's removals by cause and tells its {@link RemovalListener}, once per removal.
 * Neither the listener nor the executor can make the removing operation fail: whatever they throw
 * is logged once and the removal stays done (a removal whose executor refuses it is told on the
 * calling thread instead).
 */
final class Removals {
  private static final RemovalCause[] CAUSES = RemovalCause.values();

  private final @Nullable RemovalListener listener;
  private final @Nullable Executor executor;
  /** The store's own interest in each removal (its history's), told first, on the removing thread. */
  private volatile @Nullable BiConsumer<Object, Object> left;
  // Filled in the constructor and never changed after: safe to read from any thread.
  private final Map<RemovalCause, LongAdder> counts = new EnumMap<>(RemovalCause.class);

  /**
   * Makes the reporting of one store.
   *
   * @param listener told of each removal; may be null
   * @param executor runs the listener; null runs it on the removing thread
   */
  Removals(@Nullable RemovalListener listener, @Nullable Executor executor) {
    this.listener = listener;
    this.executor = executor;
    for (RemovalCause cause : CAUSES) counts.put(cause, new LongAdder());
  }

  /** Tells {@code left} of each removal's key and connection, on the removing thread, before the listener. */
  void alsoTell(BiConsumer<Object, Object> left) {
    this.left = left;
  }

  void report(Object key, Object connection, RemovalCause cause) {
    counts.get(cause).increment();
    BiConsumer<Object, Object> l = left;
    if (l != null) l.accept(key, connection);
    if (listener == null) return;
    if (executor == null) {
      tell(key, connection, cause);
      return;
    }
    try {
      executor.execute(() -> tell(key, connection, cause));
    } catch (Throwable t) {
      Log.rethrowIfFatal(t);
      Log.error(
          "datastar.wow.deacon: the executor refused the removal callback for key "
              + Shown.key(key)
              + "; it runs on the calling thread instead",
          t);
      tell(key, connection, cause);
    }
  }

  private void tell(Object key, Object connection, RemovalCause cause) {
    try {
      listener.onRemoval(key, connection, cause);
    } catch (Throwable t) {
      Log.rethrowIfFatal(t);
      Log.error(
          "datastar.wow.deacon: the removal listener threw for key "
              + Shown.key(key)
              + " ("
              + cause.keyword()
              + "); the connection was removed",
          t);
    }
  }

  /** Returns {cause-keyword count} for every cause. */
  IPersistentMap counts() {
    Object[] kvs = new Object[CAUSES.length * 2];
    int i = 0;
    for (RemovalCause cause : CAUSES) {
      kvs[i++] = cause.keyword();
      kvs[i++] = counts.get(cause).sum();
    }
    return PersistentArrayMap.createAsIfByAssoc(kvs);
  }

  /**
   * Wraps an executor given by the user so that a failing {@code execute} never reaches Caffeine
   * (which would log it under its own name): the failure is logged here once and the task runs on
   * the calling thread.
   */
  static Executor guarded(Executor executor) {
    return task -> {
      try {
        executor.execute(task);
      } catch (Throwable t) {
        Log.rethrowIfFatal(t);
        Log.error(
            "datastar.wow.deacon: the store's executor threw; the task runs on the calling thread",
            t);
        task.run();
      }
    };
  }
}
