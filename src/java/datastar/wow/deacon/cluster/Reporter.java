package datastar.wow.deacon.cluster;

import clojure.lang.Keyword;

/** Hands failures to the app's {@link ErrorHandler}, which must never break the backplane. */
final class Reporter {
  private final String node;
  private final ErrorHandler handler;
  private volatile boolean silent;

  Reporter(String node, ErrorHandler handler) {
    this.node = node;
    this.handler = handler;
  }

  /**
   * Reports a failure.
   *
   * @param extra more {@code ex-data}, as alternating keys and values
   * @return the exception reported, for a caller that also fails a stage with it
   */
  BackplaneException error(Keyword op, String message, Throwable cause, Object... extra) {
    BackplaneException e = new BackplaneException(op, node, message, extra, cause);
    report(e);
    return e;
  }

  /** From now on reports nothing: the node is leaving, and its connections closing is no failure. */
  void silence() {
    silent = true;
  }

  void report(BackplaneException e) {
    if (silent) return;
    try {
      handler.onError(e);
    } catch (RuntimeException | LinkageError | StackOverflowError ignored) {
      // what the handler throws is ignored, as documented on ErrorHandler
    }
  }
}
