package datastar.wow.deacon.examples;

import static datastar.wow.deacon.examples.Browser.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.cluster.ClusterSettings;
import datastar.wow.deacon.cluster.RedisServer;
import datastar.wow.deacon.examples.Browser.Event;
import datastar.wow.deacon.examples.Browser.Tab;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hidden tab that comes back on the other node of a two-node run, over a real redis-server: its
 * stream drops on node A, waves are made on both nodes, and it opens again on node B with its
 * {@code Last-Event-ID}; the history the nodes share gives it the missed waves, in order, once,
 * before its opening events and the live ones.
 */
@Timeout(60)
class TabOnTheOtherNodeTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  private static final String KEY = "the secret both nodes share";

  private final Browser browser = new Browser();
  private final List<CounterServer> servers = new ArrayList<>();

  private CounterServer node(String prefix, String node) throws Exception {
    ClusterSettings cluster =
        ClusterSettings.builder(REDIS.uri()).prefix(prefix).node(node).lease(Duration.ofSeconds(2)).build();
    CounterServer server =
        CounterServer.start(
            Settings.of(Config.defaultIp(), 0, Duration.ofHours(1))
                .heartbeat(Duration.ofMillis(200))
                .panelDelay(Duration.ofMillis(20))
                .cluster(cluster, KEY));
    servers.add(server);
    return server;
  }

  @AfterEach
  void stop() {
    for (CounterServer s : servers) s.close();
  }

  private String wave(CounterServer on, String cookie) throws Exception {
    assertEquals(204, browser.send(on, "POST", "/wave", cookie).statusCode());
    List<Messages.Wave> kept = on.waves().listed();
    return kept.get(kept.size() - 1).id();
  }

  @Test
  void aTabThatDropsOnOneNodeAndComesBackOnTheOtherGetsTheWavesItMissed() throws Exception {
    String prefix = "ex" + System.nanoTime();
    CounterServer a = node(prefix, "node-a");
    CounterServer b = node(prefix, "node-b");
    eventually("both nodes connected", () -> a.store().policy().cluster().orElseThrow().connected()
        && b.store().policy().cluster().orElseThrow().connected());
    String ann = browser.cookie(a);
    String bob = browser.cookie(b);
    try (Tab onB = browser.tab(b, bob)) {
      String seen;
      String first;
      try (Tab hidden = browser.tab(a, ann)) {
        eventually("node-b sees ann's tab", () -> CounterServer.clusterKeys(b.store(), CounterServer.key(Browser.sid(b, ann))).size() == 1);
        first = wave(b, bob);
        Event e = hidden.next(Event::wave);
        assertEquals(first, e.waveId());
        assertNotNull(e.id());
        seen = e.id();
      } // dropped on node-a
      String second = wave(b, bob);
      String third = wave(a, bob);
      for (String w : List.of(first, second, third)) assertEquals(w, onB.next(Event::wave).waveId());

      try (Tab back = browser.tab(b, ann, seen)) { // back, on node-b
        List<Event> before = new ArrayList<>();
        back.next(Event::counter, before);
        List<String> missed = new ArrayList<>();
        for (Event m : before) {
          assertFalse(m.waveList(), "caught up from the shared history: no whole list; " + before);
          if (m.wave()) missed.add(m.waveId());
        }
        assertEquals(List.of(second, third), missed, "the waves it missed, in order, once");

        String fourth = wave(a, bob);
        List<Event> between = new ArrayList<>();
        assertEquals(fourth, back.next(Event::wave, between).waveId(), "then the live ones");
        assertTrue(between.stream().noneMatch(Event::wave), "no wave twice: " + between);
      }
    }
  }
}
