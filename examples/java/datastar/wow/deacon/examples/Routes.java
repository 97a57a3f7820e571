package datastar.wow.deacon.examples;

import static datastar.wow.deacon.examples.Http.only;
import static datastar.wow.deacon.examples.Http.reply;

import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import com.sun.net.httpserver.HttpExchange;
import datastar.wow.deacon.AtomStore;
import datastar.wow.deacon.Peers;
import datastar.wow.deacon.Replay;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The server's paths, matched exactly, and what each answers.
 *
 * <ul>
 *   <li>{@code GET /}: the page, with the session's counter as it is; a browser without a session
 *       is given a cookie;
 *   <li>{@code GET /updates}: the tab's stream, stored under {@code [session :counter]}; with a
 *       {@code Last-Event-ID}, first the events it missed;
 *   <li>{@code PUT /}, {@code POST /jump}, {@code DELETE /}: start, add ten, stop and reset;
 *   <li>{@code POST /wave}: a line appended to every tab of every session;
 *   <li>{@code POST /push?n=7}: {@code {"push": 7}} to every tab of the session, on every node (what
 *       the cluster test counts);
 *   <li>{@code GET /stats}: this node's figures as JSON;
 *   <li>{@code GET /style.css}, {@code GET /favicon.ico}.
 * </ul>
 */
final class Routes {
  private static final System.Logger LOG = System.getLogger(Routes.class.getName());
  private static final Keyword CLUSTER = Keyword.intern("cluster");
  private static final Keyword CONNECTED = Keyword.intern("connected");

  private final AtomStore store;
  private final Sessions sessions;
  private final Counters counters;
  private final StorePanel panel;
  private final Waves waves;

  /**
   * @param store every tab's stream; it keeps a history ({@code replay})
   * @param sessions the session cookies
   * @param counters the session counters
   * @param panel the store panel
   * @param waves the waves this node keeps
   */
  Routes(AtomStore store, Sessions sessions, Counters counters, StorePanel panel, Waves waves) {
    this.store = store;
    this.sessions = sessions;
    this.counters = counters;
    this.panel = panel;
    this.waves = waves;
  }

  /**
   * Answers a request: every path, matched exactly (the JDK server would hand a context's handler
   * any path it prefixes).
   *
   * @param ex the request
   * @throws IOException when the answer cannot be written
   */
  void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    switch (path) {
      case "/" -> index(ex);
      case "/jump" -> only(ex, "POST", () -> command(ex, "jump"));
      case "/updates" -> only(ex, "GET", () -> updates(ex));
      case "/wave" -> only(ex, "POST", () -> wave(ex));
      case "/push" -> only(ex, "POST", () -> push(ex));
      case "/stats" -> only(ex, "GET", () -> stats(ex));
      case "/style.css" ->
          only(ex, "GET", () -> Http.asset(ex, "text/css; charset=utf-8", Assets.STYLESHEET.getBytes(StandardCharsets.UTF_8)));
      case "/favicon.ico" -> only(ex, "GET", () -> Http.asset(ex, "image/x-icon", Assets.favicon()));
      default -> reply(ex, 404, "not found: " + path);
    }
  }

  // GET / serves the page; PUT / starts; DELETE / stops.
  private void index(HttpExchange ex) throws IOException {
    switch (ex.getRequestMethod()) {
      case "GET" -> page(ex);
      case "PUT" -> command(ex, "start");
      case "DELETE" -> command(ex, "stop");
      default -> Http.notAllowed(ex, "GET, PUT, DELETE");
    }
  }

  private void page(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) { // no cookie, or one no node of this server issued
      String issued = sessions.issue();
      ex.getResponseHeaders()
          .add("Set-Cookie", CounterServer.COOKIE + "=" + issued + "; Path=/; HttpOnly; SameSite=Lax");
      sid = sessions.verify(issued);
    }
    // The session's counter as it is, though another tab may be the one running it.
    Counter.State state = sid == null ? Counter.State.INITIAL : counters.state(sid);
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    reply(ex, 200, Page.html(state, sid, panel.snapshot(), waves.listed()));
  }

  // GET /updates: the tab's stream, stored beside the session's other tabs. Datastar opens it again
  // with Last-Event-ID when a hidden tab is shown (or the stream dropped): the store's history then
  // writes it what it missed first, and the whole list of waves is sent only when it cannot.
  private void updates(HttpExchange ex) throws IOException {
    String sid = session(ex);
    if (sid == null) return;
    SseStream stream = SseStream.open(ex, "a tab of " + Page.shortId(sid));
    IPersistentVector key = CounterServer.key(sid);
    if (!join(key, stream, ex.getRequestHeaders().getFirst("Last-Event-ID"))) return;
    panel.opened(key); // every tab: one more open
    counters.show(sid, stream); // this tab, from the counter as it is now
    counters.opened(sid); // in a cluster: and as the other nodes have it
    counters.settle(sid);
  }

  // Under the key's lock (Replay.resume): the events after lastEventId, if the history holds it;
  // else the whole list of waves; then the stream joins the session's other tabs (fan-out). Asked
  // there, recoverable gives the answer resume acted on. False when the tab is gone already.
  private boolean join(IPersistentVector key, SseStream stream, @Nullable String lastEventId) {
    Replay replay = store.policy().replay().orElseThrow();
    try {
      replay.resume(key, stream, lastEventId, () -> {
        if (!replay.recoverable(key, lastEventId)) WaveList.show(stream, waves);
        store.store(key, stream);
      });
    } catch (Exception writeFailed) {
      LOG.log(System.Logger.Level.WARNING, "counter: a tab's catching up failed: " + writeFailed);
    }
    if (stream.isOpen()) return true;
    store.purgeConnection(stream);
    return false;
  }

  // PUT /, POST /jump, DELETE /: change the counter once, show it on every tab of the session. No
  // tab of the session open anywhere: 404 and nothing changes (see Notices).
  private void command(HttpExchange ex, String op) throws IOException {
    String sid = sessions.id(ex);
    boolean clustered = CounterServer.node(store) != null;
    if (sid == null) {
      reply(ex, 404, Notices.noTab(clustered));
      return;
    }
    IPersistentVector key = CounterServer.key(sid);
    if (store.count(key) > 0) {
      // a tab here: this node's counter is the session's; while Redis is away, the change stays here
      boolean reachesOthers = store.policy().cluster().map(Peers::connected).orElse(true);
      counters.command(sid, op);
      if (!reachesOthers) counters.notice(sid, Notices.ONLY_HERE);
      reply(ex, 204, null);
      return;
    }
    if (!clustered) {
      reply(ex, 404, Notices.noTab(false));
      return;
    }
    long elsewhere;
    try {
      elsewhere = CounterServer.clusterKeys(store, key).size();
    } catch (RuntimeException unreachable) {
      reply(ex, 503, Notices.UNREACHABLE);
      return;
    }
    if (elsewhere == 0) {
      reply(ex, 404, Notices.noTab(true));
    } else {
      counters.forward(sid, op); // the nodes holding the session's tabs apply it
      reply(ex, 204, null);
    }
  }

  // POST /wave: every tab of every session.
  private void wave(HttpExchange ex) throws IOException {
    String sid = session(ex);
    if (sid == null) return;
    Messages.Wave wave = new Messages.Wave(Waves.newId(), Page.shortId(sid) + " waved at " + Page.timeOfDay());
    waves.seen(wave); // pages that open later are given it
    store.send(CounterServer.EVERY_TAB, Messages.write(wave));
    reply(ex, 204, null);
  }

  // POST /push?n=7: every tab of the session, on every node.
  private void push(HttpExchange ex) throws IOException {
    String sid = session(ex);
    if (sid == null) return;
    long n;
    try {
      n = Long.parseLong(String.valueOf(Http.query(ex, "n")));
    } catch (NumberFormatException e) {
      reply(ex, 400, "expected a number: /push?n=7");
      return;
    }
    store.send(CounterServer.key(sid), Messages.write(new Messages.Push(n)));
    reply(ex, 204, null);
  }

  // GET /stats: {"node":"web-1","connected":true,"streams":3,"keys":2,"clusterKeys":5}; in a
  // cluster clusterKeys counts the sessions with a tab on any node (null when Redis does not answer).
  private void stats(HttpExchange ex) throws IOException {
    String node = CounterServer.node(store);
    Object connected = null;
    Object clusterKeys = null;
    if (node != null) {
      connected = ((IPersistentMap) store.stats().valAt(CLUSTER)).valAt(CONNECTED);
      try {
        clusterKeys = CounterServer.clusterKeys(store, CounterServer.EVERY_TAB).size();
      } catch (RuntimeException unreachable) {
        // unknown
      }
    }
    String json = "{\"node\":" + (node == null ? "null" : Page.jsonString(node))
        + ",\"connected\":" + connected
        + ",\"streams\":" + store.count()
        + ",\"keys\":" + store.keys().size()
        + ",\"clusterKeys\":" + clusterKeys + "}";
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    reply(ex, 200, json);
  }

  // The request's session, or null after answering 400.
  private @Nullable String session(HttpExchange ex) throws IOException {
    String sid = sessions.id(ex);
    if (sid == null) {
      reply(ex, 400, "no session (no " + CounterServer.COOKIE + " cookie this server issued): load the page first");
    }
    return sid;
  }
}
