package datastar.wow.deacon.cluster;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import org.jspecify.annotations.Nullable;

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
  BackplaneException error(Keyword op, String message, @Nullable Throwable cause, Object... extra) {
    IPersistentMap data =
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {BackplaneException.OP, op, BackplaneException.NODE, node});
    for (int i = 0; i + 1 < extra.length; i += 2) data = data.assoc(extra[i], extra[i + 1]);
    BackplaneException e = new BackplaneException(op, message, data, cause);
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
