package datastar.wow.deacon;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One push through a {@link SharedHistory}: where it goes, what was sent, the streams here it is
 * for, and, for one another node sent, the token to append with. Immutable.
 */
final class Push {
  /** A key, or a pattern. */
  final Object target;
  /** What was sent, as the other nodes would render it. */
  final Object message;
  /** The streams here under keys matching {@link #target}. */
  final List<Map.Entry<Object, Object>> here;
  /** Null for a push made here; the sender's token for one that arrived from another node. */
  final @Nullable String token;

  Push(Object target, Object message, List<Map.Entry<Object, Object>> here, @Nullable String token) {
    this.target = target;
    this.message = message;
    this.here = here;
    this.token = token;
  }
}
