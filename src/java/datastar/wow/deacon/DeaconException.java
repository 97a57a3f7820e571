package datastar.wow.deacon;

import clojure.lang.ExceptionInfo;
import clojure.lang.IPersistentMap;
import org.jspecify.annotations.Nullable;

/**
 * An {@code ex-info} of the library: its {@code ex-data} is for the code that reads it (a
 * registry's {@code :on-error} gets the real key there), while its printed form, which a log shows
 * at the head of the stack trace, is its class and message only. Clojure's own {@code
 * ExceptionInfo} prints its data too, which may hold a key whole; the library's messages show keys
 * through {@link Shown}.
 */
public class DeaconException extends ExceptionInfo {
  private static final long serialVersionUID = 1L;

  /**
   * Makes one.
   *
   * @param message what happened, keys shown through {@link Shown}
   * @param data the {@code ex-data}
   * @param cause what caused it, or null
   */
  public DeaconException(String message, IPersistentMap data, @Nullable Throwable cause) {
    super(message, data, cause);
  }

  /**
   * Prints as logs show it: class and message.
   *
   * @return e.g. {@code datastar.wow.deacon.InvalidInputException: datastar.wow.deacon: ...}
   */
  @Override
  @SuppressWarnings("OverrideThrowableToString") // ExceptionInfo's toString adds the ex-data
  public String toString() {
    return Shown.throwable(this);
  }
}
