package datastar.wow.deacon;

/**
 * Writes something harmless to a connection to learn whether its client is still there; the
 * store's heartbeat calls it. Returning {@code false} or throwing means the connection is dead; the
 * heartbeat then removes it with cause {@link RemovalCause#DEAD}.
 *
 * <p>This matches the Datastar SDKs, whose send functions answer {@code false} for a closed stream
 * instead of throwing:
 *
 * <pre>{@code
 * ConnectionProbe probe = conn -> ((MySseStream) conn).writeComment("ping");
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionProbe {
  /**
   * Probes one connection.
   *
   * @param connection a stored connection
   * @return false when the write found the connection closed
   * @throws Exception when the write failed, which also means dead
   */
  boolean send(Object connection) throws Exception;
}
