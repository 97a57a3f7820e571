package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.examples.Browser.Event;
import datastar.wow.deacon.examples.Browser.Tab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java example's list of waves and the store's history, over real sockets: a tab whose stream
 * dropped (as Datastar drops it while the tab is hidden) and that opens again with {@code
 * Last-Event-ID} gets the waves it missed, in order, once, before its own opening events and the
 * live ones; with an id the store does not know, it gets the whole list.
 */
@Timeout(60)
class WaveReplayTest {
  private final Browser browser = new Browser();
  private CounterServer server;

  @BeforeEach
  void start() throws Exception {
    // A timer that never fires within a test, so that every event is caused by a request.
    server = CounterServer.start(0, Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String wave(String cookie) throws Exception {
    assertEquals(204, browser.send(server, "POST", "/wave", cookie).statusCode());
    List<Messages.Wave> kept = server.waves().listed();
    return kept.get(kept.size() - 1).id();
  }

  @Test
  void aTabThatComesBackGetsTheWavesItMissedOnceInOrderBeforeLiveOnes() throws Exception {
    String ann = browser.cookie(server);
    String bob = browser.cookie(server);
    try (Tab other = browser.tab(server, bob)) {
      String seen;
      String first;
      try (Tab hidden = browser.tab(server, ann)) {
        first = wave(bob);
        Event e = hidden.next(Event::wave);
        assertEquals(first, e.waveId());
        assertNotNull(e.id(), "the wave's event carries an id");
        seen = e.id();
      } // the stream drops, as Datastar drops a hidden tab's
      String second = wave(bob);
      String third = wave(ann);
      for (String w : List.of(first, second, third)) {
        assertEquals(w, other.next(Event::wave).waveId(), "live elsewhere");
      }

      try (Tab back = browser.tab(server, ann, seen)) {
        List<Event> before = new ArrayList<>();
        back.next(Event::counter, before); // its own opening events come after what it missed
        List<String> missed = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Event m : before) {
          assertFalse(m.waveList(), "caught up: no whole list");
          if (m.wave()) missed.add(m.waveId());
          if (m.id() != null) ids.add(m.id());
        }
        assertEquals(List.of(second, third), missed, "the waves it missed, in order, once: " + before);
        assertTrue(ids.stream().allMatch(id -> id.compareTo(seen) > 0), "every replayed event is after " + seen);
        assertEquals(ids.stream().sorted().toList(), ids, "in the order of their ids");

        String fourth = wave(bob);
        List<Event> between = new ArrayList<>();
        assertEquals(fourth, back.next(Event::wave, between).waveId(), "then the live ones");
        assertTrue(between.stream().noneMatch(Event::wave), "no wave twice: " + between);
      }
    }
  }

  @Test
  void aTabWhoseIdIsUnknownGetsTheWholeList() throws Exception {
    String ann = browser.cookie(server);
    String bob = browser.cookie(server);
    try (Tab other = browser.tab(server, bob)) {
      String first = wave(bob);
      String second = wave(bob);
      try (Tab back = browser.tab(server, ann, "an-id-of-another-server-0000000000001")) {
        List<Event> before = new ArrayList<>();
        Event list = back.next(Event::waveList, before);
        assertTrue(list.data().contains("data-wave=\"" + first + "\"") && list.data().contains("data-wave=\"" + second + "\""),
            list.data());
        assertTrue(list.data().indexOf(first) < list.data().indexOf(second), "oldest first");
        assertTrue(
            before.stream().anyMatch(e -> e.data().equals("{\"waves\":[\"" + first + "\",\"" + second + "\"]}")),
            "with the ids it holds, which hide a line that came twice: " + before);
        assertTrue(before.stream().noneMatch(Event::wave), "nothing replayed");
      }
      assertEquals(first, other.next(Event::wave).waveId());
    }
  }

  @Test
  void aPageOpeningAfreshGetsTheWholeListAndTheNodeKeepsTheLastWaves() throws Exception {
    String ann = browser.cookie(server);
    for (int i = 0; i < Waves.KEPT + 3; i++) wave(ann);
    List<Messages.Wave> kept = server.waves().listed();
    assertEquals(Waves.KEPT, kept.size(), "bounded");
    String page = browser.page(server, ann);
    assertTrue(page.contains(WaveList.html(kept)), "the page lists them");
    try (Tab tab = browser.tab(server, ann)) {
      assertEquals(WaveList.html(kept), tab.next(Event::waveList).data(), "and so does its stream as it opens");
    }
  }

  @Test
  void aWaveWithABadIdIsNotKept() {
    Messages.Wave bad = new Messages.Wave("x'); alert(1); ('", "no");
    assertFalse(Waves.valid(bad), "it would reach a page's expression");
    assertTrue(Waves.valid(new Messages.Wave(Waves.newId(), "yes")));
    Waves waves = new Waves();
    Messages.Wave w = new Messages.Wave("0badc0de", "from another node");
    waves.seen(w);
    waves.seen(w);
    assertEquals(List.of(w), waves.listed(), "kept once");
  }
}
