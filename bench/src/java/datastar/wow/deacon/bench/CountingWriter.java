package datastar.wow.deacon.bench;

import datastar.wow.deacon.ConnectionWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store's writer that only counts what it is handed, with or without an SSE id, so that a run
 * can wait until every node has written every message before Redis is read.
 */
final class CountingWriter implements ConnectionWriter {
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong withId = new AtomicLong();

  @Override
  public boolean write(Object connection, Object message) {
    written.incrementAndGet();
    return true;
  }

  @Override
  public boolean write(Object connection, Object message, String id) {
    withId.incrementAndGet();
    written.incrementAndGet();
    return true;
  }

  long written() {
    return written.get();
  }

  long withId() {
    return withId.get();
  }

  /** Waits until {@code n} messages were written in all, at most {@code seconds}. */
  void await(long n, int seconds) throws InterruptedException {
    if (!reached(n, seconds)) {
      throw new IllegalStateException("written " + written.get() + " of " + n + " within " + seconds + " s");
    }
  }

  /** Waits until {@code n} messages were written in all, at most {@code seconds}: whether they were. */
  boolean reached(long n, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (written.get() < n) {
      if (System.nanoTime() > deadline) return false;
      Thread.sleep(2);
    }
    return true;
  }
}
