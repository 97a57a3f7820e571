package datastar.wow.deacon.cluster;

import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import datastar.wow.deacon.InvalidInputException;
import datastar.wow.deacon.Shown;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by the sender, before anything reaches Redis, when a key, a pattern or a payload is not
 * plain data or encodes larger than the size cap. The message and {@code ex-data} name the input
 * ({@link #input()}: {@code "key"}, {@code "pattern"} or {@code "payload"}), where the bad value
 * sits in it ({@code :path}, e.g. {@code [0 2 :on-click]}: index 0 of the payload, index 2 of that,
 * the value under {@code :on-click}), the value and the reason.
 *
 * <pre>{@code
 * try {
 *   store.send(key, effects);
 * } catch (InvalidPayloadException e) {
 *   e.input(); // "payload"
 *   e.path();  // [0 2 :on-click]
 * }
 * }</pre>
 */
public final class InvalidPayloadException extends InvalidInputException {
  private static final long serialVersionUID = 2L;
  private static final Keyword PATH = Keyword.intern("path");

  private final transient List<?> path;

  InvalidPayloadException(Keyword input, List<?> path, @Nullable Object value, String reason) {
    super(input.getName(), value, reason, message(input, path, value, reason));
    this.path = path;
  }

  /**
   * Gives the {@code ex-data}.
   *
   * @return {@code :input}, {@code :value}, {@code :reason} and {@code :path}
   */
  @Override
  public IPersistentMap getData() {
    return super.getData().assoc(PATH, path);
  }

  private static String message(Keyword input, List<?> path, @Nullable Object value, String reason) {
    String shown = shown(input, path, value);
    return "datastar.wow.deacon.cluster: the "
        + input.getName()
        + " cannot be sent: "
        + (path.isEmpty() ? "the value" : "the value at " + Shown.value(path))
        + ", "
        + shown
        + (value == null ? "" : " (" + value.getClass().getName() + ")")
        + ", "
        + reason
        + "; nothing was sent";
  }

  /** The refused value as a message may show it: never the scope of a key in full. */
  private static String shown(Keyword input, List<?> path, @Nullable Object value) {
    if (input.getName().equals("payload")) return Shown.value(value);
    if (path.isEmpty()) return Shown.key(value);
    Object first = path.get(0);
    boolean inScope = first instanceof Number && ((Number) first).longValue() == 0;
    return inScope ? "(in the key's scope, not shown)" : Shown.value(value);
  }

  /**
   * Where the refused value sits in the input: vector and list indexes, and map keys.
   *
   * @return a Clojure vector, empty when the input itself was refused
   */
  public List<?> path() {
    return path;
  }
}
