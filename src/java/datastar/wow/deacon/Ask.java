package datastar.wow.deacon;

import clojure.lang.ILookup;
import clojure.lang.Keyword;
import org.jspecify.annotations.Nullable;

/**
 * What a handler's response asks of deacon, read once per dispatch: one of the four response keys
 * with its key or pattern, and the connection the response names itself, if any.
 *
 * <table>
 *   <caption>Response keys</caption>
 *   <tr><th>key</th><th>{@link Mode}</th><th>value</th></tr>
 *   <tr><td>{@code :datastar.wow.deacon/key}</td><td>{@link Mode#KEY}</td><td>a key</td></tr>
 *   <tr><td>{@code :datastar.wow.deacon/subscribe}</td><td>{@link Mode#SUBSCRIBE}</td><td>a key</td></tr>
 *   <tr><td>{@code :datastar.wow.deacon/broadcast}</td><td>{@link Mode#BROADCAST}</td><td>a pattern</td></tr>
 *   <tr><td>{@code :datastar.wow.deacon/broadcast-all}</td><td>{@link Mode#BROADCAST_ALL}</td><td>a pattern</td></tr>
 * </table>
 */
final class Ask {
  /** What to do with the key or pattern. */
  enum Mode {
    /** Reuse the key's stream(s), or store the request's new stream under it. */
    KEY(Names.KEY),
    /** Always open a new stream and store it under the key. */
    SUBSCRIBE(Names.SUBSCRIBE),
    /** Run the effects on every stream of the request's scope whose key matches. */
    BROADCAST(Names.BROADCAST),
    /** Run the effects on every stream of every scope whose key matches. */
    BROADCAST_ALL(Names.BROADCAST_ALL);

    final Keyword responseKey;

    Mode(Keyword responseKey) {
      this.responseKey = responseKey;
    }

    boolean broadcasts() {
      return this == BROADCAST || this == BROADCAST_ALL;
    }
  }

  /** The mode, or null when the response names none (it may still name a connection). */
  final @Nullable Mode mode;
  /** The key or pattern of {@link #mode}. */
  final @Nullable Object target;
  /** {@code :datastar.wow/connection} of the response: the original design's reuse by key. */
  final @Nullable Object named;
  final ILookup response;

  private Ask(@Nullable Mode mode, @Nullable Object target, @Nullable Object named, ILookup response) {
    this.mode = mode;
    this.target = target;
    this.named = named;
    this.response = response;
  }

  /**
   * Reads a response.
   *
   * @return what it asks, or null when it names neither a response key nor a connection (a few
   *     map look-ups, no allocation)
   */
  static @Nullable Ask of(ILookup response) {
    Mode mode = null;
    Object target = null;
    for (Mode m : MODES) {
      target = response.valAt(m.responseKey);
      if (target != null) {
        mode = m;
        break;
      }
    }
    Object named = response.valAt(Names.CONNECTION);
    if (mode == null && named == null) return null;
    return new Ask(mode, target, named, response);
  }

  /** Whether the response names more than one of the four response keys: then it is refused. */
  boolean namesSeveral() {
    int n = 0;
    for (Mode m : MODES) {
      if (response.valAt(m.responseKey) != null) n++;
    }
    return n > 1;
  }

  private static final Mode[] MODES = Mode.values();

  /** The response's {@code :datastar.wow/fx}, for the other nodes at look-up. */
  @Nullable Object fx() {
    return response.valAt(Names.FX);
  }

  /** The response's {@code :datastar.wow/with-open-sse?}, when it has one. */
  @Nullable Object withOpenSse(Object notFound) {
    return response.valAt(Names.WITH_OPEN_SSE, notFound);
  }
}
