package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The test log capture: what it keeps, that nothing it keeps reaches the console, and cleanup. */
class LogCaptureTest {
  private static final System.Logger LOG = System.getLogger(LogCapture.LOGGER);

  /**
   * Runs {@code body} with the root logger's handlers (the console) swapped for one that keeps
   * what reaches it, and returns that.
   */
  private static List<LogRecord> reachingTheConsole(Runnable body) {
    Logger root = Logger.getLogger("");
    Handler[] console = root.getHandlers();
    List<LogRecord> seen = new CopyOnWriteArrayList<>();
    Handler keep =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            seen.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    for (Handler h : console) root.removeHandler(h);
    root.addHandler(keep);
    try {
      body.run();
    } finally {
      root.removeHandler(keep);
      for (Handler h : console) root.addHandler(h);
    }
    return seen;
  }

  @Test
  void capturesLevelMessageAndThrowable() {
    IllegalStateException boom = new IllegalStateException("boom");
    try (LogCapture logs = LogCapture.start()) {
      LOG.log(Level.ERROR, "datastar.wow.deacon: it broke", boom);
      LogCapture.Entry r = logs.single();
      assertEquals(Level.ERROR, r.level());
      assertEquals(LogCapture.LOGGER, r.logger());
      assertEquals("datastar.wow.deacon: it broke", r.message());
      assertSame(boom, r.thrown());
    }
  }

  @Test
  void formatsParametersAndKeepsEveryLevel() {
    try (LogCapture logs = LogCapture.start()) {
      LOG.log(Level.WARNING, "{0} of {1}", 1, 2);
      LOG.log(Level.INFO, "info");
      LOG.log(Level.DEBUG, "debug");
      LOG.log(Level.TRACE, "trace");
      assertEquals(List.of("1 of 2", "info", "debug", "trace"), logs.messages());
      assertEquals(
          List.of(Level.WARNING, Level.INFO, Level.DEBUG, Level.TRACE),
          logs.records().stream().map(LogCapture.Entry::level).collect(Collectors.toList()));
      assertEquals(2, logs.records(Level.INFO).size());
      assertNull(logs.records().get(0).thrown());
    }
  }

  @Test
  void nothingCapturedReachesTheConsoleAndTheLoggerIsRestoredAfter() {
    Logger jul = Logger.getLogger(LogCapture.LOGGER);
    java.util.logging.Level levelBefore = jul.getLevel();
    boolean parentsBefore = jul.getUseParentHandlers();
    List<LogRecord> console =
        reachingTheConsole(
            () -> {
              try (LogCapture logs = LogCapture.start()) {
                LOG.log(Level.ERROR, "captured");
                System.getLogger(LogCapture.LOGGER + ".child").log(Level.ERROR, "child, captured");
                assertEquals(List.of("captured", "child, captured"), logs.messages());
              }
              LOG.log(Level.ERROR, "after the capture");
            });
    assertEquals(List.of("after the capture"), console.stream().map(LogRecord::getMessage).collect(Collectors.toList()));
    assertEquals(levelBefore, jul.getLevel());
    assertEquals(parentsBefore, jul.getUseParentHandlers());
  }

  @Test
  void otherLoggersAreLeftAlone() {
    List<LogRecord> console =
        reachingTheConsole(
            () -> {
              try (LogCapture logs = LogCapture.start()) {
                System.getLogger("datastar.wow.deaconette").log(Level.ERROR, "not ours");
                assertTrue(logs.records().isEmpty(), logs::toString);
              }
            });
    assertEquals(1, console.size());
  }

  @Test
  void capturesNestAndEachSeesWhatWasLoggedWhileItWasOpen() {
    Logger jul = Logger.getLogger(LogCapture.LOGGER);
    int handlersBefore = jul.getHandlers().length;
    boolean parentsBefore = jul.getUseParentHandlers();
    try (LogCapture outer = LogCapture.start()) {
      LOG.log(Level.ERROR, "one");
      try (LogCapture inner = LogCapture.start()) {
        LOG.log(Level.ERROR, "two");
        assertEquals(List.of("two"), inner.messages());
      }
      LOG.log(Level.ERROR, "three");
      assertEquals(List.of("one", "two", "three"), outer.messages());
    }
    assertEquals(handlersBefore, jul.getHandlers().length, "no capture handler is left behind");
    assertEquals(parentsBefore, jul.getUseParentHandlers());
  }

  @Test
  void recordsFromOtherThreadsAreCaptured() throws InterruptedException {
    try (LogCapture logs = LogCapture.start()) {
      Thread t = new Thread(() -> LOG.log(Level.ERROR, "from another thread"));
      t.start();
      t.join();
      assertEquals(List.of("from another thread"), logs.messages());
    }
  }

  @Test
  void singleSaysWhatItGotWhenThereIsNotExactlyOne() {
    try (LogCapture logs = LogCapture.start()) {
      AssertionError none = assertThrows(AssertionError.class, logs::single);
      assertTrue(none.getMessage().contains("got 0"), none.getMessage());
      LOG.log(Level.ERROR, "a");
      LOG.log(Level.ERROR, "b");
      AssertionError two = assertThrows(AssertionError.class, logs::single);
      assertTrue(two.getMessage().contains("got 2") && two.getMessage().contains("ERROR datastar.wow.deacon: b"), two.getMessage());
      logs.clear();
      assertTrue(logs.records().isEmpty());
    }
  }

  @Test
  void theLevelsMapBackAsTheJdkMapsThem() {
    assertEquals(Level.ERROR, LogCapture.levelOf(java.util.logging.Level.SEVERE));
    assertEquals(Level.WARNING, LogCapture.levelOf(java.util.logging.Level.WARNING));
    assertEquals(Level.INFO, LogCapture.levelOf(java.util.logging.Level.INFO));
    assertEquals(Level.INFO, LogCapture.levelOf(java.util.logging.Level.CONFIG));
    assertEquals(Level.DEBUG, LogCapture.levelOf(java.util.logging.Level.FINE));
    assertEquals(Level.TRACE, LogCapture.levelOf(java.util.logging.Level.FINER));
    assertEquals(Level.TRACE, LogCapture.levelOf(java.util.logging.Level.FINEST));
  }

  /** The JUnit extension: a capture open for the whole of each test, fresh for each. */
  @Nested
  class PerTest {
    @RegisterExtension final LogCapture logs = LogCapture.perTest();

    @Test
    void isOpenDuringTheTest() {
      LOG.log(Level.ERROR, "during the test");
      assertEquals(List.of("during the test"), logs.messages());
    }

    @Test
    void startsEmptyForEachTest() {
      assertTrue(logs.records().isEmpty(), logs::toString);
    }
  }
}
