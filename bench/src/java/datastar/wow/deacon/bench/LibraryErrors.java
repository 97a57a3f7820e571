package datastar.wow.deacon.bench;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts what the library logs (logger {@code datastar.wow.deacon}, through {@link System.Logger}
 * onto java.util.logging) instead of printing each record with its stack trace, so that a run's
 * output says in one line per kind how many failures it saw: a timed-out directory write, say.
 */
final class LibraryErrors extends Handler {
  /** Held so that the logger, and its handler, stay. */
  private final Logger logger = Logger.getLogger("datastar.wow.deacon");
  private final Map<String, Integer> seen = new TreeMap<>();

  LibraryErrors() {
    logger.setUseParentHandlers(false);
    logger.addHandler(this);
    Logger.getLogger("io.lettuce").setLevel(Level.SEVERE);
  }

  @Override
  public synchronized void publish(LogRecord record) {
    if (record.getLevel().intValue() < Level.WARNING.intValue()) return;
    // one line for all the keys of a kind: scoped keys print their scope's digits
    String m = String.valueOf(record.getMessage()).replaceAll("scope:[0-9a-f]+", "scope:...")
        .replaceAll("behind by [0-9]+ messages", "behind by some 10,000 messages");
    seen.merge(m.length() > 200 ? m.substring(0, 200) + "..." : m, 1, Integer::sum);
  }

  /** Prints what was logged since the last call, if anything, and forgets it. */
  synchronized void report(PrintStream out) {
    for (Map.Entry<String, Integer> e : seen.entrySet()) {
      out.printf("  logged by the library during this run, %d times: %s%n", e.getValue(), e.getKey());
    }
    seen.clear();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
