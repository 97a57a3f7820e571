package datastar.wow.deacon.examples;

/** The counter page: Datastar from its CDN, three buttons, the counter and the store's keys. */
final class Page {
  private Page() {}

  /** The Datastar browser script, from the jsDelivr CDN. */
  static final String DATASTAR_CDN =
      "https://cdn.jsdelivr.net/gh/starfederation/datastar@1.0.0/bundles/datastar.js";

  /**
   * @param counter the session's counter as it is now
   * @param keysPanel the {@code <ul id="keys">} element listing the store's keys
   * @return the whole page
   */
  static String html(Counter.State counter, String keysPanel) {
    return "<!doctype html>\n"
        + "<html lang=\"en\">\n"
        + "<head>\n"
        + "  <meta charset=\"utf-8\">\n"
        + "  <title>deacon counter (Java)</title>\n"
        + "  <script type=\"module\" src=\"" + DATASTAR_CDN + "\"></script>\n"
        + "</head>\n"
        + "<body data-signals=\"{counter: " + counter.value() + ", running: " + counter.running() + "}\">\n"
        + "  <h1 data-text=\"$counter\">" + counter.value() + "</h1>\n"
        + "  <button data-on:click=\"@put('/')\" data-attr:disabled=\"$running\">start timer</button>\n"
        + "  <button data-on:click=\"@post('/jump')\" data-attr:disabled=\"!$running\">add ten</button>\n"
        + "  <button data-on:click=\"@delete('/')\" data-attr:disabled=\"!$running\">stop timer</button>\n"
        + "  <h2>Keys in the store</h2>\n"
        + "  " + keysPanel + "\n"
        + "</body>\n"
        + "</html>\n";
  }

  /**
   * @param keys the store's keys
   * @return {@code <ul id="keys">} with one item per key, each {@link #label labelled}
   */
  static String keysPanel(Iterable<?> keys) {
    StringBuilder ul = new StringBuilder("<ul id=\"keys\">");
    for (Object key : keys) {
      ul.append("<li><code>").append(escape(label(key))).append("</code></li>");
    }
    return ul.append("</ul>").toString();
  }

  /**
   * How the panel shows a key: as Clojure data, with the session id replaced by a short hash of
   * it, so that the page never shows anyone's session cookie.
   *
   * @param key a stored key, {@code [session-id :counter]}
   * @return e.g. {@code [1a2b3c4d :counter]}
   */
  static String label(Object key) {
    if (key instanceof clojure.lang.IPersistentVector v
        && v.count() == 2
        && v.nth(0) instanceof String sid) {
      return "[" + String.format("%08x", sid.hashCode()) + " " + clojure.lang.RT.printString(v.nth(1)) + "]";
    }
    return clojure.lang.RT.printString(key);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
