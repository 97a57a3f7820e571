package datastar.wow.deacon;

import clojure.lang.ExceptionInfo;
import clojure.lang.Var;
import clojure.lang.Keyword;
import clojure.lang.PersistentArrayMap;
import clojure.lang.RT;

/**
 * Thrown the moment a store, a registry or a store operation is given something it cannot use. The
 * message names the input (an option such as {@code :maximum-size}, or an argument such as {@code
 * connection}), the value and what was expected; {@code ex-data} holds {@code :input}, {@code
 * :value} and {@code :reason}, so Clojure callers handle it like any {@code ex-info}.
 *
 * <pre>{@code
 * try {
 *   CaffeineStore.builder().maximumSize(-1);
 * } catch (InvalidInputException e) {
 *   e.input(); // :maximum-size
 *   e.value(); // -1
 * }
 * }</pre>
 */
public final class InvalidInputException extends ExceptionInfo {
  private static final long serialVersionUID = 1L;
  private static final Keyword INPUT = Keyword.intern("input");
  private static final Keyword VALUE = Keyword.intern("value");
  private static final Keyword REASON = Keyword.intern("reason");

  private static final Var PRINT_LENGTH = RT.var("clojure.core", "*print-length*");
  private static final Var PRINT_LEVEL = RT.var("clojure.core", "*print-level*");

  private final transient Object input;
  private final transient Object value;

  /**
   * @param input what was rejected, e.g. the option keyword {@code :maximum-size}
   * @param value the rejected value
   * @param reason what was expected, e.g. "must not be negative"
   */
  public InvalidInputException(Object input, Object value, String reason) {
    super(
        "datastar.wow.deacon: " + input + " " + reason + ", got " + describe(value),
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {INPUT, input, VALUE, value, REASON, reason}));
    this.input = input;
    this.value = value;
  }

  private InvalidInputException(Object input, Object shownValue, String reason, String message) {
    super(
        message,
        PersistentArrayMap.createAsIfByAssoc(
            new Object[] {INPUT, input, VALUE, shownValue, REASON, reason}));
    this.input = input;
    this.value = shownValue;
  }

  /**
   * The error for a value nested so deeply that hashing it overflows the stack. The value itself is
   * not kept ({@link #value()} and {@code :value} hold its short printed form), so that printing
   * the error cannot overflow the stack again.
   */
  static InvalidInputException tooDeep(Object input, Object value) {
    String reason = "is nested too deeply to hash (the stack overflowed); refused";
    String shown = describe(value);
    return new InvalidInputException(
        input, shown, reason, "datastar.wow.deacon: " + input + " " + reason + ", got " + shown);
  }

  /**
   * @param value anything
   * @return a short printed form of {@code value} with its class, for error messages
   */
  static String describe(Object value) {
    if (value == null) return "nil";
    String shown;
    Var.pushThreadBindings(RT.mapUniqueKeys(PRINT_LENGTH, 8L, PRINT_LEVEL, 3L));
    try {
      shown = RT.printString(value);
    } catch (RuntimeException | StackOverflowError e) {
      shown = "<unprintable>";
    } finally {
      Var.popThreadBindings();
    }
    if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
    return shown + " (" + value.getClass().getName() + ")";
  }

  /** @return what was rejected: an option keyword such as {@code :maximum-size}, or a name */
  public Object input() {
    return input;
  }

  /** @return the rejected value, possibly {@code null} */
  public Object value() {
    return value;
  }
}
