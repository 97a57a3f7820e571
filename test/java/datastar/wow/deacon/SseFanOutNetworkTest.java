package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.Keyword;
import com.sun.net.httpserver.HttpServer;
import datastar.wow.deacon.SseNetworkTest.Stream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Fan-out over real sockets: 1,000 SSE clients (2,000 under {@code -Plong}) in scopes of four tabs,
 * all four under the same key of their scope, in a fan-out store written to with {@code send}. A
 * keyed send reaches the four tabs of its scope and no other stream; a send to every scope's key
 * reaches every client; clients that leave are removed, exactly theirs, by the failed writes.
 */
class SseFanOutNetworkTest {
  private static final int CLIENTS = Load.pick(1_000, 2_000);
  private static final int TABS = 4;
  private static final int SCOPES = CLIENTS / TABS;
  private static final Keyword FEED = Keyword.intern("feed");
  private static final Duration DEADLINE = Duration.ofSeconds(Load.pick(60, 180));

  /** A tab: its scope, and the data lines it received. */
  static final class Tab extends SseLines {
    final String scope;

    Tab(String scope, CountDownLatch opened) {
      super(opened, null, 0);
      this.scope = scope;
    }
  }

  @Test
  void keyedSendsReachEveryTabOfTheirScopeAndNothingElse() throws Exception {
    Map<RemovalCause, AtomicInteger> removed = new ConcurrentHashMap<>();
    CaffeineStore store =
        CaffeineStore.builder()
            .fanOut(true)
            .maximumSize(CLIENTS * 2L)
            .executor(Runnable::run)
            .writer(
                (conn, message) -> {
                  try {
                    ((Stream) conn).write("data: " + message + "\n\n");
                    return true;
                  } catch (IOException closed) {
                    return false;
                  }
                })
            .onRemoval(
                (k, conn, cause) -> {
                  removed.computeIfAbsent(cause, c -> new AtomicInteger()).incrementAndGet();
                  ((Stream) conn).close();
                })
            .build();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    ExecutorService serverPool = Executors.newFixedThreadPool(4);
    server.setExecutor(serverPool);
    server.createContext(
        "/sse",
        exchange -> {
          String scope = exchange.getRequestURI().getRawQuery().substring("scope=".length());
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0);
          Stream stream = new Stream(exchange);
          store.store(Deacon.scopedKey(scope, FEED), stream);
          try {
            stream.write(": open\n\n");
          } catch (IOException e) {
            store.purgeConnection(stream);
          }
        });
    server.start();
    ExecutorService clientPool = Executors.newFixedThreadPool(4);
    HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientPool).build();
    try {
      long t0 = System.nanoTime();
      CountDownLatch opened = new CountDownLatch(CLIENTS);
      List<Tab> tabs = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Tab tab = new Tab("scope-" + (i / TABS), opened);
        tabs.add(tab);
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/sse?scope=" + tab.scope);
        var unused =
            http.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.fromLineSubscriber(tab));
      }
      assertTrue(opened.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), opened.getCount() + " tabs did not open");
      assertEquals(CLIENTS, store.count(), "every tab stored");
      assertEquals(SCOPES, store.keys().size(), "one key per scope");
      long t1 = System.nanoTime();

      for (int s = 0; s < SCOPES; s++) {
        assertEquals(TABS, store.send(Deacon.scopedKey("scope-" + s, FEED), "scope-" + s), "all four tabs");
      }
      assertEquals(CLIENTS, store.send(Deacon.scopedKey(Deacon.WILDCARD, FEED), "everyone"));
      awaitTrue(() -> tabs.stream().allMatch(t -> t.data.size() == 2), "every tab got two messages");
      long t2 = System.nanoTime();
      for (Tab tab : tabs) {
        assertEquals(List.of(tab.scope, "everyone"), tab.data, "its scope's message, then everyone's");
      }

      List<Tab> leaving = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i += 2) leaving.add(tabs.get(i));
      for (Tab tab : leaving) tab.subscription.cancel();
      // a client that left is found out by the next write to it
      awaitTrue(
          () -> {
            store.send(Deacon.scopedKey(Deacon.WILDCARD, FEED), "ping");
            return store.count() == CLIENTS - leaving.size();
          },
          "the departed tabs removed");
      long t3 = System.nanoTime();
      assertEquals(CLIENTS - leaving.size(), removed.get(RemovalCause.DEAD).get(), "removed as :dead, each once");
      for (int s = 0; s < SCOPES; s++) {
        List<Map.Entry<Object, Object>> left = store.connections(Deacon.scopedKey("scope-" + s, FEED));
        assertEquals(TABS / 2, left.size(), "exactly the tabs that stayed: scope-" + s);
      }
      System.out.printf(
          "SseFanOutNetworkTest: %d tabs in %d scopes of %d; opened in %d ms, %d keyed sends and one"
              + " to all delivered in %d ms, %d departed tabs found and removed in %d ms%n",
          CLIENTS, SCOPES, TABS, ms(t1 - t0), SCOPES, ms(t2 - t1), leaving.size(), ms(t3 - t2));
    } finally {
      store.close();
      server.stop(0);
      serverPool.shutdownNow();
      clientPool.shutdownNow();
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
      Thread.sleep(50);
    }
  }
}
