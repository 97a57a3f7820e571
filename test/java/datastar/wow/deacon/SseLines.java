package datastar.wow.deacon;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A client of the network tests' SSE streams, fed line by line by {@code java.net.http}: it keeps
 * the data lines it receives, counts down {@code opened} at the server's {@code ": open"} comment,
 * and {@code delivered} once {@code expected} data lines arrived.
 */
class SseLines implements Flow.Subscriber<String> {
  final List<String> data = new CopyOnWriteArrayList<>();
  final CountDownLatch opened;
  private final @Nullable CountDownLatch delivered;
  private final int expected;
  private final AtomicInteger received = new AtomicInteger();
  volatile Flow.@Nullable Subscription subscription;

  SseLines(CountDownLatch opened, @Nullable CountDownLatch delivered, int expected) {
    this.opened = opened;
    this.delivered = delivered;
    this.expected = expected;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(String line) {
    if (line.equals(": open")) opened.countDown();
    if (!line.startsWith("data: ")) return;
    data.add(line.substring(6));
    if (delivered != null && received.incrementAndGet() == expected) delivered.countDown();
  }

  @Override
  public void onError(Throwable t) {}

  @Override
  public void onComplete() {}

  /** The client goes away. */
  void leave() {
    Flow.Subscription s = subscription;
    if (s != null) s.cancel();
  }
}
