package datastar.wow.deacon.examples;

import com.sun.net.httpserver.HttpExchange;

/** The browser session id, from the {@value CounterServer#COOKIE} cookie. */
final class Sessions {
  private Sessions() {}

  /**
   * @param ex a request
   * @return the session id from its cookie, or null when it has none
   */
  static String id(HttpExchange ex) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
      for (String pair : header.split(";", -1)) {
        String[] kv = pair.trim().split("=", 2);
        if (kv.length == 2 && kv[0].equals(CounterServer.COOKIE) && !kv[1].isEmpty()) {
          return kv[1];
        }
      }
    }
    return null;
  }

}
