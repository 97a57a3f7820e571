package datastar.wow.deacon.examples;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One open Server-Sent-Events response, writing the two events the Datastar browser script
 * understands: {@code datastar-patch-signals} and {@code datastar-patch-elements}, in the wire
 * format the Datastar SDKs document:
 *
 * <pre>
 * event: datastar-patch-signals
 * data: signals {"counter":10}
 *
 * </pre>
 *
 * <p>Writes are serialised, so the ticker thread and request threads may share one stream. A write
 * to a client that went away closes the stream and runs the close callback once.
 */
public final class SseStream implements AutoCloseable {
  private final HttpExchange exchange;
  private final OutputStream out;
  private final String name;
  private Runnable onClose = () -> {};
  private boolean open = true;

  private SseStream(HttpExchange exchange, String name) {
    this.exchange = exchange;
    this.out = exchange.getResponseBody();
    this.name = name;
  }

  /**
   * Sends the SSE response headers and returns the open stream.
   *
   * @param exchange the request to answer with an event stream
   * @param name a label for logs and {@link #toString()}
   * @return the open stream
   * @throws IOException when the headers cannot be sent
   */
  public static SseStream open(HttpExchange exchange, String name) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    SseStream stream = new SseStream(exchange, name);
    stream.out.flush();
    return stream;
  }

  /**
   * Sets what runs once when the stream closes, whoever closes it.
   *
   * @param callback the close callback
   */
  public synchronized void onClose(Runnable callback) {
    this.onClose = callback;
  }

  /**
   * Merges signals into the page's signals.
   *
   * @param json a JSON object, e.g. {@code {"counter":1}}
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean patchSignals(String json) {
    return send("datastar-patch-signals", "signals", json);
  }

  /**
   * Morphs elements into the page; each top-level element replaces the one with its id.
   *
   * @param html one or more elements with ids
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean patchElements(String html) {
    return send("datastar-patch-elements", "elements", html);
  }

  /** @return true until the stream is closed */
  public synchronized boolean isOpen() {
    return open;
  }

  private synchronized boolean send(String event, String field, String value) {
    if (!open) return false;
    StringBuilder frame = new StringBuilder("event: ").append(event).append('\n');
    for (String line : value.split("\n", -1)) {
      frame.append("data: ").append(field).append(' ').append(line).append('\n');
    }
    frame.append('\n');
    try {
      out.write(frame.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return true;
    } catch (IOException clientGone) {
      close();
      return false;
    }
  }

  /** Ends the response; runs the close callback the first time. */
  @Override
  public void close() {
    Runnable callback;
    synchronized (this) {
      if (!open) return;
      open = false;
      callback = onClose;
    }
    exchange.close();
    callback.run();
  }

  @Override
  public String toString() {
    return "SseStream[" + name + (isOpen() ? "" : " closed") + "]";
  }
}
