package datastar.wow.deacon.cluster;

/**
 * Where a node's backplane hands the messages other nodes sent it. Called on one thread per
 * backplane, in the order the messages arrived, so a slow receiver delays the ones after it: keep
 * it short or hand the work off. What it throws goes to the {@link ErrorHandler}.
 */
@FunctionalInterface
interface Receiver {
  /**
   * Delivers one message to this node's local streams.
   *
   * @param target for a routed send, the key it was sent to; for a broadcast, the pattern, which
   *     the receiver matches against its own keys (e.g. with {@code KeyPattern.matches})
   * @param isPattern true for a broadcast, false for a routed send
   * @param payload the data that was sent, as read back from EDN
   * @param fromNode the id of the node that sent it
   */
  void deliver(Object target, boolean isPattern, Object payload, String fromNode);
}
