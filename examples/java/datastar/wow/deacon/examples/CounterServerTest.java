package datastar.wow.deacon.examples;

import static datastar.wow.deacon.examples.Browser.counter;
import static datastar.wow.deacon.examples.Browser.eventually;
import static datastar.wow.deacon.examples.Browser.rows;
import static datastar.wow.deacon.examples.Browser.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.examples.Browser.Event;
import datastar.wow.deacon.examples.Browser.Tab;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Drives the Java example over HTTP, as browsers do, on a free port: tabs are {@code GET /updates}
 * streams read event by event.
 */
@Timeout(60)
class CounterServerTest {
  private final Browser browser = new Browser();
  private final HttpClient http = browser.http;
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

  /** A server whose timer ticks every 20 ms, probing every 20 ms, with 3 ticks' grace. */
  private void restartFast(Duration keep) throws IOException {
    server.close();
    server =
        CounterServer.start(
            Settings.of(Config.defaultIp(), 0, Duration.ofMillis(20))
                .heartbeat(Duration.ofMillis(20))
                .graceTicks(3)
                .keep(keep));
  }

  private HttpRequest.Builder request(String method, String path, String cookie) {
    return browser.request(server, method, path, cookie);
  }

  private HttpResponse<String> send(String method, String path, String cookie) throws Exception {
    return browser.send(server, method, path, cookie);
  }

  private String cookie() throws Exception {
    return browser.cookie(server);
  }

  private String page(String cookie) throws Exception {
    return browser.page(server, cookie);
  }

  private Tab tab(String cookie) throws Exception {
    return browser.tab(server, cookie);
  }

  private String sid(String cookie) {
    return Browser.sid(server, cookie);
  }

  // --- Tabs of one session share one counter

  @Test
  void everyTabOfASessionGetsStartJumpAndStop() throws Exception {
    String ann = cookie();
    String bob = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann); Tab b = tab(bob)) {
      for (Tab t : List.of(a1, a2, b)) assertEquals(counter(0, false), t.counter(), "shown as it opens");
      assertEquals(2, server.store().count(CounterServer.key(sid(ann))), "both tabs stored under one key");
      assertEquals(1, server.store().keys(CounterServer.key(sid(ann))).size());

      assertEquals(204, send("PUT", "/", ann).statusCode(), "start: one request, no stream of its own");
      assertEquals(counter(0, true), a1.counter());
      assertEquals(counter(0, true), a2.counter());

      assertEquals(204, send("POST", "/jump", ann).statusCode());
      assertEquals(counter(10, true), a1.counter(), "added once, shown on every tab");
      assertEquals(counter(10, true), a2.counter());

      assertEquals(204, send("DELETE", "/", ann).statusCode());
      assertEquals(counter(0, false), a1.counter());
      assertEquals(counter(0, false), a2.counter());
      assertEquals(0, server.counterCount(), "stopped and reset: nothing kept");
      assertEquals(2, server.store().count(CounterServer.key(sid(ann))), "the tabs stay open");

      // Bob's tab saw none of it: everything up to a wave (which reaches it) is panels.
      assertEquals(204, send("POST", "/wave", ann).statusCode());
      List<Event> before = new ArrayList<>();
      b.next(Event::wave, before);
      assertTrue(before.stream().noneMatch(Event::counter), "bob saw no counter of ann's: " + before);
    }
  }

  @Test
  void theTimerTicksOnEveryTabOfItsSessionOnly() throws Exception {
    restartFast(Duration.ofHours(1));
    String ann = cookie();
    String bob = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann); Tab b = tab(bob)) {
      a1.counter();
      a2.counter();
      b.counter();
      assertEquals(204, send("PUT", "/", ann).statusCode());
      for (Tab t : List.of(a1, a2)) {
        long last = -1;
        while (last < 3) {
          long value = value(t.counter());
          assertTrue(value >= last, "the counter only grows: " + value + " after " + last);
          last = value;
        }
      }
      assertEquals(204, send("POST", "/wave", ann).statusCode());
      List<Event> before = new ArrayList<>();
      b.next(Event::wave, before);
      assertTrue(before.stream().noneMatch(Event::counter), "no tick of ann's reached bob: " + before);
    }
  }


  @Test
  void aSecondStartKeepsOneTimer() throws Exception {
    String ann = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann)) {
      a1.counter();
      a2.counter();
      send("PUT", "/", ann);
      send("PUT", "/", ann);
      send("POST", "/jump", ann);
      for (Tab t : List.of(a1, a2)) {
        assertEquals(counter(0, true), t.counter());
        assertEquals(counter(0, true), t.counter());
        assertEquals(counter(10, true), t.counter());
      }
      assertEquals(1, server.counterCount());
    }
  }

  @Test
  void aTabThatOpensWhileTheCounterRunsShowsItRunning() throws Exception {
    String ann = cookie();
    try (Tab first = tab(ann)) {
      first.counter();
      send("PUT", "/", ann);
      send("POST", "/jump", ann);
      String again = page(ann);
      assertTrue(again.contains("data-signals=\"{counter: 10, running: true, me: '"), again);
      assertTrue(again.contains("data-text=\"$counter\">10</output>"), again);
      try (Tab late = tab(ann)) {
        assertEquals(counter(10, true), late.counter(), "its stream starts from the counter as it is");
      }
      String other = page(cookie());
      assertTrue(other.contains("data-signals=\"{counter: 0, running: false, me: '"), other);
    }
  }

  @Test
  void closingOneTabKeepsTheOthers() throws Exception {
    server.close();
    server =
        CounterServer.start(
            Settings.of(Config.defaultIp(), 0, Duration.ofHours(1)).heartbeat(Duration.ofMillis(20)));
    String ann = cookie();
    try (Tab a2 = tab(ann)) {
      Tab a1 = tab(ann);
      a1.counter();
      a2.counter();
      send("PUT", "/", ann);
      a1.close();
      eventually("the heartbeat finds the closed tab", () -> server.store().count(CounterServer.key(sid(ann))) == 1);
      assertEquals(204, send("POST", "/jump", ann).statusCode());
      assertEquals(counter(0, true), a2.counter());
      assertEquals(counter(10, true), a2.counter(), "the other tab still gets the counter");
      assertTrue(server.state(sid(ann)).running(), "and the timer runs on");
    }
  }

  @Test
  void theLastTabClosingStopsTheTimerAndKeepsTheCount() throws Exception {
    restartFast(Duration.ofHours(1));
    String ann = cookie();
    Tab tab = tab(ann);
    tab.counter();
    send("PUT", "/", ann);
    long ticked;
    do {
      ticked = value(tab.counter());
    } while (ticked < 3);
    tab.close();
    eventually("the timer stops", () -> !server.state(sid(ann)).running());
    long kept = server.state(sid(ann)).value();
    assertTrue(kept >= 3, "the count is kept: " + kept);
    assertEquals(0, server.store().count(), "the closed tab left the store");
    String again = page(ann);
    assertTrue(again.contains("data-signals=\"{counter: " + kept + ", running: false"), again);
    try (Tab back = tab(ann)) {
      assertEquals(counter(kept, false), back.counter(), "a tab coming back shows it");
    }
  }

  @Test
  void aStoppedCountNobodyWatchesIsForgotten() throws Exception {
    restartFast(Duration.ofMillis(50));
    String ann = cookie();
    Tab tab = tab(ann);
    tab.counter();
    send("PUT", "/", ann);
    tab.counter();
    tab.close();
    eventually("forgotten", () -> server.counterCount() == 0);
    assertEquals(404, send("POST", "/jump", ann).statusCode(), "no tab left to show a jump");
  }

  // --- Everyone

  @Test
  void aWaveReachesEveryTabOfEverySession() throws Exception {
    String ann = cookie();
    String bob = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann); Tab b = tab(bob)) {
      assertEquals(204, send("POST", "/wave", bob).statusCode());
      for (Tab t : List.of(a1, a2, b)) {
        Event wave = t.next(Event::wave);
        assertTrue(wave.waveText().matches(Page.shortId(sid(bob)) + " waved at \\d\\d:\\d\\d:\\d\\d"), wave.data());
        assertTrue(wave.data().contains("data-show=\"!$waves.includes('"), "hidden if the tab's list has it: " + wave);
        assertTrue(wave.id() != null, "its event has an SSE id");
      }
      assertEquals(3, server.store().count(), "nothing stored for the wave");
      assertEquals(400, send("POST", "/wave", null).statusCode(), "a wave needs a session");
    }
  }

  @Test
  void aPushReachesEveryTabOfItsSessionOnly() throws Exception {
    String ann = cookie();
    String bob = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann); Tab b = tab(bob)) {
      assertEquals(204, send("POST", "/push?n=7", ann).statusCode());
      assertEquals("{\"push\":7}", a1.next(Event::push).data());
      assertEquals("{\"push\":7}", a2.next(Event::push).data());
      assertEquals(204, send("POST", "/wave", bob).statusCode());
      List<Event> before = new ArrayList<>();
      b.next(Event::wave, before);
      assertTrue(before.stream().noneMatch(Event::push), "bob got none of ann's: " + before);
      for (String bad : List.of("/push", "/push?n=", "/push?n=seven", "/push?m=7")) {
        assertEquals(400, send("POST", bad, ann).statusCode(), bad);
      }
      assertEquals(400, send("POST", "/push?n=7", null).statusCode(), "a push needs a session");
    }
  }

  @Test
  void statsSayWhatThisServerHolds() throws Exception {
    String ann = cookie();
    try (Tab a1 = tab(ann); Tab a2 = tab(ann)) {
      a1.counter();
      a2.counter();
      HttpResponse<String> stats = send("GET", "/stats", null);
      assertEquals("application/json", stats.headers().firstValue("Content-Type").orElseThrow());
      assertEquals(
          "{\"node\":null,\"connected\":null,\"streams\":2,\"keys\":1,\"clusterKeys\":null}", stats.body(),
          "a server on its own: no node, no cluster");
    }
  }

  // --- The store panel

  @Test
  void everyPageSeesTheStorePanelLive() throws Exception {
    server.close();
    server =
        CounterServer.start(
            Settings.of(Config.defaultIp(), 0, Duration.ofHours(1)).heartbeat(Duration.ofMillis(20)));
    String ann = cookie();
    String bob = cookie();
    String annLabel = Page.label(CounterServer.key(sid(ann)));
    String bobLabel = Page.label(CounterServer.key(sid(bob)));
    try (Tab b = tab(bob); Tab a1 = tab(ann)) {
      Tab a2 = tab(ann);
      String panel = b.next(e -> e.panel() && e.data().contains("<strong>3</strong> tabs open")).data();
      assertTrue(panel.contains("<strong>2</strong> browsers"), panel);
      List<String> rows = rows(panel);
      assertEquals(2, rows.size(), panel);
      assertEquals(rows.stream().sorted().toList(), rows, "sorted by key");
      String annRow = rows.stream().filter(r -> r.contains(annLabel)).findFirst().orElseThrow();
      assertTrue(annRow.matches(".*<td class=\"num\">2</td><td>since \\d\\d:\\d\\d:\\d\\d</td>"
          + "<td class=\"muted\">this node</td>.*"), annRow);
      assertTrue(annRow.contains("data-class:mine=\"$me == '" + Page.shortId(sid(ann)) + "'\""), annRow);
      assertTrue(rows.stream().anyMatch(r -> r.contains(bobLabel)), panel);
      assertFalse(panel.contains(sid(ann)), "never a session id");
      assertFalse(panel.contains(sid(bob)), "never a session id");

      // No timer runs: the panel still follows the store. A tab closes; the heartbeat finds it.
      a2.close();
      panel = b.next(e -> e.panel() && e.data().contains("<strong>2</strong> tabs open")).data();
      assertTrue(panel.matches(".*<ol class=\"log\"><li><time>\\d\\d:\\d\\d:\\d\\d</time>"
          + "<span class=\"cause dead\">dead</span><code>\\Q" + annLabel + "\\E</code></li></ol>.*"), panel);
      assertTrue(panel.contains("Stats: 2 streams stored; removals: dead 1"), panel);
      assertTrue(
          a1.next(e -> e.panel() && e.data().contains("removals: dead 1")).data().contains("<strong>2</strong> tabs open"),
          "every page gets it");
    }
  }


  @Test
  void thePageIsRenderedWithThePanelAndLoadsNothingFromElsewhere() throws Exception {
    String html = page(cookie());
    Matcher urls = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    List<String> found = new ArrayList<>();
    while (urls.find()) found.add(urls.group(1));
    assertEquals(List.of("/favicon.ico", "/style.css", Page.DATASTAR_CDN), found);
    assertTrue(html.contains("data-init=\"@get('/updates')\""), "closed while hidden, opened again when shown");
    assertTrue(html.contains("<ol id=\"waves\" class=\"log waves\"></ol>"), "no wave yet");
    assertTrue(html.contains("waves: [], notice: ''"), html);
    assertTrue(html.contains("<section id=\"store\""), html);
    for (String label : List.of("Start timer", "Add ten", "Stop and reset", "Wave to everyone")) {
      assertTrue(html.contains(">" + label + "</button>"), label);
    }
  }

  @Test
  void thePageShowsWhatACommandCouldNotDo() throws Exception {
    String html = page(cookie());
    assertTrue(html.contains(", notice: ''}\""), "the notice signal, empty");
    assertTrue(html.contains("<p class=\"notice\" role=\"status\" data-text=\"$notice\"></p>"), html);
    assertTrue(html.contains(" data-on:datastar-fetch=\"" + Notices.ON_FETCH_ERROR + "\""), "a 404 or 503 sets it");
    for (String command : List.of("@put('/')", "@post('/jump')", "@delete('/')")) {
      assertTrue(html.contains("data-on:click=\"$notice = ''; " + command + "\""), "a new command clears it: " + command);
    }
  }

  @Test
  void theStylesheetIsTheReplDemosOneWithItsOwnTitleLine() throws Exception {
    // two copies of one stylesheet, so that each app serves a file of its own: they may not drift
    List<String> java = Files.readAllLines(Path.of("examples/java/datastar/wow/deacon/examples/style.css"));
    List<String> demo = Files.readAllLines(Path.of("dev/src/demo/style.css"));
    assertEquals(demo.subList(1, demo.size()), java.subList(1, java.size()));
  }

  @Test
  void theStylesheetAndFaviconAreServed() throws Exception {
    HttpResponse<String> css = send("GET", "/style.css", null);
    assertEquals(200, css.statusCode());
    assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(css.body().contains("button.primary"));
    assertFalse(
        Pattern.compile("(?i)url\\(|@import|https?:").matcher(css.body()).find(),
        "no fonts, images or frameworks from elsewhere");

    HttpResponse<byte[]> ico =
        http.send(request("GET", "/favicon.ico", null).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, ico.statusCode());
    assertEquals("image/x-icon", ico.headers().firstValue("Content-Type").orElseThrow());
    ByteBuffer b = ByteBuffer.wrap(ico.body()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(List.of((short) 0, (short) 1, (short) 1), List.of(b.getShort(0), b.getShort(2), b.getShort(4)));
    assertEquals(32, b.get(6));
    assertEquals(32, b.getShort(12));
    assertEquals(ico.body().length - 22, b.getInt(14));
    assertEquals(22, b.getInt(18));
    assertEquals(List.of(40, 32, 64), List.of(b.getInt(22), b.getInt(26), b.getInt(30)));
    assertArrayEquals(Assets.favicon(), ico.body());
  }

  // --- Status codes

  @Test
  void commandsWithoutAnOpenTabAnswer404() throws Exception {
    String fresh = cookie();
    for (String cookie : java.util.Arrays.asList(null, CounterServer.COOKIE + "=forged", fresh)) {
      for (String[] call :
          List.of(new String[] {"PUT", "/"}, new String[] {"POST", "/jump"}, new String[] {"DELETE", "/"})) {
        HttpResponse<String> r = send(call[0], call[1], cookie);
        String what = call[0] + " " + call[1] + " with cookie " + cookie;
        assertEquals(404, r.statusCode(), what);
        assertEquals("no tab of this session is open: open the page first", r.body(), what);
        assertEquals(Notices.noTab(false), r.body(), what);
      }
    }
    assertEquals(0, server.counterCount(), "nothing was started");
    assertEquals(Counter.State.INITIAL, server.state(sid(fresh)), "nor changed");
  }

  @Test
  void onlyExactPathsAreServed() throws Exception {
    String cookie = cookie();
    try (Tab tab = tab(cookie)) {
      tab.counter();
      for (String[] call :
          List.of(
              new String[] {"POST", "/jump/anything"},
              new String[] {"POST", "/jumpy"},
              new String[] {"GET", "/updates/x"},
              new String[] {"POST", "/wave/"},
              new String[] {"GET", "/style.css/x"},
              new String[] {"GET", "/favicon.ico.png"},
              new String[] {"GET", "/nothing-here"},
              new String[] {"PUT", "/index.html"})) {
        HttpResponse<String> r = send(call[0], call[1], cookie);
        assertEquals(404, r.statusCode(), call[0] + " " + call[1]);
      }
      assertEquals(0, server.state(sid(cookie)).value(), "no jump happened");
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
            new String[] {"DELETE", "/jump", "POST"},
            new String[] {"POST", "/updates", "GET"},
            new String[] {"GET", "/wave", "POST"},
            new String[] {"GET", "/push", "POST"},
            new String[] {"POST", "/stats", "GET"},
            new String[] {"POST", "/style.css", "GET"},
            new String[] {"DELETE", "/favicon.ico", "GET"})) {
      HttpResponse<String> r = send(call[0], call[1], cookie);
      String what = call[0] + " " + call[1];
      assertEquals(405, r.statusCode(), what);
      assertEquals(List.of(call[2]), r.headers().allValues("Allow"), what);
    }
  }

  @Test
  void signalsInTheQueryAreNeverRead() throws Exception {
    // Datastar sends a GET's signals as JSON in the datastar parameter; this server reads none, so
    // malformed ones cannot fail a request.
    String cookie = cookie();
    for (String query : List.of("?datastar=%7Bbad", "?datastar=%5B%5B%5B", "?datastar=", "?datastar")) {
      HttpResponse<InputStream> r =
          http.send(request("GET", "/updates" + query, cookie).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode(), query);
      r.body().close();
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
      otherServers = browser.cookie(other);
    }
    for (String forged :
        List.of(
            CounterServer.COOKIE + "=forged",
            CounterServer.COOKIE + "=" + sid(issued), // the id without its signature
            tampered,
            otherServers)) {
      HttpResponse<String> page = http.send(Browser.pageRequest(server, forged), HttpResponse.BodyHandlers.ofString());
      String fresh = Browser.setCookie(page);
      assertTrue(fresh != null, "the page gives " + forged + " a new session");
      assertFalse(fresh.equals(forged), fresh);
      assertTrue(server.sessionId(fresh.substring(fresh.indexOf('=') + 1)) != null, fresh);

      HttpResponse<String> updates = send("GET", "/updates", forged);
      assertEquals(400, updates.statusCode(), forged + " is no session: " + updates.body());
      assertEquals(0, server.store().count(), "nothing stored for " + forged);
    }
    assertEquals(sid(issued), server.sessionId(value));
    assertNull(
        Browser.setCookie(http.send(Browser.pageRequest(server, issued), HttpResponse.BodyHandlers.ofString())),
        "an issued session is kept");
  }

  // --- Where it listens

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
}
