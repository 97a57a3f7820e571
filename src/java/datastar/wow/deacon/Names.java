package datastar.wow.deacon;

import clojure.lang.Keyword;

/** The keywords of the datastar.wow / Nexus contract that deacon reads and writes. */
final class Names {
  private Names() {}

  // ctx keys seen by a Nexus :before-dispatch interceptor
  static final Keyword NEXUS = Keyword.intern("nexus");
  static final Keyword SYSTEM = Keyword.intern("system");
  static final Keyword DISPATCH_DATA = Keyword.intern("dispatch-data");
  static final Keyword ACTIONS = Keyword.intern("actions");
  static final Keyword ERRORS = Keyword.intern("errors");
  static final Keyword RESULTS = Keyword.intern("results");
  static final Keyword EFFECT = Keyword.intern("effect");
  static final Keyword RES = Keyword.intern("res");
  static final Keyword ERR = Keyword.intern("err");
  static final Keyword SSE = Keyword.intern("sse");
  static final Keyword REQUEST_KEY = Keyword.intern("request");
  static final Keyword HEADERS = Keyword.intern("headers");
  static final Keyword PHASE = Keyword.intern("phase");
  static final Keyword ID = Keyword.intern("id");
  static final Keyword BEFORE_DISPATCH = Keyword.intern("before-dispatch");
  static final Keyword AFTER_DISPATCH = Keyword.intern("after-dispatch");
  static final Keyword BEFORE_EFFECT = Keyword.intern("before-effect");
  static final Keyword AFTER_EFFECT = Keyword.intern("after-effect");

  // a Clojure protocol's map
  static final Keyword IMPLS = Keyword.intern("impls");

  // datastar.wow
  static final Keyword RESPONSE = Keyword.intern("datastar.wow", "response");
  static final Keyword REQUEST = Keyword.intern("datastar.wow", "request");
  static final Keyword WITH_OPEN_SSE = Keyword.intern("datastar.wow", "with-open-sse?");
  static final Keyword CONNECTION = Keyword.intern("datastar.wow", "connection");
  static final Keyword SSE_CLOSED = Keyword.intern("datastar.wow", "sse-closed");
  static final Keyword SEND = Keyword.intern("datastar.wow", "send");
  static final Keyword FX = Keyword.intern("datastar.wow", "fx");
  static final Keyword CLOSE_SSE = Keyword.intern("datastar.wow", "close-sse");
  static final Keyword INTERCEPTORS = Keyword.intern("datastar.wow", "interceptors");

  // deacon
  static final Keyword KEY = Keyword.intern("datastar.wow.deacon", "key");
  static final Keyword SUBSCRIBE = Keyword.intern("datastar.wow.deacon", "subscribe");
  static final Keyword BROADCAST = Keyword.intern("datastar.wow.deacon", "broadcast");
  static final Keyword BROADCAST_ALL = Keyword.intern("datastar.wow.deacon", "broadcast-all");
  static final Keyword DEFAULT_ID = Keyword.intern("datastar.wow.deacon", "id");
  static final Keyword STREAM_KEY = Keyword.intern("datastar.wow.deacon", "stream-key");
  static final Keyword INTERCEPTOR_ID = Keyword.intern("datastar.wow.deacon", "connections");
  static final Keyword WILDCARD = Keyword.intern("*");
}
