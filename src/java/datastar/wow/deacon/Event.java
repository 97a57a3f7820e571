package datastar.wow.deacon;

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
  }
}
