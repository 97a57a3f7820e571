package datastar.wow.deacon.examples;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Answering requests of the JDK's HTTP server: bodies, status codes, methods. */
final class Http {
  private Http() {}

  /** A request's handling, which may fail writing its answer. */
  interface Handler {
    /** @throws IOException when the answer cannot be written */
    void handle() throws IOException;
  }

  /**
   * Runs {@code handler} when the request's method is {@code method}, else answers 405.
   *
   * @param ex the request
   * @param method the one method the path takes
   * @param handler what to do
   * @throws IOException when the answer cannot be written
   */
  static void only(HttpExchange ex, String method, Handler handler) throws IOException {
    if (method.equals(ex.getRequestMethod())) handler.handle();
    else notAllowed(ex, method);
  }

  /**
   * Answers 405 with an {@code Allow} header.
   *
   * @param ex the request
   * @param allow the methods the path takes, e.g. {@code GET, PUT, DELETE}
   * @throws IOException when the answer cannot be written
   */
  static void notAllowed(HttpExchange ex, String allow) throws IOException {
    ex.getResponseHeaders().set("Allow", allow);
    reply(ex, 405, "method not allowed: " + ex.getRequestMethod() + " (allowed: " + allow + ")");
  }

  /**
   * Answers with {@code body} as plain text (unless a content type is set), or with no body.
   *
   * @param ex the request
   * @param status the status code
   * @param body the body, or null for none
   * @throws IOException when the answer cannot be written
   */
  static void reply(HttpExchange ex, int status, @Nullable String body) throws IOException {
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
    } else {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      if (!ex.getResponseHeaders().containsKey("Content-Type")) {
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      }
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  /**
   * Answers 200 with a file the page loads.
   *
   * @param ex the request
   * @param type its content type
   * @param body its bytes
   * @throws IOException when the answer cannot be written
   */
  static void asset(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    ex.close();
  }

  /**
   * @param ex a request
   * @param name a query parameter's name
   * @return its first value, or null (values are not decoded: the server reads only numbers)
   */
  static @Nullable String query(HttpExchange ex, String name) {
    String query = ex.getRequestURI().getRawQuery();
    if (query == null) return null;
    for (String pair : query.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) return pair.substring(eq + 1);
    }
    return null;
  }
}
