package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A browser for the example's tests, over {@code java.net.http}: loads pages, keeps a session
 * cookie, presses buttons (the requests the page's buttons make), and opens tabs, each a {@code GET
 * /updates} stream read event by event.
 */
final class Browser {
  static final String SIGNALS = "datastar-patch-signals";
  static final String ELEMENTS = "datastar-patch-elements";

  final HttpClient http = HttpClient.newHttpClient();

  /**
   * One event: its type, the payload of its data lines (after "signals " or "elements ", one line
   * each) and its SSE id, or null without one.
   */
  record Event(String type, String data, @Nullable String id) {
    boolean counter() {
      return type.equals(SIGNALS) && data.contains("\"counter\"");
    }

    boolean panel() {
      return type.equals(ELEMENTS) && data.startsWith("<section id=\"store\"");
    }

    /** A wave's line, appended to the page's list. */
    boolean wave() {
      return type.equals(ELEMENTS) && data.startsWith("selector #waves\nmode append\n<li data-wave=\"");
    }

    /** @return the id of the wave of a wave's line */
    String waveId() {
      int start = data.indexOf("data-wave=\"") + 11;
      return data.substring(start, data.indexOf('"', start));
    }

    /** @return the text of a wave's line */
    String waveText() {
      return data.substring(data.indexOf("\">") + 2, data.lastIndexOf("</li>"));
    }

    /** The whole list of waves, sent to a tab that opened afresh. */
    boolean waveList() {
      return type.equals(ELEMENTS) && data.startsWith("<ol id=\"waves\"");
    }

    boolean push() {
      return type.equals(SIGNALS) && data.startsWith("{\"push\":");
    }

    boolean notice() {
      return type.equals(SIGNALS) && data.startsWith("{\"notice\":");
    }
  }

  /** A browser tab: its stream, {@code GET /updates}, read event by event. */
  final class Tab implements AutoCloseable {
    private final BufferedReader in;

    Tab(CounterServer server, String cookie, @Nullable String lastEventId) throws Exception {
      HttpRequest.Builder b = request(server, "GET", "/updates", cookie);
      if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
      in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    }

    /** @return the next event, or null at the end of the stream; SSE comments are skipped */
    Event next() throws IOException {
      String type = null;
      String id = null;
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (type != null) return new Event(type, data.toString(), id);
          continue;
        }
        if (line.startsWith("event: ")) type = line.substring(7);
        else if (line.startsWith("id: ")) id = line.substring(4);
        else if (line.startsWith("data: ")) {
          if (data.length() > 0) data.append('\n');
          data.append(line.substring(6).replaceFirst("^(signals|elements) ", ""));
        }
      }
      return null;
    }

    /** @return the next event matching {@code p}; the events before it go to {@code skipped} */
    Event next(Predicate<Event> p, List<Event> skipped) throws IOException {
      for (Event e = next(); e != null; e = next()) {
        if (p.test(e)) return e;
        skipped.add(e);
      }
      throw new AssertionError("the stream ended first; before it: " + skipped);
    }

    Event next(Predicate<Event> p) throws IOException {
      return next(p, new ArrayList<>());
    }

    /** @return the next counter shown, e.g. {@code {"counter":10,"running":true}} */
    String counter() throws IOException {
      return next(Event::counter).data();
    }

    /** @return the first counter shown from now on that is {@code json}; others are skipped */
    String counter(String json) throws IOException {
      return next(e -> e.counter() && e.data().equals(json)).data();
    }

    @Override
    public void close() throws IOException {
      in.close(); // the browser tab goes away
    }
  }

  /**
   * @return a request to {@code server}, as Datastar makes it, with {@code cookie} ({@code
   *     name=value}) if not null
   */
  HttpRequest.Builder request(CounterServer server, String method, String path, String cookie) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .header("datastar-request", "true");
    return cookie == null ? b : b.header("Cookie", cookie);
  }

  HttpResponse<String> send(CounterServer server, String method, String path, String cookie) throws Exception {
    return http.send(request(server, method, path, cookie).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Loads the page of {@code server} without a cookie; returns the {@code name=value} it sets. */
  String cookie(CounterServer server) throws Exception {
    HttpResponse<String> page = http.send(pageRequest(server, null), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains(Page.DATASTAR_CDN), "the page loads Datastar from its CDN");
    return setCookie(page);
  }

  static HttpRequest pageRequest(CounterServer server, String cookie) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/"));
    return (cookie == null ? b : b.header("Cookie", cookie)).build();
  }

  /** @return the page of {@code server}, loaded with {@code cookie} */
  String page(CounterServer server, String cookie) throws Exception {
    HttpResponse<String> page = http.send(pageRequest(server, cookie), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    return page.body();
  }

  /**
   * @return a tab of {@code server}'s page, its stream open and stored: the response's headers
   *     reach the client before the server stores the stream, and a push sent in between would
   *     miss the tab
   */
  Tab tab(CounterServer server, String cookie) throws Exception {
    return tab(server, cookie, null);
  }

  /**
   * @return a tab that opens again, as Datastar opens a hidden tab's stream when the tab is shown:
   *     with {@code Last-Event-ID}, the id of the last event it got (null: none)
   */
  Tab tab(CounterServer server, String cookie, @Nullable String lastEventId) throws Exception {
    Object key = CounterServer.key(sid(server, cookie));
    int before = server.store().count(key);
    Tab tab = new Tab(server, cookie, lastEventId);
    eventually("the tab's stream is stored", () -> server.store().count(key) > before);
    return tab;
  }

  /** @return the {@code name=value} of the response's Set-Cookie, or null without one */
  static String setCookie(HttpResponse<?> response) {
    String setCookie = response.headers().firstValue("Set-Cookie").orElse(null);
    if (setCookie == null) return null;
    assertTrue(setCookie.endsWith("; Path=/; HttpOnly; SameSite=Lax"), setCookie);
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  /** @return the session id {@code server} finds in {@code cookie} ({@code name=value}) */
  static String sid(CounterServer server, String cookie) {
    String sid = server.sessionId(cookie.substring(cookie.indexOf('=') + 1));
    assertTrue(sid != null, "the server knows the cookie: " + cookie);
    return sid;
  }

  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
      Thread.sleep(5);
    }
  }

  static String counter(long value, boolean running) {
    return new Counter.State(value, running).json();
  }

  static long value(String counterJson) {
    Matcher m = Pattern.compile("\"counter\":(\\d+)").matcher(counterJson);
    assertTrue(m.find(), counterJson);
    return Long.parseLong(m.group(1));
  }

  /** @return the key rows of a store panel */
  static List<String> rows(String panel) {
    List<String> rows = new ArrayList<>();
    Matcher m = Pattern.compile("<tr( data-class[^>]*)?><td><code>.*?</tr>").matcher(panel);
    while (m.find()) rows.add(m.group());
    return rows;
  }
}
