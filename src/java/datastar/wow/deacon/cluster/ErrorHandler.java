package datastar.wow.deacon.cluster;

/**
 * Told of every failure of the backplane that no caller sees thrown: Redis unreachable, a
 * directory write or a lease refresh that failed, a message refused on arrival, a receiver that
 * threw. Failed sends and broadcasts come here too, besides failing their stage. Called on the
 * backplane's own threads; it must not block for long, and what it throws is ignored.
 */
@FunctionalInterface
interface ErrorHandler {
  /**
   * Handles one failure.
   *
   * @param error what failed; {@link BackplaneException#op()} says which operation
   */
  void onError(BackplaneException error);
}
