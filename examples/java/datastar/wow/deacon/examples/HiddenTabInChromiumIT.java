package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hidden tab comes back, in a real browser running Datastar's own script: headless Chromium loads
 * the Java example's page with Datastar 1.0 ({@link DatastarBundle}, served in place of its CDN);
 * the window is minimised, so the page is hidden and Datastar closes its stream (the server sees it
 * leave); another browser waves twice; the window comes back, Datastar opens the stream again with
 * {@code last-event-id} (the server sees it join, the browser's log shows the header), and the
 * page's list shows the missed waves, in order, once.
 */
@Timeout(90)
class HiddenTabInChromiumIT {
  private CounterServer server;
  private Chromium chromium;
  private String origin;

  @BeforeEach
  void start() throws Exception {
    Optional<Path> executable = Chromium.executable();
    Assumptions.assumeTrue(executable.isPresent(), "no chromium installed (apt-get install chromium): skipped");
    Optional<Path> bundle = DatastarBundle.file();
    Assumptions.assumeTrue(bundle.isPresent(), DatastarBundle.MISSING);
    // No tick within the test; a heartbeat every 20 ms finds a closed stream at once.
    server = CounterServer.start(
        Settings.of(Config.defaultIp(), 0, Duration.ofHours(1)).heartbeat(Duration.ofMillis(20)));
    origin = CounterServer.url(server.address());
    chromium = Chromium.launch(executable.get(), 1280, 900);
    chromium.watch();
    chromium.allowOnly(origin, Map.of(Page.DATASTAR_CDN, Files.readAllBytes(bundle.get())));
  }

  @AfterEach
  void stop() {
    if (chromium != null) chromium.close();
    if (server != null) server.close();
  }

  @Test
  void theWavesMissedWhileHiddenAppearInOrderOnceWhenShown() throws Exception {
    chromium.load(origin + "/");
    Object key = CounterServer.key(Browser.sid(server, chromium.cookie(origin, CounterServer.COOKIE)));
    eventually("Datastar opened the tab's stream", () -> server.store().count(key) == 1);
    Browser other = new Browser();
    String bob = other.cookie(server);

    wave(other, bob);
    eventually("the first wave is listed", () -> visibleWaves().size() == 1);

    chromium.hide(true);
    assertEquals(true, chromium.eval("document.hidden"), "minimised: the page is hidden");
    eventually("Datastar closed the hidden tab's stream", () -> server.store().count(key) == 0);
    wave(other, bob);
    wave(other, bob);
    List<String> made = new ArrayList<>();
    for (Messages.Wave w : server.waves().listed()) made.add(w.id());
    assertEquals(3, made.size());
    assertEquals(1, visibleWaves().size(), "nothing reached the hidden page");

    int requestsBefore = updatesRequests().size();
    chromium.hide(false);
    assertEquals(false, chromium.eval("document.hidden"));
    eventually("Datastar opened the stream again", () -> server.store().count(key) == 1);
    eventually("the missed waves are listed", () -> visibleWaves().size() == 3);
    List<Map<?, ?>> reopened = updatesRequests().subList(requestsBefore, updatesRequests().size());
    assertEquals(1, reopened.size(), "one reopening: " + reopened);
    assertTrue(
        reopened.get(0).keySet().stream().anyMatch(h -> "last-event-id".equalsIgnoreCase(String.valueOf(h))),
        "with last-event-id: " + reopened.get(0));

    assertEquals(made, visibleWaves(), "in order, once");
    assertEquals(made, allWaves(), "no line hidden or twice either");
    wave(other, bob);
    eventually("then live ones", () -> visibleWaves().size() == 4);
    assertEquals(4, allWaves().size());
  }

  private void wave(Browser other, String cookie) throws Exception {
    assertEquals(204, other.send(server, "POST", "/wave", cookie).statusCode());
  }

  // the waves the page's list shows, by id
  @SuppressWarnings("unchecked")
  private List<String> visibleWaves() throws Exception {
    return (List<String>) chromium.eval(
        "[...document.querySelectorAll('#waves li')].filter(li => li.checkVisibility()).map(li => li.dataset.wave)");
  }

  // every line of the list, shown or not
  @SuppressWarnings("unchecked")
  private List<String> allWaves() throws Exception {
    return (List<String>) chromium.eval("[...document.querySelectorAll('#waves li')].map(li => li.dataset.wave)");
  }

  // the request headers of every GET /updates the browser made
  private List<Map<?, ?>> updatesRequests() {
    List<Map<?, ?>> headers = new ArrayList<>();
    for (Map<?, ?> r : chromium.events("Network.requestWillBeSent")) {
      Map<?, ?> request = (Map<?, ?>) r.get("request");
      if (URI.create((String) request.get("url")).getPath().equals("/updates")) {
        headers.add((Map<?, ?>) request.get("headers"));
      }
    }
    return headers;
  }

  private static void eventually(String what, Checked condition) throws Exception {
    Browser.eventually(what, () -> {
      try {
        return condition.test();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** A condition that may throw. */
  @FunctionalInterface
  private interface Checked {
    boolean test() throws Exception;
  }
}
