package datastar.wow.deacon;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures what the library logs, so that a test can assert it instead of printing it.
 *
 * <p>The library logs through the {@link System.Logger} named {@value #LOGGER}, which the JDK
 * backs with {@code java.util.logging}. While a capture is open, every record of that logger and
 * of its children, at every level, is kept here and none reaches the console (the logger stops
 * handing records to its parents); closing the capture puts the logger back as it was.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.start()) {
 *   store.purge(key);                                   // the :on-evict listener throws
 *   assertEquals(Level.ERROR, logs.single().level());
 * }
 * }</pre>
 *
 * <p>Or for every test of a class, a fresh capture per test:
 *
 * <pre>{@code
 * @RegisterExtension final LogCapture logs = LogCapture.perTest();
 * }</pre>
 *
 * <p>Captures may nest (each sees every record logged while it is open) and must close in the
 * reverse order of their start, as try-with-resources and the extension do. Records logged from
 * any thread are captured.
 */
final class LogCapture implements AutoCloseable, BeforeEachCallback, AfterEachCallback {
  /** The name of the library's logger. */
  static final String LOGGER = "datastar.wow.deacon";

  /** One captured log record. */
  record Entry(Level level, String logger, String message, Throwable thrown) {
    @Override
    public String toString() {
      return level + " " + logger + ": " + message + (thrown == null ? "" : " [" + thrown + "]");
    }
  }

  /** What the logger was before the outermost open capture; restored when it closes. */
  private record Saved(java.util.logging.Level level, boolean useParentHandlers) {}

  private static final Object LOCK = new Object();
  private static final Deque<Saved> SAVED = new ArrayDeque<>();
  /** Held while a capture is open, so that java.util.logging cannot collect a configured logger. */
  private static final Logger JUL = Logger.getLogger(LOGGER);

  private final List<Entry> records = new CopyOnWriteArrayList<>();
  private final Handler handler = new Collector();
  private boolean open;

  private LogCapture() {}

  /**
   * Starts a capture; close it (try-with-resources) to stop.
   *
   * @return the open capture
   */
  static LogCapture start() {
    LogCapture c = new LogCapture();
    c.open();
    return c;
  }

  /**
   * A capture for {@code @RegisterExtension}: opened before each test, closed after it.
   *
   * @return a capture that is not open yet
   */
  static LogCapture perTest() {
    return new LogCapture();
  }

  private void open() {
    requireJavaUtilLogging();
    synchronized (LOCK) {
      if (open) throw new IllegalStateException("this capture is already open");
      SAVED.push(new Saved(JUL.getLevel(), JUL.getUseParentHandlers()));
      JUL.setUseParentHandlers(false);
      JUL.setLevel(java.util.logging.Level.ALL);
      JUL.addHandler(handler);
      open = true;
    }
  }

  /** Stops capturing; the records stay readable. Closing twice does nothing. */
  @Override
  public void close() {
    synchronized (LOCK) {
      if (!open) return;
      open = false;
      JUL.removeHandler(handler);
      Saved saved = SAVED.pop();
      JUL.setLevel(saved.level());
      JUL.setUseParentHandlers(saved.useParentHandlers());
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    records.clear();
    open();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  /**
   * The records captured so far, oldest first.
   *
   * @return a snapshot
   */
  List<Entry> records() {
    return List.copyOf(records);
  }

  /**
   * The records captured so far at {@code level} or more severe.
   *
   * @param level the least severe level kept
   * @return a snapshot
   */
  List<Entry> records(Level level) {
    return records.stream()
        .filter(r -> r.level().getSeverity() >= level.getSeverity())
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * The messages captured so far, oldest first.
   *
   * @return a snapshot
   */
  List<String> messages() {
    return records.stream().map(Entry::message).collect(Collectors.toUnmodifiableList());
  }

  /**
   * The only record captured.
   *
   * @return it
   * @throws AssertionError listing the records when there is not exactly one
   */
  Entry single() {
    List<Entry> now = records();
    if (now.size() != 1) {
      throw new AssertionError("expected exactly one log record, got " + now.size() + ": " + now);
    }
    return now.get(0);
  }

  /** Forgets the records captured so far; the capture stays open. */
  void clear() {
    records.clear();
  }

  /**
   * The System.Logger level of a java.util.logging level, the inverse of the JDK's own mapping
   * (ERROR is SEVERE, DEBUG is FINE, TRACE is FINER).
   *
   * @param level a java.util.logging level
   * @return the System.Logger level
   */
  static Level levelOf(java.util.logging.Level level) {
    int v = level.intValue();
    if (v == java.util.logging.Level.OFF.intValue()) return Level.OFF;
    if (v >= java.util.logging.Level.SEVERE.intValue()) return Level.ERROR;
    if (v >= java.util.logging.Level.WARNING.intValue()) return Level.WARNING;
    if (v >= java.util.logging.Level.CONFIG.intValue()) return Level.INFO;
    if (v >= java.util.logging.Level.FINE.intValue()) return Level.DEBUG;
    if (v == java.util.logging.Level.ALL.intValue()) return Level.ALL;
    return Level.TRACE;
  }

  /**
   * Fails unless System.Logger is backed by java.util.logging, the JDK's default: a capture that
   * silently saw nothing would make tests pass for the wrong reason.
   */
  private static void requireJavaUtilLogging() {
    Module finder = System.LoggerFinder.getLoggerFinder().getClass().getModule();
    if (!"java.logging".equals(finder.getName())) {
      throw new IllegalStateException(
          "LogCapture reads java.util.logging, but System.Logger is backed by "
              + System.LoggerFinder.getLoggerFinder().getClass().getName());
    }
  }

  private final class Collector extends Handler {
    private final SimpleFormatter formatter = new SimpleFormatter();

    Collector() {
      setLevel(java.util.logging.Level.ALL);
    }

    @Override
    public void publish(LogRecord r) {
      records.add(
          new Entry(
              levelOf(r.getLevel()),
              Objects.requireNonNullElse(r.getLoggerName(), ""),
              formatter.formatMessage(r),
              r.getThrown()));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /**
   * Text of the records, one a line, for assertion messages.
   *
   * @return the records as text
   */
  @Override
  public String toString() {
    List<String> lines = new ArrayList<>();
    for (Entry r : records) lines.add(r.toString());
    return String.join("\n", lines);
  }
}
