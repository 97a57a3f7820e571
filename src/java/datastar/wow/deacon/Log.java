package datastar.wow.deacon;

import java.lang.System.Logger.Level;

/**
 * The library's logger, {@code datastar.wow.deacon} on {@link System.Logger}, and the rule for
 * what counts as a failure of user code: anything thrown except a {@link VirtualMachineError},
 * which is left to propagate.
 */
final class Log {
  private Log() {}

  private static final System.Logger LOGGER = System.getLogger("datastar.wow.deacon");

  static void error(String message, Throwable t) {
    LOGGER.log(Level.ERROR, message, t);
  }

  static void error(String message) {
    LOGGER.log(Level.ERROR, message);
  }

  static void warn(String message) {
    LOGGER.log(Level.WARNING, message);
  }

  static void debug(String message) {
    LOGGER.log(Level.DEBUG, message);
  }

  /** Rethrows {@code t} when it is one the JVM cannot recover from; otherwise returns. */
  static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError) throw (VirtualMachineError) t;
  }
}
