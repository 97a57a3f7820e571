package datastar.wow.deacon;

import clojure.lang.IFn;
import clojure.lang.IPersistentVector;
import clojure.lang.PersistentVector;
import clojure.lang.RT;
import clojure.lang.Sequential;
import org.jspecify.annotations.Nullable;

/**
 * One event as a key's history keeps it: its id and what was written, rendered once. For an app
 * on datastar.wow, a {@link Rendered}: the SSE event the Datastar SDK was handed; for a store with
 * a {@link ConnectionWriter}, the message given to {@code send}. Immutable.
 */
final class Event {
  /** The SSE id: ordered per key. */
  final String id;
  /** When it was recorded, in the history's clock (nanoseconds). */
  final long at;
  /** A {@link Rendered} event, or a writer's message. */
  final @Nullable Object payload;

  Event(String id, long at, @Nullable Object payload) {
    this.id = id;
    this.at = at;
    this.payload = payload;
  }

  /** An SSE event as the Datastar SDK's {@code send-event!} is handed it. */
  static final class Rendered {
    final Object type;
    final Object lines;
    /** The SDK's retry duration, or null. */
    final @Nullable Object retry;

    Rendered(Object type, Object lines, @Nullable Object retry) {
      this.type = type;
      this.lines = lines;
      this.retry = retry;
    }

    /**
     * Hands the event to the SDK's {@code send-event!} ({@code send}) for {@code stream}, with the
     * SDK's options {@code opts}.
     *
     * @return false when the SDK says the stream is closed
     */
    boolean sendTo(IFn send, Object stream, @Nullable Object opts) {
      return !Boolean.FALSE.equals(send.invoke(stream, type, lines, opts));
    }

    /** As a {@link SharedLog} carries it: {@code [type data-lines retry-or-nil]}. */
    Object toData() {
      Object data = lines instanceof Sequential ? PersistentVector.create(RT.seq(lines)) : lines;
      return PersistentVector.create(type, data, retry);
    }

    /**
     * Reads an event a {@link SharedLog} carried.
     *
     * @return the event, or null when {@code data} is not {@code [type data-lines retry-or-nil]}
     */
    static @Nullable Rendered fromData(Object data) {
      if (!(data instanceof IPersistentVector) || ((IPersistentVector) data).count() != 3) return null;
      IPersistentVector v = (IPersistentVector) data;
      Object type = v.nth(0);
      Object lines = v.nth(1);
      Object retry = v.nth(2);
      if (type == null || lines == null || (retry != null && !(retry instanceof Number))) return null;
      return new Rendered(type, lines, retry);
    }
  }
}
