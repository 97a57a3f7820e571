package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.examples.Browser.Event;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Replay on the wire of a real browser, without Datastar's script: a tab's stream drops and is
 * opened again with a {@code last-event-id} header, and the first events it gets are the waves it
 * missed, in the order they were made, once each, each with its id, before the stream's own opening
 * events (which carry none); an id the store never gave gets no replay, and the whole list instead.
 *
 * <p>Headless Chromium ({@link Chromium}) loads the Java example's page with Datastar's script
 * refused, as {@link PageInChromiumIT} does, so the test runs in CI with no network. The page's
 * stream is then driven by the browser's own {@code fetch}, with in-page JavaScript that does what
 * Datastar 1.0's {@code @get} does with a stream ({@code library/src/plugins/actions/fetch.ts} of
 * starfederation/datastar, its {@code fetchEventSource}): it reads the SSE text field by field,
 * keeps the value of the last {@code id:} line it met (an empty one forgets it), closes the stream
 * by aborting the request, as Datastar does when the tab is hidden, and opens it again with that
 * value as the {@code last-event-id} request header. The DevTools protocol's {@code Network}
 * events show the header as the page set it and as it went on the wire. {@link
 * HiddenTabInChromiumIT} checks the same with Datastar's own script, when a copy of it is given.
 */
@Timeout(60)
class DroppedStreamInChromiumIT {
  // The page's stream, as Datastar's fetch.ts keeps it: window.sse.open(), .until(match), .drop().
  private static final String SSE =
      """
      (() => {
        const sse = {lastId: null};
        let controller = null, reader = null, buffer = '';
        // One block of the stream: {type, id, data}, id null without an id line, each data line
        // without the "signals " or "elements " that opens it; null for a comment (the heartbeat).
        const parse = block => {
          let type = null, id = null;
          const data = [];
          for (const line of block.split('\\n')) {
            if (line === '' || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? '' : line.slice(colon + 1);
            if (value.startsWith(' ')) value = value.slice(1);
            if (field === 'event') type = value;
            else if (field === 'data') data.push(value.replace(/^(signals|elements) /, ''));
            else if (field === 'id') {
              id = value;
              sse.lastId = value === '' ? null : value; // what fetch.ts sends back, or forgets
            }
          }
          return type === null ? null : {type, id, data: data.join('\\n')};
        };
        // Opens /updates with the headers of Datastar's @get, and last-event-id when an id is held.
        sse.open = async (held = sse.lastId) => {
          controller = new AbortController();
          const headers = {Accept: 'text/event-stream, text/html, application/json', 'Datastar-Request': 'true'};
          if (held) headers['last-event-id'] = held;
          const response = await fetch('/updates', {headers, signal: controller.signal});
          reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          buffer = '';
          return response.status;
        };
        // Reads events up to the first that match accepts; returns them all, oldest first.
        sse.until = async match => {
          const read = [];
          while (true) {
            let end;
            while ((end = buffer.indexOf('\\n\\n')) >= 0) {
              const event = parse(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
              if (event === null) continue;
              read.push(event);
              if (match(event)) return read;
            }
            const {value, done} = await reader.read();
            if (done) throw new Error('the stream ended; read: ' + JSON.stringify(read));
            buffer += value;
          }
        };
        // The stream drops, as Datastar aborts it when the tab is hidden.
        sse.drop = () => controller.abort();
        window.sse = sse;
      })()
      """;

  // The tab's own opening event, written after what it missed: the session's counter.
  private static final String COUNTER = "e => e.type === 'datastar-patch-signals' && e.data.startsWith('{\"counter\"')";

  private CounterServer server;
  private Chromium chromium;
  private String origin;
  private Object key;
  private final Browser other = new Browser();

  @BeforeEach
  void start() throws Exception {
    Optional<Path> executable = Chromium.executable();
    Assumptions.assumeTrue(executable.isPresent(), "no chromium installed (apt-get install chromium): skipped");
    // No tick and no store panel within the test (both wait an hour), so every event with an id is
    // a wave; a heartbeat every 20 ms finds a dropped stream at once.
    server = CounterServer.start(
        Settings.of(Config.defaultIp(), 0, Duration.ofHours(1))
            .heartbeat(Duration.ofMillis(20))
            .panelDelay(Duration.ofHours(1)));
    origin = CounterServer.url(server.address());
    chromium = Chromium.launch(executable.get(), 1280, 900);
    chromium.watch();
    chromium.allowOnly(origin); // Datastar's script is refused: the stream is this test's fetch
    chromium.load(origin + "/");
    key = CounterServer.key(Browser.sid(server, chromium.cookie(origin, CounterServer.COOKIE)));
    chromium.eval(SSE);
  }

  @AfterEach
  void stop() {
    if (chromium != null) chromium.close();
    if (server != null) server.close();
  }

  @Test
  void aDroppedStreamReopenedWithItsLastEventIdGetsTheMissedWavesFirstInOrderOnce() throws Exception {
    String held = dropAfterOwnWave();
    List<String> made = waveFromAnotherSession(3);

    assertEquals(200L, chromium.eval("sse.open()"));
    List<Event> reopened = until(COUNTER);
    List<Event> replayed = new ArrayList<>();
    for (Event e : reopened) {
      if (e.id() == null) break;
      replayed.add(e);
    }
    assertEquals(made, replayed.stream().map(Event::waveId).toList(), "first, the missed waves in order: " + reopened);
    assertEquals(
        made.stream().map(this::text).toList(), replayed.stream().map(Event::waveText).toList(), "each with its text");
    assertTrue(replayed.stream().allMatch(Event::wave), "nothing but wave lines replayed: " + replayed);
    String before = held;
    for (Event e : replayed) {
      assertTrue(e.id().compareTo(before) > 0, "ids increase: " + e.id() + " after " + before);
      before = e.id();
    }
    List<Event> opening = reopened.subList(replayed.size(), reopened.size());
    assertTrue(opening.stream().allMatch(e -> e.id() == null), "then the opening events, without ids: " + opening);
    assertTrue(opening.stream().noneMatch(e -> e.wave() || e.waveList()), "caught up: no list, no line again: " + opening);

    List<String> live = waveFromAnotherSession(1);
    List<Event> after = until("e => e.data.includes('data-wave=\"" + live.get(0) + "\"')");
    assertEquals(1, after.size(), "then the live wave, and nothing else: " + after);
    assertTrue(after.get(0).id().compareTo(before) > 0, "its id after theirs");
    List<String> lines = new ArrayList<>();
    for (Event e : concat(reopened, after)) {
      if (e.wave()) lines.add(e.waveId());
    }
    assertEquals(concat(made, live), lines, "each wave line once on the reopened stream");
    assertEquals(held, lastEventIdOfUpdates(1), "the reopening request carried the held id");
    assertEquals(List.of(), chromium.errorsBesides(Page.DATASTAR_CDN));
  }

  @Test
  void aStreamReopenedWithAnIdTheStoreNeverGaveGetsTheWholeListAndNoReplay() throws Exception {
    dropAfterOwnWave();
    List<String> made = waveFromAnotherSession(3);
    List<String> all = server.waves().listed().stream().map(Messages.Wave::id).toList();
    assertEquals(4, all.size(), "the tab's own wave and the three it missed");

    assertEquals(200L, chromium.eval("sse.open('0-0')"));
    List<Event> reopened = until(COUNTER);
    assertTrue(reopened.stream().allMatch(e -> e.id() == null), "nothing replayed: " + reopened);
    assertTrue(reopened.stream().noneMatch(Event::wave), "no wave line: " + reopened);
    List<Event> lists = reopened.stream().filter(Event::waveList).toList();
    assertEquals(1, lists.size(), "the whole list instead: " + reopened);
    assertEquals(WaveList.html(server.waves().listed()), lists.get(0).data(), "every wave, oldest first");
    assertEquals(all, waveIds(lists.get(0).data()));
    assertTrue(all.containsAll(made));
    assertTrue(
        reopened.stream().anyMatch(e -> e.data().equals(WaveList.signals(server.waves().listed()))),
        "with the waves signal: " + reopened);
    assertEquals("0-0", lastEventIdOfUpdates(1), "the reopening request carried the unknown id");
    assertEquals(List.of(), chromium.errorsBesides(Page.DATASTAR_CDN));
  }

  // Opens the tab's stream afresh, waves from the tab and reads the wave's line, then drops the
  // stream and waits until the server has seen it close. Returns the id the page holds.
  private String dropAfterOwnWave() throws Exception {
    assertEquals(200L, chromium.eval("sse.open()"));
    List<Event> opening = until(COUNTER);
    assertTrue(opening.stream().allMatch(e -> e.id() == null), "a fresh stream's opening events have no id: " + opening);
    assertTrue(opening.stream().anyMatch(Event::waveList), "a fresh stream gets the whole list: " + opening);
    assertEquals(1, server.store().count(key), "the tab's stream is stored");
    assertNull(lastEventIdOfUpdates(0), "a fresh stream is opened without last-event-id");

    assertEquals(204L, chromium.eval("fetch('/wave', {method: 'POST', headers: {'Datastar-Request': 'true'}}).then(r => r.status)"));
    List<Event> read = until("e => e.type === 'datastar-patch-elements' && e.data.includes('data-wave=')");
    Event own = read.get(read.size() - 1);
    assertTrue(own.wave(), "the tab's own wave, appended: " + own);
    assertNotNull(own.id(), "it carries an id");
    assertEquals(own.id(), chromium.eval("sse.lastId"), "the page holds the id of the last event it read");

    chromium.eval("sse.drop()");
    Browser.eventually("the server saw the dropped stream close", () -> server.store().count(key) == 0);
    return own.id();
  }

  // Waves n times from a session of its own (no tab open); returns the waves' ids, in order.
  private List<String> waveFromAnotherSession(int n) throws Exception {
    String cookie = other.cookie(server);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      assertEquals(204, other.send(server, "POST", "/wave", cookie).statusCode());
      List<Messages.Wave> listed = server.waves().listed();
      ids.add(listed.get(listed.size() - 1).id());
    }
    assertEquals(n, new HashSet<>(ids).size(), "distinct waves: " + ids);
    return ids;
  }

  // The text of a wave the server made, as its line shows it.
  private String text(String waveId) {
    for (Messages.Wave w : server.waves().listed()) {
      if (w.id().equals(waveId)) return Page.escape(w.text());
    }
    throw new AssertionError("no such wave: " + waveId);
  }

  // Reads the page's stream up to the first event the JavaScript predicate accepts.
  private List<Event> until(String match) throws Exception {
    List<Event> events = new ArrayList<>();
    for (Object o : (List<?>) chromium.eval("sse.until(" + match + ")")) {
      Map<?, ?> e = (Map<?, ?>) o;
      events.add(new Event((String) e.get("type"), (String) e.get("data"), (String) e.get("id")));
    }
    return events;
  }

  // The last-event-id of the n-th GET /updates (0 first), as the page set it and as it went on the
  // wire; null when it had none. Both must agree.
  private @Nullable String lastEventIdOfUpdates(int n) throws Exception {
    List<Map<?, ?>> sent = new ArrayList<>();
    for (Map<?, ?> r : chromium.events("Network.requestWillBeSent")) {
      if (URI.create((String) ((Map<?, ?>) r.get("request")).get("url")).getPath().equals("/updates")) sent.add(r);
    }
    assertTrue(sent.size() > n, "GET /updates number " + n + " was made: " + sent.size());
    Object id = sent.get(n).get("requestId");
    String set = header((Map<?, ?>) ((Map<?, ?>) sent.get(n).get("request")).get("headers"), "last-event-id");
    Map<?, ?> wire =
        chromium.await(
            e -> "Network.requestWillBeSentExtraInfo".equals(e.get("method"))
                && id.equals(((Map<?, ?>) e.get("params")).get("requestId")),
            0,
            Duration.ofSeconds(10));
    String onTheWire = header((Map<?, ?>) ((Map<?, ?>) wire.get("params")).get("headers"), "last-event-id");
    assertEquals(set, onTheWire, "the header the page set went on the wire as it was");
    assertNotNull(header((Map<?, ?>) ((Map<?, ?>) wire.get("params")).get("headers"), "cookie"), "with the session");
    return set;
  }

  private static @Nullable String header(Map<?, ?> headers, String name) {
    for (Map.Entry<?, ?> h : headers.entrySet()) {
      if (name.equalsIgnoreCase(String.valueOf(h.getKey()))) return String.valueOf(h.getValue());
    }
    return null;
  }

  private static List<String> waveIds(String html) {
    List<String> ids = new ArrayList<>();
    for (int at = html.indexOf("data-wave=\""); at >= 0; at = html.indexOf("data-wave=\"", at + 1)) {
      ids.add(html.substring(at + 11, html.indexOf('"', at + 11)));
    }
    return ids;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

}
