package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * SSE over real sockets: a JDK {@link HttpServer} whose streams live in a deacon store under {@code
 * [user key]}, and {@link HttpClient} clients, at least 1,000 of them at once. Pushes to a key must
 * reach that stream only; a client that goes away must leave the store through the lifecycle hooks
 * (the heartbeat's failed write purges it as {@code :dead}, a failed push purges it by connection);
 * when every client has left, the store is empty.
 */
class SseNetworkTest {
  private static final int CLIENTS = Load.pick(1_000, 2_000);
  private static final int PUSHES = Load.pick(3, 10);
  private static final Duration DEADLINE = Duration.ofSeconds(Load.pick(60, 180));

  /** One open SSE response; writes are serialised because pushes and heartbeats share it. */
  static final class Stream {
    final HttpExchange exchange;
    final OutputStream out;

    Stream(HttpExchange exchange) {
      this.exchange = exchange;
      this.out = exchange.getResponseBody();
    }

    synchronized void write(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    void close() {
      exchange.close();
    }
  }

  /** A client: its user and key, and the data lines it received. */
  static final class Client extends SseLines {
    final String user;
    final String key;

    Client(String user, String key, CountDownLatch opened, CountDownLatch delivered) {
      super(opened, delivered, PUSHES);
      this.user = user;
      this.key = key;
    }
  }

  @Test
  void manyConcurrentStreamsGetTheirOwnPushesAndLeaveNothingBehind() throws Exception {
    Map<RemovalCause, AtomicInteger> removed = new ConcurrentHashMap<>();
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    CaffeineStore store =
        CaffeineStore.builder()
            .maximumSize(CLIENTS * 2L)
            .executor(callbacks)
            .onRemoval(
                (k, conn, cause) -> {
                  removed.computeIfAbsent(cause, c -> new AtomicInteger()).incrementAndGet();
                  ((Stream) conn).close();
                })
            .heartbeat(
                Duration.ofMillis(200),
                conn -> {
                  ((Stream) conn).write(": ping\n\n");
                  return true;
                })
            .build();

    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    ExecutorService serverPool = Executors.newFixedThreadPool(4);
    server.setExecutor(serverPool);
    server.createContext(
        "/sse",
        exchange -> {
          Map<String, String> q = query(exchange.getRequestURI());
          exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0);
          Stream stream = new Stream(exchange);
          // stored before the first byte goes out, so a client that saw ": open" is reachable
          store.store(Deacon.scopedKey(q.get("user"), q.get("key")), stream, exchange);
          try {
            stream.write(": open\n\n");
          } catch (IOException e) {
            store.purgeConnection(stream);
          }
          // handle() returns; the response stays open until the store lets go of it
        });
    server.start();

    ExecutorService clientPool = Executors.newFixedThreadPool(4);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(clientPool)
            .connectTimeout(Duration.ofSeconds(30))
            .build();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      long t0 = System.nanoTime();
      CountDownLatch opened = new CountDownLatch(CLIENTS);
      CountDownLatch delivered = new CountDownLatch(CLIENTS);
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        // users share key names: only the scope keeps their streams apart
        Client c = new Client("user-" + i, "feed-" + (i % 10), opened, delivered);
        clients.add(c);
        HttpRequest req =
            HttpRequest.newBuilder(URI.create(base + "/sse?user=" + c.user + "&key=" + c.key))
                .header("Accept", "text/event-stream")
                .build();
        // A stream that fails to open shows as a missing count on the latch below.
        var unused = http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(c));
      }
      assertTrue(opened.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "all streams opened: " + opened.getCount() + " missing");
      long t1 = System.nanoTime();
      assertEquals(CLIENTS, store.count(), "one entry per open stream");

      for (int n = 0; n < PUSHES; n++) {
        for (Client c : clients) {
          Object conn = store.connection(Deacon.scopedKey(c.user, c.key));
          try {
            ((Stream) conn).write("data: " + c.user + "/" + c.key + "/" + n + "\n\n");
          } catch (IOException e) {
            store.purgeConnection(conn);
          }
        }
      }
      assertTrue(delivered.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "all pushes delivered: " + delivered.getCount() + " missing");
      long t2 = System.nanoTime();
      for (Client c : clients) {
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < PUSHES; n++) expected.add(c.user + "/" + c.key + "/" + n);
        assertEquals(expected, c.data, "stream of " + c.user + " got exactly its own pushes, in order");
      }

      int half = CLIENTS / 2;
      for (Client c : clients.subList(0, half)) c.leave();
      awaitTrue(() -> store.count() == CLIENTS - half, "the departed half purged");
      for (Client c : clients.subList(half, CLIENTS)) {
        assertTrue(store.connection(Deacon.scopedKey(c.user, c.key)) != null, "stayed: " + c.user);
      }
      for (Client c : clients.subList(0, half)) {
        assertEquals(null, store.connection(Deacon.scopedKey(c.user, c.key)), "left: " + c.user);
      }
      for (Client c : clients.subList(half, CLIENTS)) c.leave();
      awaitTrue(() -> store.count() == 0, "every departed client purged");
      long t3 = System.nanoTime();
      store.cleanUp();
      callbacks.shutdown();
      assertTrue(callbacks.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS));
      int total = removed.values().stream().mapToInt(AtomicInteger::get).sum();
      assertEquals(CLIENTS, total, "one removal per stream, by cause: " + removed);

      System.out.printf(
          "SseNetworkTest: %d concurrent SSE streams (JDK HttpServer + HttpClient, loopback);"
              + " opened in %d ms, %d pushes each (%d total) delivered in %d ms,"
              + " all clients left and purged in %d ms; removals %s%n",
          CLIENTS, ms(t1 - t0), PUSHES, PUSHES * CLIENTS, ms(t2 - t1), ms(t3 - t2), removed);
    } finally {
      store.close();
      server.stop(0);
      serverPool.shutdownNow();
      clientPool.shutdownNow();
      callbacks.shutdownNow();
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for: " + what);
      Thread.sleep(20);
    }
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new ConcurrentHashMap<>();
    for (String pair : uri.getRawQuery().split("&", -1)) {
      int eq = pair.indexOf('=');
      q.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return q;
  }
}
