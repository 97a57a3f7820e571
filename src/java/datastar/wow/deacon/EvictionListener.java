package datastar.wow.deacon;

/**
 * Told once for every entry that leaves a store, whatever the reason. This is where an app closes a
 * stream the store has dropped, so that no SSE response stays open with nobody able to reach it.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .maximumSize(10_000)
 *     .onEvict((key, conn, cause) -> {
 *       if (cause != EvictionCause.REPLACED) closeQuietly(conn);
 *     })
 *     .build();
 * }</pre>
 *
 * <p>The atom store calls the listener on the thread that removed the entry, after the removal is
 * visible. The Caffeine store calls it on its executor. Listeners for different entries may run
 * concurrently and in any order; an exception thrown by the listener is logged and otherwise
 * ignored.
 */
@FunctionalInterface
public interface EvictionListener {
  /**
   * @param key the key the entry was stored under (a scoped key {@code [id k]} when stored by the
   *     interceptor)
   * @param connection the connection that was stored
   * @param cause why it left
   */
  void onEvict(Object key, Object connection, EvictionCause cause);
}
