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
 * <p>Writes are serialised on the stream's monitor, so the timer thread, request threads and the
 * cluster's delivery thread may share one stream; code holding the monitor can read state and write
 * it with nothing in between. A write to a client that went away closes the stream and answers
 * false, as the Datastar SDKs' send functions do: the store's writer and heartbeat then remove it.
 */
public final class SseStream implements AutoCloseable {
  private final HttpExchange exchange;
  private final OutputStream out;
  private final String name;
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
   * Merges signals into the page's signals.
   *
   * @param json a JSON object, e.g. {@code {"counter":1}}
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean patchSignals(String json) {
    return send("event: datastar-patch-signals\n", "signals", json);
  }

  /**
   * Morphs elements into the page; each top-level element replaces the one with its id.
   *
   * @param html one or more elements with ids
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean patchElements(String html) {
    return send("event: datastar-patch-elements\n", "elements", html);
  }

  /**
   * Writes an SSE comment, which the page ignores: the heartbeat's probe.
   *
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean comment() {
    return write(":\n\n");
  }

  /** @return true until the stream is closed */
  public synchronized boolean isOpen() {
    return open;
  }

  private synchronized boolean send(String event, String field, String value) {
    StringBuilder frame = new StringBuilder(event);
    for (String line : value.split("\n", -1)) {
      frame.append("data: ").append(field).append(' ').append(line).append('\n');
    }
    return write(frame.append('\n').toString());
  }

  private synchronized boolean write(String frame) {
    if (!open) return false;
    try {
      out.write(frame.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return true;
    } catch (IOException clientGone) {
      close();
      return false;
    }
  }

  /** Ends the response; later writes answer false. */
  @Override
  public void close() {
    synchronized (this) {
      if (!open) return;
      open = false;
    }
    exchange.close();
  }

  @Override
  public String toString() {
    return "SseStream[" + name + (isOpen() ? "" : " closed") + "]";
  }
}
