package datastar.wow.deacon;

import clojure.lang.Indexed;
import clojure.lang.RT;
import org.jspecify.annotations.Nullable;

/**
 * The three dispatches datastar.wow makes for one Datastar request, named as datastar.wow names
 * them: the actions of each tell them apart.
 */
enum Phase {
  /**
   * {@code [[:datastar.wow/connection]]}, with {@code :sse} nil: datastar.wow asks for a stream
   * to reuse; a non-nil answer makes the request a 204.
   */
  CONNECTION,
  /** The response's {@code :datastar.wow/fx}, with {@code :sse} bound to the stream they go down. */
  FX,
  /** {@code [[:datastar.wow/sse-closed]]}, with {@code :sse} nil: the request's own stream closed. */
  SSE_CLOSED;

  /** The phase of a dispatch of {@code actions}. */
  static Phase of(@Nullable Object actions) {
    if (!(actions instanceof Iterable)) return FX;
    Phase phase = FX;
    for (Object action : (Iterable<?>) actions) {
      Object id = action instanceof Indexed && RT.count(action) > 0 ? ((Indexed) action).nth(0) : null;
      if (id == Names.CONNECTION) return CONNECTION;
      if (id == Names.SSE_CLOSED) phase = SSE_CLOSED;
    }
    return phase;
  }

  /**
   * Tells the look-up datastar.wow makes, {@code [[:datastar.wow/connection]]}, without walking
   * the actions of any other dispatch.
   */
  static boolean isConnection(@Nullable Object actions) {
    if (!(actions instanceof Indexed) || RT.count(actions) != 1) return false;
    Object action = ((Indexed) actions).nth(0);
    return action instanceof Indexed && RT.count(action) > 0 && ((Indexed) action).nth(0) == Names.CONNECTION;
  }
}
