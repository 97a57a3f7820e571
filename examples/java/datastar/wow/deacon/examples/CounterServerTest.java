package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clojure.lang.AFn;
import clojure.lang.IRef;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives the Java example over HTTP, as the browser does, on a free port. */
class CounterServerTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private CounterServer server;

  @BeforeEach
  void start() throws IOException {
    // A timer that never fires within a test, so that every event is caused by a request.
    server = CounterServer.start(0, Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpRequest.Builder request(String method, String path, String cookie) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("datastar-request", "true");
    return cookie == null ? b : b.header("Cookie", cookie);
  }

  private String cookie() throws Exception {
    return cookie(server);
  }

  /** Loads the page of {@code s} without a cookie; returns the {@code name=value} it sets. */
  private String cookie(CounterServer s) throws Exception {
    HttpResponse<String> page = http.send(pageRequest(s, null), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains(Page.DATASTAR_CDN), "the page loads Datastar from its CDN");
    return setCookie(page);
  }

  private static HttpRequest pageRequest(CounterServer s, String cookie) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + s.port() + "/"));
    return (cookie == null ? b : b.header("Cookie", cookie)).build();
  }

  /** @return the {@code name=value} of the response's Set-Cookie, or null without one */
  private static String setCookie(HttpResponse<?> response) {
    String setCookie = response.headers().firstValue("Set-Cookie").orElse(null);
    if (setCookie == null) return null;
    assertTrue(setCookie.endsWith("; Path=/; HttpOnly; SameSite=Lax"), setCookie);
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** @return the session id the server issued in {@code cookie} ({@code name=value}) */
  private String sid(String cookie) {
    String sid = server.sessionId(cookie.substring(cookie.indexOf('=') + 1));
    assertTrue(sid != null, "the server knows its own cookie: " + cookie);
    return sid;
  }

  /** Reads one SSE event: its lines up to the blank line; null at the end of the stream. */
  private static List<String> event(BufferedReader in) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isEmpty()) return lines;
      lines.add(line);
    }
    return lines.isEmpty() ? null : lines;
  }

  private static List<String> eventOf(BufferedReader in, String type) throws IOException {
    for (List<String> e = event(in); e != null; e = event(in)) {
      if (e.get(0).equals("event: " + type)) return e;
    }
    throw new AssertionError("the stream ended before a " + type + " event");
  }

  @Test
  void putStoresTheStreamJumpReusesItDeleteEndsIt() throws Exception {
    String cookie = cookie();
    String sid = sid(cookie);

    HttpResponse<InputStream> put =
        http.send(request("PUT", "/", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, put.statusCode());
    assertEquals("text/event-stream", put.headers().firstValue("Content-Type").orElseThrow());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(put.body(), StandardCharsets.UTF_8))) {
      assertEquals(
          List.of("event: datastar-patch-signals", "data: signals {\"counter\":0,\"running\":true}"),
          eventOf(events, "datastar-patch-signals"));
      List<String> keys = eventOf(events, "datastar-patch-elements");
      assertTrue(keys.get(1).startsWith("data: elements <ul id=\"keys\">"), keys.toString());
      assertTrue(
          keys.get(1).contains(Page.label(CounterServer.key(sid))),
          "the panel lists [sid :counter]: " + keys);
      assertFalse(keys.get(1).contains(sid), "but never shows the session id: " + keys);
      assertFalse(
          keys.get(1).contains(cookie.substring(cookie.indexOf('=') + 1)), "nor the cookie: " + keys);

      Object stored = server.store().connection(CounterServer.key(sid));
      assertTrue(stored instanceof SseStream, "PUT stored its stream: " + stored);
      assertEquals(1, server.store().count());

      HttpResponse<String> jump =
          http.send(request("POST", "/jump", cookie).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, jump.statusCode(), "no new stream: the effect went down the stored one");
      assertEquals(
          List.of("event: datastar-patch-signals", "data: signals {\"counter\":10,\"running\":true}"),
          eventOf(events, "datastar-patch-signals"),
          "the jump arrives on the PUT's stream");
      assertSame(stored, server.store().connection(CounterServer.key(sid)));

      HttpResponse<String> delete =
          http.send(request("DELETE", "/", cookie).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, delete.statusCode());
      assertEquals(
          List.of("event: datastar-patch-signals", "data: signals {\"counter\":0,\"running\":false}"),
          eventOf(events, "datastar-patch-signals"));
      for (List<String> e = event(events); e != null; e = event(events)) {
        assertFalse(e.get(0).contains("signals"), "nothing after the stop but the key list: " + e);
      }
      assertFalse(((SseStream) stored).isOpen(), "DELETE closed the stream");
    }
    assertEquals(0, server.store().count(), "the store is empty afterwards");
    assertNull(server.store().connection(CounterServer.key(sid)));
  }

  @Test
  void jumpAndStopWithoutAStoredStreamBothAnswer404() throws Exception {
    String fresh = cookie();
    for (String cookie : java.util.Arrays.asList(null, CounterServer.COOKIE + "=forged", fresh)) {
      for (String[] call : List.of(new String[] {"POST", "/jump"}, new String[] {"DELETE", "/"})) {
        HttpResponse<String> r =
            http.send(request(call[0], call[1], cookie).build(), HttpResponse.BodyHandlers.ofString());
        String what = call[0] + " " + call[1] + " with cookie " + cookie;
        assertEquals(404, r.statusCode(), what);
        assertTrue(r.body().contains("start the timer first"), what + ": " + r.body());
      }
    }

    // And once stopped, stopping again finds nothing either.
    HttpResponse<InputStream> put =
        http.send(request("PUT", "/", fresh).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(put.body(), StandardCharsets.UTF_8))) {
      eventOf(events, "datastar-patch-signals"); // stored by now
      assertEquals(
          204,
          http.send(request("DELETE", "/", fresh).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode());
      assertEquals(
          404,
          http.send(request("DELETE", "/", fresh).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode());
    }
  }

  @Test
  void otherMethodsAnswer405WithAllow() throws Exception {
    String cookie = cookie();
    for (String[] call :
        List.of(
            new String[] {"PATCH", "/", "GET, PUT, DELETE"},
            new String[] {"POST", "/", "GET, PUT, DELETE"},
            new String[] {"GET", "/jump", "POST"},
            new String[] {"DELETE", "/jump", "POST"})) {
      HttpResponse<String> r =
          http.send(request(call[0], call[1], cookie).build(), HttpResponse.BodyHandlers.ofString());
      String what = call[0] + " " + call[1];
      assertEquals(405, r.statusCode(), what);
      assertEquals(List.of(call[2]), r.headers().allValues("Allow"), what);
    }
  }

  @Test
  void sessionsHaveTheirOwnKeys() throws Exception {
    String ann = cookie();
    String bob = cookie();
    HttpResponse<InputStream> a =
        http.send(request("PUT", "/", ann).build(), HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<InputStream> b =
        http.send(request("PUT", "/", bob).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader ea = new BufferedReader(new InputStreamReader(a.body(), StandardCharsets.UTF_8));
        BufferedReader eb = new BufferedReader(new InputStreamReader(b.body(), StandardCharsets.UTF_8))) {
      eventOf(ea, "datastar-patch-signals");
      eventOf(eb, "datastar-patch-signals");
      assertEquals(2, server.store().count());
      http.send(request("POST", "/jump", bob).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(
          "data: signals {\"counter\":10,\"running\":true}",
          eventOf(eb, "datastar-patch-signals").get(1),
          "bob's jump goes down bob's stream");
      http.send(request("DELETE", "/", ann).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(
          "data: signals {\"counter\":0,\"running\":false}",
          eventOf(ea, "datastar-patch-signals").get(1),
          "ann's stop reaches ann, whose counter never jumped");
      assertEquals(List.of(CounterServer.key(sid(bob))), server.store().keys());
    }
  }

  @Test
  void onlyIssuedSessionIdsAreAccepted() throws Exception {
    String issued = cookie();
    String value = issued.substring(issued.indexOf('=') + 1);
    String tampered =
        CounterServer.COOKIE + "=" + value.substring(0, value.length() - 1)
            + (value.endsWith("A") ? "B" : "A");
    String otherServers;
    try (CounterServer other = CounterServer.start(0, Duration.ofHours(1))) {
      otherServers = cookie(other);
    }
    for (String forged :
        List.of(
            CounterServer.COOKIE + "=forged",
            CounterServer.COOKIE + "=" + sid(issued), // the id without its signature
            tampered,
            otherServers)) {
      HttpResponse<String> page = http.send(pageRequest(server, forged), HttpResponse.BodyHandlers.ofString());
      String fresh = setCookie(page);
      assertTrue(fresh != null, "the page gives " + forged + " a new session");
      assertFalse(fresh.equals(forged), fresh);
      assertTrue(server.sessionId(fresh.substring(fresh.indexOf('=') + 1)) != null, fresh);

      HttpResponse<String> put =
          http.send(request("PUT", "/", forged).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, put.statusCode(), forged + " is no session: " + put.body());
      assertEquals(0, server.store().count(), "nothing stored for " + forged);
    }
    assertEquals(sid(issued), server.sessionId(value));
    assertNull(
        setCookie(http.send(pageRequest(server, issued), HttpResponse.BodyHandlers.ofString())),
        "an issued session is kept");
  }

  @Test
  void aSessionsCounterGoesWithItsStream() throws Exception {
    String cookie = cookie();
    assertEquals(0, server.counterCount(), "loading the page makes no counter");
    HttpResponse<InputStream> first =
        http.send(request("PUT", "/", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader a =
        new BufferedReader(new InputStreamReader(first.body(), StandardCharsets.UTF_8))) {
      eventOf(a, "datastar-patch-signals");
      assertEquals(1, server.counterCount());

      // Another tab of the session starts again: its stream replaces the first, the counter stays.
      HttpResponse<InputStream> second =
          http.send(request("PUT", "/", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (BufferedReader b =
          new BufferedReader(new InputStreamReader(second.body(), StandardCharsets.UTF_8))) {
        eventOf(b, "datastar-patch-signals");
        while (event(a) != null) {
          // the replaced stream ends
        }
        assertEquals(1, server.store().count());
        assertEquals(1, server.counterCount(), "the session still has a stream");

        HttpResponse<String> delete =
            http.send(request("DELETE", "/", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, delete.statusCode());
        assertEquals(0, server.counterCount(), "stopped, and its last stream gone");
      }
    }
  }

  @Test
  void thePageShowsTheSessionsCounterAsItIs() throws Exception {
    String cookie = cookie();
    assertTrue(page(cookie).contains("data-signals=\"{counter: 0, running: false}\""));
    HttpResponse<InputStream> put =
        http.send(request("PUT", "/", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(put.body(), StandardCharsets.UTF_8))) {
      eventOf(events, "datastar-patch-signals");
      http.send(request("POST", "/jump", cookie).build(), HttpResponse.BodyHandlers.ofString());

      String again = page(cookie); // another tab of the same session, while the timer runs
      assertTrue(again.contains("data-signals=\"{counter: 10, running: true}\""), again);
      assertTrue(again.contains("<h1 data-text=\"$counter\">10</h1>"), again);
      String other = page(cookie());
      assertTrue(other.contains("data-signals=\"{counter: 0, running: false}\""), other);
      assertTrue(other.contains("<h1 data-text=\"$counter\">0</h1>"), other);
    }
  }

  private String page(String cookie) throws Exception {
    HttpResponse<String> page = http.send(pageRequest(server, cookie), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    return page.body();
  }

  @Test
  void theTimerPushesDownTheStoredStream() throws Exception {
    server.close();
    server = CounterServer.start(0, Duration.ofMillis(5));
    HttpResponse<InputStream> put =
        http.send(request("PUT", "/", cookie()).build(), HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(put.body(), StandardCharsets.UTF_8))) {
      long last = -1;
      while (last < 3) {
        String data = eventOf(events, "datastar-patch-signals").get(1);
        long value = Long.parseLong(data.replaceAll(".*\"counter\":(\\d+).*", "$1"));
        assertTrue(value >= last, "the counter only grows: " + value + " after " + last);
        last = value;
      }
    }
  }

  @Test
  void aClientThatLeavesIsPurged() throws Exception {
    server.close();
    server = CounterServer.start(0, Duration.ofMillis(5));
    CountDownLatch emptied = new CountDownLatch(1);
    ((IRef) server.store().atom())
        .addWatch(
            "test",
            new AFn() {
              @Override
              public Object invoke(Object key, Object ref, Object old, Object now) {
                if (((java.util.Map<?, ?>) now).isEmpty()) emptied.countDown();
                return null;
              }
            });
    String cookie = cookie();
    HttpResponse<InputStream> put =
        http.send(request("PUT", "/", cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader events =
        new BufferedReader(new InputStreamReader(put.body(), StandardCharsets.UTF_8));
    eventOf(events, "datastar-patch-signals");
    assertEquals(1, server.store().count());
    events.close(); // the browser tab goes away

    // The timer's next writes fail; the stream closes itself and leaves the store.
    assertTrue(emptied.await(30, TimeUnit.SECONDS), "the store emptied: " + server.store().keys());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.counterCount() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
    assertEquals(0, server.counterCount(), "and the session's counter went with its stream");
    HttpResponse<String> jump =
        http.send(request("POST", "/jump", cookie).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, jump.statusCode(), "nothing left to jump on");
  }

  @Test
  void listensOnLoopbackByDefault() {
    assertTrue(
        server.address().getAddress().isLoopbackAddress(),
        "only this machine can connect: " + server.address());
    assertEquals(Config.DEFAULT_IP, server.address().getAddress().getHostAddress());
  }

  @Test
  void listensOnTheAddressItIsGiven() throws Exception {
    InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
    // Linux routes all of 127/8 to loopback; elsewhere 127.0.0.2 may not exist.
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, other)) {
      assertTrue(probe.isBound());
    } catch (IOException notConfigured) {
      Assumptions.assumeTrue(false, "127.0.0.2 is not configured here");
    }
    try (CounterServer there = CounterServer.start(other, 0, Duration.ofHours(1))) {
      assertEquals(other, there.address().getAddress());
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + there.port() + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
    }
  }

  @Test
  void badAddressesAreNamed() {
    assertEquals(InetAddress.getLoopbackAddress(), Config.ip(null, null));
    assertEquals("127.0.0.1", Config.ip(null, null).getHostAddress());
    assertTrue(Config.ip(null, "0.0.0.0").isAnyLocalAddress());
    assertEquals("0:0:0:0:0:0:0:1", Config.ip("::1", "0.0.0.0").getHostAddress(), "-Dip wins");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Config.ip(" ", null));
    assertEquals("-Dip: expected an IP address such as 127.0.0.1 or ::1, got \" \"", e.getMessage());
    for (String bad : List.of("300.1.2.3", "1.2.3", "localhost", "::g", "example.org")) {
      e = assertThrows(IllegalArgumentException.class, () -> Config.ip(null, bad), bad);
      assertEquals(
          "IP: expected an IP address such as 127.0.0.1 or ::1, got \"" + bad + "\"",
          e.getMessage());
    }
  }

  @Test
  void theUrlNamesTheAddress() {
    assertEquals("http://localhost:3000", CounterServer.url(new InetSocketAddress(Config.ip("127.0.0.1", null), 3000)));
    assertEquals("http://localhost:3000", CounterServer.url(new InetSocketAddress(Config.ip("0.0.0.0", null), 3000)));
    assertEquals(
        "http://192.0.2.7:80",
        CounterServer.url(new InetSocketAddress(Config.ip("192.0.2.7", null), 80)));
    assertEquals(
        "http://[2001:db8:0:0:0:0:0:1]:80",
        CounterServer.url(new InetSocketAddress(Config.ip("2001:db8::1", null), 80)));
  }

  @Test
  void badPortsAreNamed() {
    assertEquals(3000, Config.port(null, null));
    assertEquals(8080, Config.port(null, "8080"));
    assertEquals(9000, Config.port("9000", "8080"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Config.port("http", null));
    assertEquals("-Dport: expected a port number from 0 to 65535, got \"http\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Config.port(null, "70000"));
    assertEquals("PORT: expected a port number from 0 to 65535, got 70000", e.getMessage());
  }
}
