package datastar.wow.deacon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The Caffeine store's values: one {@link Stream}, or (with fan-out, when a key holds several) a
 * {@code Stream[]} of at least two, oldest first. Immutable; every change makes a new value.
 */
final class Streams {
  private Streams() {}

  static int count(@Nullable Object value) {
    if (value == null) return 0;
    return value instanceof Stream[] ? ((Stream[]) value).length : 1;
  }

  static @Nullable Object latest(@Nullable Object value) {
    if (value instanceof Stream) return ((Stream) value).connection;
    if (value instanceof Stream[]) {
      Stream[] all = (Stream[]) value;
      return all[all.length - 1].connection;
    }
    return null;
  }

  static List<Stream> all(@Nullable Object value) {
    if (value instanceof Stream) return Collections.singletonList((Stream) value);
    if (value instanceof Stream[]) return Arrays.asList((Stream[]) value);
    return Collections.emptyList();
  }

  static List<Object> connections(@Nullable Object value) {
    if (value instanceof Stream) return Collections.singletonList(((Stream) value).connection);
    List<Object> conns = new ArrayList<>();
    for (Stream s : all(value)) conns.add(s.connection);
    return Collections.unmodifiableList(conns);
  }

  static boolean holds(@Nullable Object value, Object connection) {
    if (value instanceof Stream) return ((Stream) value).connection == connection;
    if (value instanceof Stream[]) {
      for (Stream s : (Stream[]) value) {
        if (s.connection == connection) return true;
      }
    }
    return false;
  }

  /** Returns {@code value} with {@code added} after its streams. */
  static Object with(@Nullable Object value, Stream added) {
    if (value == null) return added;
    List<Stream> next = new ArrayList<>(all(value));
    next.add(added);
    return next.toArray(new Stream[0]);
  }

  /**
   * Removes streams.
   *
   * @return {@code value} without the streams {@code gone} accepts (collected into {@code
   *     removed}), or null when none is left
   */
  static @Nullable Object without(
      @Nullable Object value, Predicate<Stream> gone, List<Stream> removed) {
    List<Stream> kept = new ArrayList<>();
    for (Stream s : all(value)) {
      if (gone.test(s)) removed.add(s);
      else kept.add(s);
    }
    if (removed.isEmpty()) return value;
    if (kept.isEmpty()) return null;
    return kept.size() == 1 ? kept.get(0) : kept.toArray(new Stream[0]);
  }
}
