package datastar.wow.deacon;

import clojure.lang.PersistentArrayMap;
import clojure.lang.Keyword;
import org.jspecify.annotations.Nullable;

/**
 * Thrown the moment a store, a registry or a store operation is given something it cannot use. The
 * message names the input, the value and what was expected. {@link #input()} names the input as the
 * caller wrote it, always as a string: an option of a Clojure options map with its colon ({@code
 * ":maximum-size"}), a Java builder method ({@code "maximumSize"}), or an argument ({@code "key"}).
 * It is an {@code ex-info}: {@code ex-data} holds {@code :input}, {@code :value} and {@code
 * :reason}.
 *
 * <pre>{@code
 * try {
 *   CaffeineStore.builder().maximumSize(0);
 * } catch (InvalidInputException e) {
 *   e.input(); // "maximumSize"
 *   e.value(); // 0L
 *   e.getMessage(); // "datastar.wow.deacon: maximumSize(0) refused: must be at least 1"
 * }
 * }</pre>
 */
public class InvalidInputException extends DeaconException {
  private static final long serialVersionUID = 2L;
  private static final Keyword INPUT = Keyword.intern("input");
  private static final Keyword VALUE = Keyword.intern("value");
  private static final Keyword REASON = Keyword.intern("reason");

  /** What was refused, as the caller wrote it. */
  private final String input;

  /** What was expected. */
  private final String reason;

  private final transient @Nullable Object value;

  /**
   * Creates the error for an input that was refused.
   *
   * @param input what was refused, as the caller wrote it: {@code ":maximum-size"}, {@code "key"}
   * @param value the refused value
   * @param reason what was expected, e.g. "must not be nil"
   */
  public InvalidInputException(String input, @Nullable Object value, String reason) {
    this(input, value, reason, "datastar.wow.deacon: " + input + " " + reason + ", got " + describe(value));
  }

  /**
   * Creates the error with a message of its own, for a subclass that says more than which input,
   * value and reason.
   *
   * @param input what was refused, as the caller wrote it
   * @param value the refused value
   * @param reason what was expected
   * @param message the whole message
   */
  protected InvalidInputException(String input, @Nullable Object value, String reason, String message) {
    super(
        message,
        PersistentArrayMap.createAsIfByAssoc(new Object[] {INPUT, input, VALUE, value, REASON, reason}),
        null);
    this.input = input;
    this.reason = reason;
    this.value = value;
  }

  /**
   * Makes the error for a Java method given a value it cannot use, in Java vocabulary: {@code
   * datastar.wow.deacon: maximumSize(0) refused: must be at least 1}.
   *
   * @param method the method, e.g. {@code "maximumSize"}; it is {@link #input()}
   * @param value the refused value
   * @param reason what was expected, e.g. "must be at least 1"
   * @return the error, to throw
   */
  public static InvalidInputException ofCall(String method, @Nullable Object value, String reason) {
    String shown;
    try {
      shown = String.valueOf(value);
    } catch (RuntimeException | StackOverflowError e) {
      shown = "<unprintable>";
    }
    if (shown.length() > 200) shown = shown.substring(0, 200) + "...";
    return new InvalidInputException(
        method, value, reason, "datastar.wow.deacon: " + method + "(" + shown + ") refused: " + reason);
  }

  /**
   * The error for a value nested so deeply that hashing it overflows the stack. The value itself is
   * not kept ({@link #value()} and {@code :value} hold its short printed form), so that printing
   * the error cannot overflow the stack again.
   */
  static InvalidInputException tooDeep(String input, Object value) {
    String reason = "is nested too deeply to hash (the stack overflowed); refused";
    String shown = Shown.key(value) + " (" + value.getClass().getName() + ")";
    return new InvalidInputException(
        input, shown, reason, "datastar.wow.deacon: " + input + " " + reason + ", got " + shown);
  }

  /**
   * Prints a value shortly, with its class, for error messages.
   *
   * @param value anything
   * @return e.g. {@code [:a 1] (clojure.lang.PersistentVector)}
   */
  static String describe(@Nullable Object value) {
    return value == null ? "nil" : Shown.value(value) + " (" + value.getClass().getName() + ")";
  }

  /**
   * Says what was expected.
   *
   * @return e.g. {@code "must be at least 1"}
   */
  public String reason() {
    return reason;
  }

  /**
   * Names what was refused, as the caller wrote it.
   *
   * @return {@code ":maximum-size"} (a Clojure option), {@code "maximumSize"} (a Java builder
   *     method) or {@code "key"} (an argument)
   */
  public String input() {
    return input;
  }

  /**
   * Returns the refused value.
   *
   * @return the value, possibly {@code null}
   */
  public @Nullable Object value() {
    return value;
  }
}
