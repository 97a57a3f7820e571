package datastar.wow.deacon.examples;

import static datastar.wow.deacon.examples.Browser.counter;
import static datastar.wow.deacon.examples.Browser.eventually;
import static datastar.wow.deacon.examples.Browser.rows;
import static datastar.wow.deacon.examples.Browser.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.cluster.ClusterSettings;
import datastar.wow.deacon.cluster.RedisServer;
import datastar.wow.deacon.examples.Browser.Event;
import datastar.wow.deacon.examples.Browser.Tab;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes of the Java example in one JVM, over a real redis-server, driven over HTTP as browsers
 * do: a session cookie works on both, a button on a page of one node drives the tabs held by the
 * other, a tab opening on the other node shows the counter as the session has it, the timer runs
 * on one node and ticks on every tab, a wave and a push reach every node, and each node's panel
 * shows which node holds each key.
 */
@Timeout(60)
class CounterClusterTest {
  @RegisterExtension static final RedisServer REDIS = RedisServer.plain();

  private static final String KEY = "the secret both nodes share";

  private final Browser browser = new Browser();
  private final List<CounterServer> servers = new ArrayList<>();

  /** Node {@code node} of a cluster of its own prefix; every test makes its own. */
  private CounterServer node(String prefix, String node, Duration tick) throws IOException {
    ClusterSettings cluster =
        ClusterSettings.builder(REDIS.uri()).prefix(prefix).node(node).lease(Duration.ofSeconds(2)).build();
    CounterServer server =
        CounterServer.start(
            Settings.of(Config.defaultIp(), 0, tick)
                .heartbeat(Duration.ofMillis(200))
                .panelDelay(Duration.ofMillis(20))
                .cluster(cluster, KEY));
    servers.add(server);
    return server;
  }

  /** Nodes {@code node-a} and {@code node-b}, connected. */
  private CounterServer[] pair(Duration tick) throws Exception {
    String prefix = "ex" + System.nanoTime();
    CounterServer a = node(prefix, "node-a", tick);
    CounterServer b = node(prefix, "node-b", tick);
    eventually("both nodes connected", () -> connected(a) && connected(b));
    return new CounterServer[] {a, b};
  }

  private static boolean connected(CounterServer s) {
    return Boolean.TRUE.equals(
        ((clojure.lang.IPersistentMap) s.store().stats().valAt(clojure.lang.Keyword.intern("cluster")))
            .valAt(clojure.lang.Keyword.intern("connected")));
  }

  @AfterEach
  void stop() {
    for (CounterServer s : servers) s.close();
  }

  /** Waits until {@code viewer} sees, in the cluster's directory, the key of the session of {@code cookie}. */
  private static void listed(CounterServer viewer, String cookie) throws InterruptedException {
    Object key = CounterServer.key(Browser.sid(viewer, cookie));
    eventually("the directory lists the key", () -> CounterServer.clusterKeys(viewer.store(), key).size() == 1);
  }

  @Test
  void aCookieOneNodeIssuedIsASessionOnTheOther() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    String ann = browser.cookie(n[0]);
    HttpResponse<String> onB = browser.http.send(Browser.pageRequest(n[1], ann), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, onB.statusCode());
    assertNull(Browser.setCookie(onB), "node-b keeps node-a's session");
    assertEquals(Browser.sid(n[0], ann), Browser.sid(n[1], ann));
    try (CounterServer alone = CounterServer.start(0, Duration.ofHours(1))) {
      assertNull(alone.sessionId(ann.substring(ann.indexOf('=') + 1)), "a server with a key of its own does not");
    }
  }

  @Test
  void aButtonOnOneNodeDrivesTheTabsOnTheOther() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    try (Tab onA = browser.tab(a, ann)) {
      assertEquals(counter(0, false), onA.counter());
      listed(b, ann);
      try (Tab onB = browser.tab(b, ann)) {
        assertEquals(counter(0, false), onB.counter());
        assertEquals(204, browser.send(b, "PUT", "/", ann).statusCode(), "start, on node-b");
        assertEquals(counter(0, true), onA.counter(counter(0, true)), "node-a's tab shows it");
        assertEquals(204, browser.send(a, "POST", "/jump", ann).statusCode(), "add ten, on node-a");
        assertEquals(counter(10, true), onB.counter(counter(10, true)), "node-b's tab shows it");
        assertEquals(counter(10, true), onA.counter(counter(10, true)));
        assertEquals(204, browser.send(b, "DELETE", "/", ann).statusCode(), "stop, on node-b");
        onA.counter(counter(0, false));
        onB.counter(counter(0, false));
        eventually("stopped and reset on both nodes: nothing kept",
            () -> a.counterCount() == 0 && b.counterCount() == 0);
      }
    }
  }

  @Test
  void aTabOpeningOnTheOtherNodeShowsTheCounterAsTheSessionHasIt() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    try (Tab onA = browser.tab(a, ann)) {
      onA.counter();
      browser.send(a, "POST", "/jump", ann);
      browser.send(a, "POST", "/jump", ann);
      onA.counter(counter(20, false));
      listed(b, ann);
      try (Tab onB = browser.tab(b, ann)) {
        assertEquals(counter(20, false), onB.counter(counter(20, false)), "node-b asked node-a for it");
        assertEquals(new Counter.State(20, false), b.state(Browser.sid(b, ann)));
        assertEquals(204, browser.send(b, "POST", "/jump", ann).statusCode());
        assertEquals(counter(30, false), onA.counter(counter(30, false)), "node-b's change is the newer");
        assertEquals(counter(30, false), onB.counter(counter(30, false)));
      }
    }
  }

  @Test
  void theTimerRunsOnOneNodeAndTicksOnEveryTab() throws Exception {
    CounterServer[] n = pair(Duration.ofMillis(50));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    String sid = Browser.sid(a, ann);
    try (Tab onA = browser.tab(a, ann)) {
      onA.counter();
      listed(b, ann);
      try (Tab onB = browser.tab(b, ann)) {
        onB.counter();
        assertEquals(204, browser.send(a, "PUT", "/", ann).statusCode());
        long last = -1;
        while (last < 5) {
          long v = value(onB.next(e -> e.counter() && e.data().contains("true")).data());
          assertTrue(v >= last, "node-b's tab only sees the counter grow: " + v + " after " + last);
          last = v;
        }
        assertTrue(a.state(sid).running() && b.state(sid).running(), "both nodes know it runs");
        assertEquals(204, browser.send(b, "DELETE", "/", ann).statusCode(), "stopped from node-b");
        onA.counter(counter(0, false));
        onB.counter(counter(0, false));
        eventually("node-a's timer stopped", () -> !a.state(sid).running() && a.counterCount() == 0);
        Thread.sleep(200);
        assertEquals(Counter.State.INITIAL, a.state(sid), "and ticks no more");
      }
    }
  }

  @Test
  void aCommandOnANodeWithoutATabReachesTheNodesThatHaveOne() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    try (Tab onA = browser.tab(a, ann); Tab again = browser.tab(a, ann)) {
      onA.counter();
      again.counter();
      listed(b, ann);
      assertEquals(204, browser.send(b, "POST", "/jump", ann).statusCode(), "node-b holds no tab of ann's");
      assertEquals(counter(10, false), onA.counter(counter(10, false)));
      assertEquals(counter(10, false), again.counter(counter(10, false)));
      eventually("applied once on node-a, however many tabs it holds", () -> a.state(Browser.sid(a, ann)).value() == 10);
      Thread.sleep(100);
      assertEquals(10, a.state(Browser.sid(a, ann)).value());
      assertEquals(0, b.counterCount(), "node-b keeps no copy");
    }
    String bob = browser.cookie(b);
    HttpResponse<String> none = browser.send(b, "POST", "/jump", bob);
    assertEquals(404, none.statusCode(), "no tab of bob's on any node");
    assertEquals("no tab of this session is open on any node: open the page first", none.body());
    assertEquals(0, b.counterCount(), "nothing changed on node-b");
    assertEquals(1, a.counterCount(), "node-a keeps ann's counter only");
  }

  @Test
  void duringARedisOutageACommandSaysWhatItCouldNotReach() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    String bob = browser.cookie(a);
    try (Tab annOnA = browser.tab(a, ann); Tab bobOnA = browser.tab(a, bob)) {
      annOnA.counter();
      bobOnA.counter();
      listed(b, ann);
      listed(b, bob);
      try (Tab annOnB = browser.tab(b, ann)) {
        annOnB.counter();
        assertEquals(204, browser.send(b, "PUT", "/", ann).statusCode(), "start, on node-b: node-b ticks");
        annOnA.counter(counter(0, true));
        try (CapturedLog logs = CapturedLog.start()) {
          REDIS.stop();
          try {
            eventually("both nodes saw Redis go", () -> !connected(a) && !connected(b));
            assertEquals(204, browser.send(a, "POST", "/jump", ann).statusCode(), "add ten, on node-a");
            assertEquals(counter(10, true), annOnA.counter(counter(10, true)), "node-a's tab shows it");
            assertEquals("{\"notice\":" + Page.jsonString(Notices.ONLY_HERE) + "}",
                annOnA.next(Event::notice).data(), "and says it reached no other node");
            assertEquals(0, b.state(Browser.sid(b, ann)).value(), "node-b never got it");

            HttpResponse<String> cut = browser.send(b, "POST", "/jump", bob);
            assertEquals(503, cut.statusCode(), "bob's tabs are on node-a, which node-b cannot reach");
            assertEquals(Notices.UNREACHABLE, cut.body());
            assertEquals(0, a.state(Browser.sid(a, bob)).value(), "nothing changed");
          } finally {
            REDIS.start();
          }
          eventually("both nodes back", () -> connected(a) && connected(b));
          assertTrue(logs.messages().stream().anyMatch(m -> m.contains("Redis")), logs.messages()::toString);
        }
      }
    }
  }

  @Test
  void aWaveAndAPushReachEveryNode() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    String bob = browser.cookie(b);
    try (Tab annOnA = browser.tab(a, ann); Tab bobOnB = browser.tab(b, bob)) {
      listed(a, bob);
      listed(b, ann);
      try (Tab annOnB = browser.tab(b, ann)) {
        listed(a, ann);
        assertEquals(204, browser.send(a, "POST", "/wave", bob).statusCode());
        for (Tab t : List.of(annOnA, bobOnB, annOnB)) {
          assertTrue(t.next(Event::wave).data().contains(Page.shortId(Browser.sid(a, bob)) + " waved at "));
        }
        assertEquals(204, browser.send(b, "POST", "/push?n=7", ann).statusCode());
        assertEquals("{\"push\":7}", annOnA.next(Event::push).data(), "through node-b, to ann's tab on node-a");
        assertEquals("{\"push\":7}", annOnB.next(Event::push).data());
        assertEquals(204, browser.send(a, "POST", "/push?n=8", bob).statusCode());
        List<Event> before = new ArrayList<>();
        assertEquals("{\"push\":8}", bobOnB.next(Event::push, before).data());
        assertTrue(before.stream().noneMatch(Event::push), "bob got none of ann's: " + before);
        assertEquals(400, browser.send(a, "POST", "/push?n=x", bob).statusCode());
      }
    }
  }

  @Test
  void eachNodesPanelShowsWhichNodeHoldsEachKey() throws Exception {
    CounterServer[] n = pair(Duration.ofHours(1));
    CounterServer a = n[0];
    CounterServer b = n[1];
    String ann = browser.cookie(a);
    String bob = browser.cookie(b);
    String annLabel = Page.label(CounterServer.key(Browser.sid(a, ann)));
    String bobLabel = Page.label(CounterServer.key(Browser.sid(b, bob)));
    try (Tab annOnA = browser.tab(a, ann); Tab bobOnB = browser.tab(b, bob)) {
      String panel = bobOnB.next(e -> e.panel() && e.data().contains("<strong>2</strong> browsers")).data();
      assertTrue(panel.contains("<strong>1</strong> tab open on node-b"), panel);
      List<String> rows = rows(panel);
      assertEquals(2, rows.size(), panel);
      String annRow = rows.stream().filter(r -> r.contains(annLabel)).findFirst().orElseThrow();
      assertTrue(annRow.endsWith("<td class=\"num\"></td><td></td><td class=\"muted\">another node</td></tr>"), annRow);
      String bobRow = rows.stream().filter(r -> r.contains(bobLabel)).findFirst().orElseThrow();
      assertTrue(bobRow.matches(".*<td class=\"num\">1</td><td>since \\d\\d:\\d\\d:\\d\\d</td>"
          + "<td class=\"muted\">this node</td></tr>"), bobRow);
      assertTrue(panel.contains("; node node-b, connected to Redis"), panel);

      panel = annOnA.next(e -> e.panel() && e.data().contains("<strong>2</strong> browsers")).data();
      assertTrue(rows(panel).stream().anyMatch(r -> r.contains(bobLabel) && r.contains("another node")), panel);

      String stats = browser.send(b, "GET", "/stats", null).body();
      assertEquals("{\"node\":\"node-b\",\"connected\":true,\"streams\":1,\"keys\":1,\"clusterKeys\":2}", stats);
    }
    eventually("the tabs' keys leave the directory",
        () -> CounterServer.clusterKeys(b.store(), CounterServer.EVERY_TAB).size() == 0);
  }
}
