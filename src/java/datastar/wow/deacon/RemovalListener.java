package datastar.wow.deacon;

/**
 * Told once for every connection that leaves a store, whatever the reason. This is where an app
 * closes a stream the store evicted, so that no SSE response stays open with nobody able to reach
 * it.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .maximumSize(10_000)
 *     .onRemoval((key, conn, cause) -> {
 *       if (cause.wasEvicted()) ((MyStream) conn).close();
 *     })
 *     .build();
 * }</pre>
 *
 * <p>The atom store calls the listener on the thread that made the removal, after the removal is
 * visible; the Caffeine store calls it on its executor. Listeners for different connections may run
 * concurrently and in any order. Whatever the listener throws is logged on the {@code
 * datastar.wow.deacon} {@link System.Logger} and otherwise ignored: it never makes the operation
 * that removed the connection fail.
 */
@FunctionalInterface
public interface RemovalListener {
  /**
   * Receives one removal.
   *
   * @param key the key the connection was stored under (a scoped key {@code [id k]} when stored by
   *     the interceptor)
   * @param connection the connection that left
   * @param cause why it left
   */
  void onRemoval(Object key, Object connection, RemovalCause cause);
}
