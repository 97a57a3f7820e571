package datastar.wow.deacon;

import clojure.lang.ExceptionInfo;
import clojure.lang.IPersistentMap;
import org.jspecify.annotations.Nullable;

/**
 * A failure of the registry's own work, given to {@code :on-error}: an {@code ex-info} whose
 * {@code ex-data} holds the real key, for the app, while its printed form (what a log shows with
 * the stack trace) is its class and message only, whose key {@link Shown} shows with its scope as a
 * digest. Clojure's own {@code ExceptionInfo} prints its data too.
 */
final class Failure extends ExceptionInfo {
  private static final long serialVersionUID = 1L;

  Failure(String message, IPersistentMap data, @Nullable Throwable cause) {
    super(message, data, cause);
  }

  /** Prints as logs show it: class and message; {@code ex-data} is left to who reads it. */
  @Override
  @SuppressWarnings("OverrideThrowableToString") // ExceptionInfo's toString adds the ex-data
  public String toString() {
    return Shown.throwable(this);
  }
}
