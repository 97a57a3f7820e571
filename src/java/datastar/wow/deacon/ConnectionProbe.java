package datastar.wow.deacon;

/**
 * Writes something harmless to a connection to learn whether its client is still there; used by a
 * store's heartbeat. Throwing anything means the connection is dead.
 *
 * <pre>{@code
 * ConnectionProbe probe = conn -> ((MySseStream) conn).writeComment("ping");
 * }</pre>
 */
@FunctionalInterface
public interface ConnectionProbe {
  /**
   * @param connection a stored connection
   * @throws Exception when the write failed
   */
  void send(Object connection) throws Exception;
}
