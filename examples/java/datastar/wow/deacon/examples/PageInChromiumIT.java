package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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
 * The Java example's page in a real browser: a headless Chromium, driven over the DevTools
 * protocol ({@link Chromium}), loads the page from a server on a free loopback port and the test
 * checks what it rendered, loaded and logged. Datastar's script is refused by the test (the
 * browser never reaches its CDN, so the run is the same with or without a network): the page's
 * stream and buttons are then exercised by the browser's own {@code fetch}, reading the stream as
 * Datastar would. Skipped when no Chromium is installed ({@code .ci/run} installs Debian's).
 */
@Timeout(60)
class PageInChromiumIT {
  private CounterServer server;
  private Chromium chromium;
  private String origin;

  @BeforeEach
  void start() throws Exception {
    Optional<Path> executable = Chromium.executable();
    Assumptions.assumeTrue(executable.isPresent(), "no chromium installed (apt-get install chromium): skipped");
    // A timer that never fires within the test: every change is caused by a request.
    server = CounterServer.start(0, Duration.ofHours(1));
    origin = CounterServer.url(server.address());
    chromium = Chromium.launch(executable.get(), 1280, 900);
    chromium.watch();
    // Datastar's script, and anything else not from the server, is refused before it leaves.
    chromium.allowOnly(origin);
  }

  @AfterEach
  void stop() {
    if (chromium != null) chromium.close();
    if (server != null) server.close();
  }

  @Test
  void thePageRendersWithItsStylesheetAndFavicon() throws Exception {
    chromium.load(origin + "/");

    assertEquals("deacon counter (Java)", chromium.eval("document.title"));
    assertEquals("0", chromium.eval("document.getElementById('counter').textContent"));
    assertEquals("stopped", chromium.eval("document.querySelector('.status').textContent"));
    assertEquals(
        List.of("Start timer", "Add ten", "Stop and reset", "Wave to everyone"),
        chromium.eval("[...document.querySelectorAll('button')].map(b => b.textContent)"));
    assertEquals(
        List.of(false, true, true, false),
        chromium.eval("[...document.querySelectorAll('button')].map(b => b.disabled)"),
        "a stopped counter: Add ten and Stop and reset disabled from the first paint");
    assertEquals("The store", chromium.eval("document.querySelector('#store h2').textContent"));
    assertEquals(
        "No streams: every open page keeps one here.",
        chromium.eval("document.querySelector('#store tbody td').textContent"));

    // The stylesheet is applied: the primary button takes its accent colour, the page its layout.
    Object rules = chromium.eval("document.styleSheets.length === 1 ? document.styleSheets[0].cssRules.length : -1");
    assertTrue(((Number) rules).intValue() > 10, "style.css parsed, rules: " + rules);
    Map<?, ?> colours =
        (Map<?, ?>)
            chromium.eval(
                """
                (() => {
                  const probe = document.createElement('div');
                  probe.style.background = 'var(--accent)';
                  document.body.append(probe);
                  const accent = getComputedStyle(probe).backgroundColor;
                  probe.remove();
                  return {accent, button: getComputedStyle(document.querySelector('button.primary')).backgroundColor,
                          card: getComputedStyle(document.querySelector('.card')).borderRadius};
                })()
                """);
    assertTrue(
        ((String) colours.get("accent")).startsWith("rgb(") && !"rgba(0, 0, 0, 0)".equals(colours.get("accent")),
        "--accent is defined: " + colours);
    assertEquals(colours.get("accent"), colours.get("button"), "the primary button takes the accent colour");
    assertEquals("12px", colours.get("card"), "cards have the stylesheet's rounded corners");
    // The favicon is an image the browser decodes, 32 x 32.
    assertEquals(
        32L,
        chromium.eval("(async () => { const i = new Image(); i.src = '/favicon.ico'; await i.decode();"
            + " return i.naturalWidth; })()"));

    // What the page loaded from the server: all 200, the page, its stylesheet and its favicon.
    List<String> loaded = new ArrayList<>();
    for (Map<?, ?> r : chromium.events("Network.responseReceived")) {
      Map<?, ?> response = (Map<?, ?>) r.get("response");
      String url = (String) response.get("url");
      assertEquals(200L, response.get("status"), url);
      loaded.add(URI.create(url).getPath());
    }
    assertTrue(loaded.containsAll(List.of("/", "/style.css", "/favicon.ico")), "loaded: " + loaded);

    // What failed: only Datastar's script, refused by this test.
    List<String> failed = new ArrayList<>();
    for (Map<?, ?> f : chromium.events("Network.loadingFailed")) {
      failed.add(urlOf(f.get("requestId")));
    }
    assertEquals(List.of(Page.DATASTAR_CDN), failed);
    assertEquals(List.of(), chromium.errorsBesides(Page.DATASTAR_CDN));
  }

  @Test
  void thePageStreamFollowsTheButtons() throws Exception {
    chromium.load(origin + "/");
    // The browser opens the tab's stream with the page's cookie, then makes the requests of
    // Start timer, Add ten and Stop and reset, reading the stream's signals after each.
    Object seen =
        chromium.eval(
            """
            (async () => {
              const stream = await fetch('/updates', {headers: {'Datastar-Request': 'true'}});
              const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
              let buffer = '';
              const signals = [];
              async function next(match) {
                while (true) {
                  let end;
                  while ((end = buffer.indexOf('\\n\\n')) >= 0) {
                    const event = buffer.slice(0, end);
                    buffer = buffer.slice(end + 2);
                    if (!event.startsWith('event: datastar-patch-signals')) continue;
                    const data = event.split('\\n').find(l => l.startsWith('data: signals '));
                    const s = JSON.parse(data.slice('data: signals '.length));
                    signals.push(s);
                    if (match(s)) return s;
                  }
                  const {value, done} = await reader.read();
                  if (done) throw new Error('the stream ended');
                  buffer += value;
                }
              }
              const status = [];
              await next(s => 'counter' in s);
              status.push((await fetch('/', {method: 'PUT'})).status);
              await next(s => s.running === true);
              status.push((await fetch('/jump', {method: 'POST'})).status);
              await next(s => s.counter === 10);
              status.push((await fetch('/', {method: 'DELETE'})).status);
              await next(s => s.running === false && s.counter === 0);
              reader.cancel();
              return {status, counters: signals.filter(s => 'counter' in s).map(s => [s.counter, s.running])};
            })()
            """);
    Map<?, ?> result = (Map<?, ?>) seen;
    assertEquals(List.of(204L, 204L, 204L), result.get("status"), "start, add ten, stop");
    assertEquals(
        List.of(List.of(0L, false), List.of(0L, true), List.of(10L, true), List.of(0L, false)),
        result.get("counters"),
        "the counter as the tab's stream showed it");
    assertEquals(List.of(), chromium.errorsBesides(Page.DATASTAR_CDN));
  }

  // The URL of a request, from its Network.requestWillBeSent.
  private String urlOf(Object requestId) {
    for (Map<?, ?> r : chromium.events("Network.requestWillBeSent")) {
      if (requestId.equals(r.get("requestId"))) return (String) ((Map<?, ?>) r.get("request")).get("url");
    }
    return "(request " + requestId + ")";
  }
}
