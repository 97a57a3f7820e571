package datastar.wow.deacon.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import clojure.lang.EdnReader;
import clojure.lang.PersistentHashMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One node of a test cluster: a backplane whose receiver and error handler record what they get,
 * and a set standing for the node's local streams (its {@code localKeys}).
 */
final class TestNode implements AutoCloseable {
  record Delivery(Object target, boolean isPattern, Object payload, String from) {}

  final Set<Object> local = ConcurrentHashMap.newKeySet();
  final BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
  final BlockingQueue<BackplaneException> errors = new LinkedBlockingQueue<>();
  final Backplane backplane;

  private TestNode(ClusterSettings settings) {
    backplane =
        Backplane.start(
            settings,
            (target, isPattern, payload, from) ->
                received.add(new Delivery(target, isPattern, payload, from)),
            () -> new ArrayList<>(local),
            errors::add);
  }

  static TestNode start(ClusterSettings settings) {
    return new TestNode(settings);
  }

  static TestNode connected(ClusterSettings settings) {
    TestNode node = new TestNode(settings);
    node.awaitConnected();
    return node;
  }

  /** A stream opened here under {@code key}. */
  void hold(Object key) {
    local.add(key);
    backplane.register(key);
  }

  /** The last stream under {@code key} here closed. */
  void release(Object key) {
    local.remove(key);
    backplane.unregister(key);
  }

  void awaitConnected() {
    eventually(Duration.ofSeconds(10), backplane::connected, backplane.node() + " connects");
  }

  Delivery next() throws InterruptedException {
    Delivery d = received.poll(5, TimeUnit.SECONDS);
    if (d == null) fail(backplane.node() + " received nothing within 5 s");
    return d;
  }

  /** What arrived within {@code ms}, after waiting that long. */
  List<Delivery> quietFor(long ms) throws InterruptedException {
    Thread.sleep(ms);
    List<Delivery> out = new ArrayList<>();
    received.drainTo(out);
    return out;
  }

  BackplaneException nextError() throws InterruptedException {
    BackplaneException e = errors.poll(5, TimeUnit.SECONDS);
    if (e == null) fail(backplane.node() + " reported no error within 5 s");
    return e;
  }

  /** The first reported error with {@code op}, skipping others. */
  BackplaneException nextError(clojure.lang.Keyword op) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      BackplaneException e = errors.poll(100, TimeUnit.MILLISECONDS);
      if (e != null && e.op() == op) return e;
    }
    return fail(backplane.node() + " reported no " + op + " error within 5 s");
  }

  @Override
  public void close() {
    backplane.close();
  }

  static Object edn(String s) {
    return EdnReader.readString(s, PersistentHashMap.EMPTY);
  }

  static void eventually(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) return;
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting until " + what);
      }
    }
    fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
  }
}
