package datastar.wow.deacon.examples;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What the library logs while a test makes it log on purpose (a Redis outage), kept for the test
 * to assert instead of printed. The library logs through the {@link System.Logger} named {@code
 * datastar.wow.deacon}, which the JDK backs with java.util.logging; closing puts it back.
 */
final class CapturedLog implements AutoCloseable {
  private static final Logger LOGGER = Logger.getLogger("datastar.wow.deacon");

  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Level level = LOGGER.getLevel();
  private final boolean useParentHandlers = LOGGER.getUseParentHandlers();
  private final Handler handler =
      new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
          messages.add(r.getLevel() + " " + formatter.formatMessage(r));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private CapturedLog() {}

  /** @return an open capture of the library's logger and its children */
  static CapturedLog start() {
    CapturedLog c = new CapturedLog();
    LOGGER.setUseParentHandlers(false);
    LOGGER.setLevel(Level.ALL);
    LOGGER.addHandler(c.handler);
    return c;
  }

  /** @return every record so far, as its level and message */
  List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    LOGGER.removeHandler(handler);
    LOGGER.setLevel(level);
    LOGGER.setUseParentHandlers(useParentHandlers);
  }
}
