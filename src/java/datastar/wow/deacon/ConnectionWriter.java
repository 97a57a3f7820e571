package datastar.wow.deacon;

/**
 * Writes one message to one connection, for {@code send} ({@link AtomStore#send(Object, Object)}, {@link CaffeineStore#send(Object, Object)}): how an
 * app without datastar.wow pushes to every tab of a user or every subscriber of a topic. Answer
 * {@code false} when the connection turned out to be closed: the store then removes it (cause
 * {@link RemovalCause#DEAD}). Whatever it throws is logged and the connection is kept; the next
 * send or the heartbeat decides about it.
 *
 * <pre>{@code
 * CaffeineStore store = CaffeineStore.builder()
 *     .fanOut(true)
 *     .writer((conn, message) -> {
 *       try {
 *         ((MySseStream) conn).send((String) message);
 *         return true;
 *       } catch (IOException closed) {
 *         return false;
 *       }
 *     })
 *     .build();
 * store.send(Deacon.scopedKey(userId, FEED), "data: hello\n\n");   // every tab of that user
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionWriter {
  /**
   * Writes {@code message} to {@code connection}.
   *
   * @param connection a stored connection
   * @param message what {@code send} was given
   * @return false when the connection is closed
   * @throws Exception when the write failed for another reason
   */
  boolean write(Object connection, Object message) throws Exception;

  /**
   * Writes {@code message} to {@code connection} as the event with SSE id {@code id}: what a store
   * with replay calls, live and when it replays the message to a stream that reconnected. Write
   * the id line with the event ({@code id: ...}) for the browser to send it back as {@code
   * last-event-id}. The default ignores the id.
   *
   * @param connection a stored connection
   * @param message what {@code send} was given
   * @param id the event's id, ordered per key
   * @return false when the connection is closed
   * @throws Exception when the write failed for another reason
   */
  default boolean write(Object connection, Object message, String id) throws Exception {
    return write(connection, message);
  }
}
