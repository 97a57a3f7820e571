package datastar.wow.deacon.examples;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * One open Server-Sent-Events response, writing the two events the Datastar browser script
 * understands: {@code datastar-patch-signals} and {@code datastar-patch-elements}, in the wire
 * format the Datastar SDKs document:
 *
 * <pre>
 * event: datastar-patch-signals
 * id: 1wuz75s6n0o3m-0000000000003
 * data: signals {"counter":10}
 *
 * </pre>
 *
 * <p>The {@code id} line is written for the events of a message the store's history recorded
 * ({@link #withId}): the browser sends the last one back as {@code last-event-id} when it opens the
 * stream again.
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
  // the SSE id of the events written now, inside withId; null outside
  private @Nullable String id;

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
   * Patches elements into the element {@code selector} finds, as {@code mode} says, e.g. appends a
   * line to a list ({@code mode append}).
   *
   * @param selector a CSS selector, e.g. {@code #waves}
   * @param mode one of Datastar's patch modes, e.g. {@code append}
   * @param html the elements
   * @return false when the stream is closed (or closed while writing)
   */
  public boolean patchElements(String selector, String mode, String html) {
    return send(
        "event: datastar-patch-elements\n", "elements", "selector " + selector + "\nmode " + mode + "\n", html);
  }

  /**
   * Runs {@code writes} with every event it writes to this stream carrying the SSE id {@code id},
   * holding the stream's monitor.
   *
   * @param id the id of the message being written, from the store's history
   * @param writes writes the message's events
   * @return what {@code writes} returned
   */
  public synchronized boolean withId(String id, BooleanSupplier writes) {
    String before = this.id;
    this.id = id;
    try {
      return writes.getAsBoolean();
    } finally {
      this.id = before;
    }
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

  private boolean send(String event, String field, String value) {
    return send(event, field, "", value);
  }

  // options: whole data lines ("selector #waves\n") before the value's
  private synchronized boolean send(String event, String field, String options, String value) {
    StringBuilder frame = new StringBuilder(event);
    if (id != null) frame.append("id: ").append(id).append('\n');
    for (String option : options.split("\n", -1)) {
      if (!option.isEmpty()) frame.append("data: ").append(option).append('\n');
    }
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
