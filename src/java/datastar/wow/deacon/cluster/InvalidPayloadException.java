package datastar.wow.deacon.cluster;

import clojure.lang.ExceptionInfo;
import clojure.lang.IPersistentMap;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.RT;
import clojure.lang.Var;
import java.util.List;

/**
 * Thrown by the sender, before anything reaches Redis, when a key, a pattern or a payload is not
 * plain data or encodes larger than the size cap. The message and {@code ex-data} name the input
 * ({@code :key}, {@code :pattern} or {@code :payload}), where the bad value sits in it ({@code
 * :path}, e.g. {@code [0 2 :on-click]}: index 0 of the payload, index 2 of that, the value under
 * {@code :on-click}), the value and the reason.
 *
 * <pre>{@code
 * try {
 *   backplane.send(key, effects);
 * } catch (InvalidPayloadException e) {
 *   e.path(); // [0 2 :on-click]
 * }
 * }</pre>
 */
public final class InvalidPayloadException extends ExceptionInfo {
  private static final long serialVersionUID = 1L;
  private static final Keyword INPUT = Keyword.intern("input");
  private static final Keyword PATH = Keyword.intern("path");
  private static final Keyword VALUE = Keyword.intern("value");
  private static final Keyword REASON = Keyword.intern("reason");
  private static final Var PRINT_LENGTH = RT.var("clojure.core", "*print-length*");
  private static final Var PRINT_LEVEL = RT.var("clojure.core", "*print-level*");

  private final transient Keyword input;
  private final transient List<?> path;
  private final transient Object value;

  InvalidPayloadException(Keyword input, List<?> path, Object value, String reason) {
    super(message(input, path, value, reason), data(input, path, value, reason));
    this.input = input;
    this.path = path;
    this.value = value;
  }

  private static IPersistentMap data(Keyword input, List<?> path, Object value, String reason) {
    return PersistentArrayMap.createAsIfByAssoc(
        new Object[] {INPUT, input, PATH, path, VALUE, value, REASON, reason});
  }

  private static String message(Keyword input, List<?> path, Object value, String reason) {
    return "datastar.wow.deacon.cluster: "
        + input
        + " cannot be sent: "
        + (path.isEmpty() ? "the value" : "the value at " + shown(path))
        + ", "
        + shown(value)
        + (value == null ? "" : " (" + value.getClass().getName() + ")")
        + ", "
        + reason
        + "; nothing was sent";
  }

  /** A short printed form: the value may be huge, deep or unprintable. */
  static String shown(Object value) {
    String s;
    Var.pushThreadBindings(RT.mapUniqueKeys(PRINT_LENGTH, 8L, PRINT_LEVEL, 3L));
    try {
      s = RT.printString(value);
    } catch (RuntimeException | StackOverflowError e) {
      s = "<unprintable>";
    } finally {
      Var.popThreadBindings();
    }
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /**
   * Which input was refused.
   *
   * @return {@code :key}, {@code :pattern} or {@code :payload}
   */
  public Keyword input() {
    return input;
  }

  /**
   * Where the refused value sits in the input: vector and list indexes, and map keys.
   *
   * @return a Clojure vector, empty when the input itself was refused
   */
  public List<?> path() {
    return path;
  }

  /**
   * The refused value: the one that is not data, or the whole input when it is too large.
   *
   * @return the value, possibly null
   */
  public Object value() {
    return value;
  }
}
