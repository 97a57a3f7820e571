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
  /** True when the response names more than one of the four keys: then it is refused. */
  final boolean several;

  private Ask(@Nullable Mode mode, @Nullable Object target, @Nullable Object named, boolean several) {
    this.mode = mode;
    this.target = target;
    this.named = named;
    this.several = several;
  }

  private static final Mode[] MODES = Mode.values();

  /**
   * Reads a response.
   *
   * @return what it asks, or null when it names neither a response key nor a connection (five map
   *     look-ups, no allocation)
   */
  static @Nullable Ask of(ILookup response) {
    Mode mode = null;
    Object target = null;
    boolean several = false;
    for (Mode m : MODES) {
      Object value = response.valAt(m.responseKey);
      if (value == null) continue;
      several = mode != null;
      if (several) break;
      mode = m;
      target = value;
    }
    Object named = response.valAt(Names.CONNECTION);
    if (mode == null && named == null) return null;
    return new Ask(mode, target, named, several);
  }

  /** The response's values under the four keys, for the error of a response naming several. */
  static Object[] modesOf(ILookup response) {
    Object[] kvs = new Object[2 * MODES.length];
    int i = 0;
    for (Mode m : MODES) {
      kvs[i++] = m.responseKey;
      kvs[i++] = response.valAt(m.responseKey);
    }
    return kvs;
  }
}
