package datastar.wow.deacon.examples;

import clojure.lang.IPersistentVector;
import clojure.lang.RT;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The counter page and its store panel, as HTML. Session ids are never shown: keys print them as
 * short hashes ({@link #shortId}), and the page knows its own short hash (the {@code me} signal) to
 * mark its session's rows in the browser, so one rendering of the panel serves every page.
 */
final class Page {
  private Page() {}

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** The Datastar browser script, from the jsDelivr CDN: the one thing loaded from elsewhere. */
  static final String DATASTAR_CDN =
      "https://cdn.jsdelivr.net/gh/starfederation/datastar@1.0.0/bundles/datastar.js";

  /**
   * One key of the store panel.
   *
   * @param label the key as Clojure data, session id shortened
   * @param session the short id of the key's session, or null for a key of no session
   * @param streams how many streams (tabs) the key holds on this node
   * @param since when the key was first stored here, {@code HH:mm:ss}, or null when not known
   * @param here true for a key this node holds, false for one only other nodes hold
   */
  record Row(String label, @Nullable String session, int streams, @Nullable String since, boolean here) {}

  /**
   * What the store panel shows.
   *
   * @param rows the keys, sorted by label, at most {@link StorePanel#MAX_ROWS}
   * @param more how many keys the rows leave out
   * @param sessions how many sessions have a tab open (on any node, in a cluster)
   * @param tabs how many tabs are open on this node
   * @param removals the last removals here, newest first
   * @param stats the store's stats, as a line of text
   * @param node this node's id, or null for a server on its own
   */
  record Panel(
      List<Row> rows,
      int more,
      int sessions,
      int tabs,
      List<RemovalLog.Entry> removals,
      String stats,
      @Nullable String node) {}

  /**
   * @param counter the session's counter as it is now
   * @param sid the session's id, or null before it has one
   * @param panel the store panel
   * @param waves the waves this node keeps, oldest first
   * @return the whole page
   */
  static String html(Counter.State counter, @Nullable String sid, Panel panel, List<Messages.Wave> waves) {
    String me = sid == null ? "" : shortId(sid);
    return "<!doctype html>\n"
        + "<html lang=\"en\">\n"
        + "<head>\n"
        + "  <meta charset=\"utf-8\">\n"
        + "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "  <title>deacon counter (Java)</title>\n"
        + "  <link rel=\"icon\" href=\"/favicon.ico\">\n"
        + "  <link rel=\"stylesheet\" href=\"/style.css\">\n"
        + "  <script type=\"module\" src=\"" + DATASTAR_CDN + "\"></script>\n"
        + "</head>\n"
        + "<body data-signals=\"{counter: " + counter.value() + ", running: " + counter.running()
        + ", me: '" + me + "', waves: " + WaveList.jsIds(waves) + ", notice: ''}\" data-init=\"@get('/updates')\""
        + " data-on:datastar-fetch=\"" + Notices.ON_FETCH_ERROR + "\">\n"
        + "<header><span class=\"logo\"></span><div><h1>datastar.wow.deacon, from Java</h1>"
        + "<p>SSE streams stored by key: one key per browser, one stream per tab</p></div></header>\n"
        + "<main>\n"
        + "<section class=\"card\"><h2>Your counter</h2>"
        + "<p class=\"hint\">Shared by every tab of this browser: open another tab and both count.</p>"
        + "<output id=\"counter\" class=\"count\" data-text=\"$counter\">" + counter.value() + "</output>"
        + "<p class=\"status" + (counter.running() ? " running" : "")
        + "\" data-text=\"$running ? 'running' : 'stopped'\" data-class:running=\"$running\">"
        + (counter.running() ? "running" : "stopped") + "</p>"
        + "<div class=\"buttons\">"
        // disabled as Datastar will keep them, from the first paint on
        + "<button class=\"primary\" data-on:click=\"$notice = ''; @put('/')\" data-attr:disabled=\"$running\""
        + disabled(counter.running()) + ">Start timer</button>"
        + "<button data-on:click=\"$notice = ''; @post('/jump')\" data-attr:disabled=\"!$running\""
        + disabled(!counter.running()) + ">Add ten</button>"
        + "<button class=\"danger\" data-on:click=\"$notice = ''; @delete('/')\" data-attr:disabled=\"!$running\""
        + disabled(!counter.running()) + ">Stop and reset</button>"
        + "</div>"
        // what a command could not do (Notices); empty, and hidden, otherwise
        + "<p class=\"notice\" role=\"status\" data-text=\"$notice\"></p>"
        + "</section>\n"
        + "<section class=\"card\"><h2>Everyone</h2>"
        + "<p class=\"hint\">Reaches every open page of every browser: open one in a private window too."
        + " A hidden tab gets the waves it missed when it is shown again.</p>"
        + "<div class=\"buttons\"><button data-on:click=\"@post('/wave')\">Wave to everyone</button></div>"
        + WaveList.html(waves) + "</section>\n"
        + storePanel(panel) + "\n"
        + "</main>\n"
        + "</body>\n"
        + "</html>\n";
  }

  /**
   * @param panel what to show
   * @return {@code <section id="store">}, on one line: who is here, every key with its streams and
   *     age, the last removals and the store's stats
   */
  static String storePanel(Panel panel) {
    StringBuilder html = new StringBuilder("<section id=\"store\" class=\"card\">");
    html.append("<div class=\"card-head\"><h2>The store</h2><p class=\"visitors\"><strong>")
        .append(panel.sessions())
        .append(panel.sessions() == 1 ? "</strong> browser, <strong>" : "</strong> browsers, <strong>")
        .append(panel.tabs())
        .append(panel.tabs() == 1 ? "</strong> tab open" : "</strong> tabs open");
    if (panel.node() != null) html.append(" on ").append(escape(panel.node()));
    html.append("</p></div>");
    if (panel.node() == null) {
      html.append("<p class=\"hint\">Each open tab keeps one stream, stored under its browser's key."
          + " Every page sees this panel: it is sent to all of them with one store.send.</p>");
    } else {
      html.append("<p class=\"hint\">Each open tab keeps one stream on the node that served it,"
          + " stored under its browser's key. Each node sends its tabs its own panel; the keys only"
          + " other nodes hold come from the cluster's directory.</p>");
    }
    html.append("<table><thead><tr><th>key</th><th class=\"num\">streams</th><th>age</th>"
        + "<th>node</th></tr></thead><tbody>");
    if (panel.rows().isEmpty()) {
      html.append("<tr><td class=\"muted\" colspan=\"4\">No streams: every open page keeps one here.</td></tr>");
    }
    for (Row row : panel.rows()) {
      html.append("<tr");
      if (row.session() != null) {
        html.append(" data-class:mine=\"$me == '").append(row.session()).append("'\"");
      }
      html.append("><td><code>").append(escape(row.label())).append("</code></td><td class=\"num\">")
          .append(row.here() ? Integer.toString(row.streams()) : "").append("</td><td>")
          .append(row.since() == null ? "" : "since " + row.since())
          .append("</td><td class=\"muted\">").append(row.here() ? "this node" : "another node")
          .append("</td></tr>");
    }
    if (panel.more() > 0) {
      html.append("<tr><td class=\"muted\" colspan=\"4\">and ").append(panel.more())
          .append(panel.more() == 1 ? " more key" : " more keys").append("</td></tr>");
    }
    html.append("</tbody></table><h3>Last removals</h3>");
    if (panel.removals().isEmpty()) {
      html.append("<p class=\"muted\">None yet. Close a tab to see one.</p>");
    } else {
      html.append("<ol class=\"log\">");
      for (RemovalLog.Entry e : panel.removals()) {
        html.append("<li><time>").append(e.at()).append("</time><span class=\"cause ")
            .append(e.cause()).append("\">").append(e.cause()).append("</span><code>")
            .append(escape(e.key())).append("</code></li>");
      }
      html.append("</ol>");
    }
    return html.append("<p class=\"stats muted\">").append(escape(panel.stats()))
        .append("</p></section>").toString();
  }

  /** @return the time of day on the server's clock, as its log would show it: {@code HH:mm:ss} */
  static String timeOfDay() {
    return LocalTime.now(ZoneId.systemDefault()).format(CLOCK);
  }

  /**
   * @param s any text
   * @return it as a JSON string, quoted
   */
  static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * @param sid a session id
   * @return 8 hex digits of its hash: a short, stable stand-in that never shows the cookie
   */
  static String shortId(String sid) {
    return String.format(Locale.ROOT, "%08x", sid.hashCode());
  }

  /**
   * How the panel shows a key: as Clojure data, with the session id replaced by a short hash of
   * it, so that the page never shows anyone's session cookie.
   *
   * @param key a stored key, {@code [session-id :counter]}
   * @return e.g. {@code [1a2b3c4d :counter]}
   */
  static String label(Object key) {
    if (key instanceof IPersistentVector v && v.count() == 2 && v.nth(0) instanceof String sid) {
      return "[" + shortId(sid) + " " + RT.printString(v.nth(1)) + "]";
    }
    return RT.printString(key);
  }

  /**
   * @param key a stored key
   * @return the short id of its session, or null when it is not {@code [session-id k]}
   */
  static @Nullable String session(Object key) {
    if (key instanceof IPersistentVector v && v.count() == 2 && v.nth(0) instanceof String sid) {
      return shortId(sid);
    }
    return null;
  }

  private static String disabled(boolean disabled) {
    return disabled ? " disabled" : "";
  }

  /**
   * @param s text
   * @return it escaped for HTML text and attribute values
   */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
