package datastar.wow.deacon;

import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.RT;
import clojure.lang.Var;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How the library's own log lines and error messages show a key. The scope of a scoped key {@code
 * [id k]} is usually a session or user id, and a session id in a log is a working session cookie:
 * so the scope is shown as a short digest, the same on every node and in every run, so that the
 * lines about one session can still be matched up. {@code k} is the app's own name and is shown
 * as it is.
 *
 * <pre>
 * ["f890a550-5c1e-4c5e-9b1e-0d6c1a2b3c4d" :demo/counter]   is logged as   [scope:3f1c9a2e :demo/counter]
 * [:* :demo/counter]                                        is logged as   [:* :demo/counter]
 * </pre>
 *
 * A key that is not a two-element vector is shown as a digest too, unless it is a keyword. Only
 * what the library writes itself is affected: the exceptions and {@code ex-data} handed to a
 * registry's {@code :on-error} still hold the real key, since the app owns them.
 *
 * <p>One setting chooses the rendering, the system property {@value #PROPERTY}, read once:
 * {@code digest} (the default) or {@code full}, which prints keys whole (for development only).
 */
public final class Shown {
  /** The system property that chooses the rendering: {@code digest} (default) or {@code full}. */
  public static final String PROPERTY = "datastar.wow.deacon.keys-in-logs";

  private static final boolean FULL =
      "full".equalsIgnoreCase(System.getProperty(PROPERTY, "digest").trim());
  private static final Var PRINT_LENGTH = RT.var("clojure.core", "*print-length*");
  private static final Var PRINT_LEVEL = RT.var("clojure.core", "*print-level*");

  private Shown() {}

  /**
   * Shows a key or pattern for a log line or an error message, its scope as a digest.
   *
   * @param key a key or a pattern
   * @return its printed form with the scope as a digest, e.g. {@code [scope:3f1c9a2e :counter]}
   */
  public static String key(@Nullable Object key) {
    if (FULL || key == null || key instanceof Keyword) return value(key);
    if (key instanceof IPersistentVector && ((IPersistentVector) key).count() == 2) {
      IPersistentVector v = (IPersistentVector) key;
      return "[" + scope(v.nth(0)) + " " + value(v.nth(1)) + "]";
    }
    return scope(key);
  }

  private static String scope(@Nullable Object id) {
    if (id == Names.WILDCARD || id == Names.DEFAULT_ID) return value(id);
    return "scope:" + digest(value(id));
  }

  /**
   * Shows an exception as {@link Throwable#toString()} does for most: its class and message,
   * without what Clojure's {@code ExceptionInfo} adds (its {@code ex-data}, which may hold a key
   * whole). The library's own exceptions print so.
   *
   * @param e an exception
   * @return e.g. {@code datastar.wow.deacon.InvalidInputException: datastar.wow.deacon: ...}
   */
  public static String throwable(Throwable e) {
    String message = e.getLocalizedMessage();
    return message == null ? e.getClass().getName() : e.getClass().getName() + ": " + message;
  }

  /** The first 8 hex digits of the SHA-256 of {@code text}. */
  static String digest(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return String.format(Locale.ROOT, "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Shows any value for a message: printed as Clojure prints it, at most 8 elements of a
   * collection and 3 levels deep, and at most 200 characters, since a value may be huge, deep or
   * unprintable. Use {@link #key} for keys.
   *
   * @param value anything
   * @return its short printed form
   */
  public static String value(@Nullable Object value) {
    String shown;
    Var.pushThreadBindings(RT.mapUniqueKeys(PRINT_LENGTH, 8L, PRINT_LEVEL, 3L));
    try {
      shown = RT.printString(value);
    } catch (RuntimeException | StackOverflowError e) {
      shown = "<unprintable>";
    } finally {
      Var.popThreadBindings();
    }
    return shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
  }
}
