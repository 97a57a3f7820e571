package datastar.wow.deacon.bench;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import clojure.lang.IPersistentMap;
import clojure.lang.IPersistentVector;
import clojure.lang.Keyword;
import clojure.lang.PersistentList;
import clojure.lang.RT;
import datastar.wow.deacon.Deacon;

/**
 * Keys, connections, Ring requests and Nexus dispatch contexts shaped like those of a datastar.wow
 * app, shared by the benchmarks.
 */
final class Fixtures {
  private Fixtures() {}

  static final Keyword COUNTER = kw("app", "counter");

  /** The key names users' entries cycle through: three keywords and one vector. */
  private static final Object[] NAMES = {
    COUNTER, kw("app", "feed"), kw("app", "chat"), RT.vector(kw("room"), 7L)
  };

  static final Keyword WILDCARD = Deacon.WILDCARD;

  /** A pattern query: every user's counter, a quarter of the keys. */
  static final IPersistentVector EVERY_COUNTER = RT.vector(WILDCARD, COUNTER);

  static Keyword kw(String ns, String name) {
    return Keyword.intern(ns, name);
  }

  static Keyword kw(String name) {
    return Keyword.intern(name);
  }

  /** A stand-in for an SDK's SSE generator: an opaque object compared by identity. */
  static final class Sse {
    final int id;

    Sse(int id) {
      this.id = id;
    }
  }

  /** @return the i-th scoped key: user {@code i / 4}, the {@code i % 4}-th key name */
  static IPersistentVector key(int i) {
    return Deacon.scopedKey("user-" + (i / 4), NAMES[i % NAMES.length]);
  }

  /** @return a key equal to {@code key(i)} but not the same object, as a request would build it */
  static IPersistentVector probe(int i) {
    return Deacon.scopedKey(new String("user-" + (i / 4)), NAMES[i % NAMES.length]);
  }

  /** @return a key no store holds */
  static IPersistentVector absent() {
    return Deacon.scopedKey("nobody", COUNTER);
  }

  /** @return a Ring request of a logged-in user, as a Ring adapter and session middleware give it */
  static IPersistentMap request(int user) {
    IPersistentMap headers =
        map(
            "accept", "text/event-stream",
            "datastar-request", "true",
            "host", "localhost:3000",
            "user-agent", "Mozilla/5.0",
            "cookie", "ring-session=abc" + user);
    return map(
        kw("server-port"), 3000L,
        kw("server-name"), "localhost",
        kw("remote-addr"), "127.0.0.1",
        kw("uri"), "/counter",
        kw("query-string"), null,
        kw("scheme"), kw("http"),
        kw("request-method"), kw("put"),
        kw("protocol"), "HTTP/1.1",
        kw("headers"), headers,
        kw("session"), map(kw("user-id"), "user-" + user),
        kw("params"), map(),
        kw("body"), null);
  }

  /** @return a Clojure map of alternating keys and values (an array map up to 8 entries) */
  static IPersistentMap map(Object... kvs) {
    return (IPersistentMap) RT.map(kvs);
  }

  /** @return a handler response; with {@code key} null it names no connection */
  static IPersistentMap response(Object key) {
    IPersistentVector fx =
        RT.vector(
            RT.vector(kw("app", "subscribe"), kw("app", "index")), RT.vector(kw("app", "start-timer")));
    return key == null
        ? map(kw("datastar.wow", "fx"), fx)
        : map(Deacon.KEY, key, kw("datastar.wow", "with-open-sse?"), false, kw("datastar.wow", "fx"), fx);
  }

  /** The actions datastar.wow dispatches to ask for a stored connection. */
  static IPersistentVector connectionActions() {
    return RT.vector(RT.vector(kw("datastar.wow", "connection")));
  }

  /** The actions datastar.wow dispatches when a stream closes. */
  static IPersistentVector closedActions() {
    return RT.vector(RT.vector(kw("datastar.wow", "sse-closed")));
  }

  /** The actions of a handler's effects. */
  static IPersistentVector effectActions() {
    return RT.vector(
        RT.vector(kw("datastar.wow", "patch-signals"), map(kw("counter"), 10L)),
        RT.vector(kw("app", "start-timer")));
  }

  /**
   * @return the ctx a Nexus {@code :before-dispatch} interceptor sees: {@code :system}, {@code
   *     :state}, {@code :dispatch-data}, {@code :actions}, {@code :queue}, {@code :stack}
   */
  static IPersistentMap ctx(Object sse, IPersistentMap response, IPersistentMap request, Object actions) {
    IPersistentMap system = map(kw("sse"), sse, kw("request"), request);
    IPersistentMap data =
        map(
            kw("datastar.wow", "response"), response,
            kw("datastar.wow", "request"), request,
            kw("datastar.wow", "with-open-sse?"), false);
    Object queue = RT.seq(RT.vector(map(kw("id"), Deacon.INTERCEPTOR_ID), map(kw("id"), kw("nexus", "handler"))));
    return map(
        kw("system"), system,
        kw("state"), map(kw("counter"), 0L, kw("running"), true),
        kw("dispatch-data"), data,
        kw("actions"), actions,
        kw("queue"), queue,
        kw("stack"), PersistentList.EMPTY);
  }

  /** @return the var {@code ns/name}, its namespace loaded */
  static IFn var(String ns, String name) {
    require(ns);
    return Clojure.var(ns, name);
  }

  /**
   * Full collections after a set-up, so that the filled stores are promoted to the old
   * generation now rather than copied by young collections during the measurement.
   */
  static void settle() {
    for (int i = 0; i < 3; i++) System.gc();
  }

  static void require(String ns) {
    Clojure.var("clojure.core", "require").invoke(Clojure.read(ns));
  }
}
