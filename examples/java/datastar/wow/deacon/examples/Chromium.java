package datastar.wow.deacon.examples;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol, for the example's browser test and
 * its screenshots: one page, spoken to through the JDK's {@code java.net.http.WebSocket}, with JSON
 * read and written by {@code clojure.data.json}. Each instance runs its own browser with a
 * throwaway profile directory; {@link #close} ends the process and deletes the directory.
 */
final class Chromium implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(20);
  private static final Duration CALL = Duration.ofSeconds(15);

  private static final IFn READ;
  private static final IFn WRITE;

  static {
    Clojure.var("clojure.core", "require").invoke(Clojure.read("clojure.data.json"));
    READ = Clojure.var("clojure.data.json", "read-str");
    WRITE = Clojure.var("clojure.data.json", "write-str");
  }

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<Map<?, ?>>> pending = new ConcurrentHashMap<>();
  private final List<Map<?, ?>> events = new CopyOnWriteArrayList<>();
  private final List<Consumer<Map<?, ?>>> listeners = new CopyOnWriteArrayList<>();

  private Chromium(Process process, Path profile, WebSocket.Builder builder, URI page)
      throws Exception {
    this.process = process;
    this.profile = profile;
    this.socket = builder.buildAsync(page, new Listener()).get(CALL.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * Where Chromium is: {@code $CHROMIUM} when set, else the first of Debian's {@code
   * /usr/bin/chromium} and the usual names on the PATH.
   *
   * @return its executable, or empty when none is installed
   */
  static Optional<Path> executable() {
    String set = System.getenv("CHROMIUM");
    if (set != null && !set.isBlank()) return Optional.of(Path.of(set)).filter(Files::isExecutable);
    List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/chromium")));
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
        candidates.add(Path.of(dir, name));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts a headless Chromium on a free loopback port and connects to its first page.
   *
   * @param executable the browser, from {@link #executable}
   * @param width the window's width in CSS pixels
   * @param height the window's height in CSS pixels
   * @return the browser, its page blank
   * @throws Exception when it does not start or cannot be reached
   */
  static Chromium launch(Path executable, int width, int height) throws Exception {
    Path profile = Files.createTempDirectory("deacon-chromium");
    Path log = profile.resolve("chromium.log");
    Process process =
        new ProcessBuilder(
                executable.toString(),
                "--headless=new",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--user-data-dir=" + profile,
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-gpu",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--mute-audio",
                "--window-size=" + width + "," + height,
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      Path activePort = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + START.toNanos();
      List<String> lines = List.of();
      while (lines.size() < 2) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IOException("chromium did not open its DevTools port: " + tail(log));
        }
        Thread.sleep(50);
        if (Files.exists(activePort)) lines = Files.readAllLines(activePort, StandardCharsets.UTF_8);
      }
      int port = Integer.parseInt(lines.get(0).trim());
      HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
      URI page = firstPage(http, port, deadline);
      return new Chromium(process, profile, http.newWebSocketBuilder(), page);
    } catch (Exception | Error e) {
      stop(process);
      deleteTree(profile);
      throw e;
    }
  }

  // The WebSocket address of the browser's first page, from its /json/list.
  private static URI firstPage(HttpClient http, int port, long deadline) throws Exception {
    URI list = URI.create("http://127.0.0.1:" + port + "/json/list");
    while (true) {
      String body = http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString()).body();
      for (Object target : (List<?>) READ.invoke(body)) {
        Map<?, ?> t = (Map<?, ?>) target;
        if ("page".equals(t.get("type")) && t.get("webSocketDebuggerUrl") instanceof String ws) {
          return URI.create(ws);
        }
      }
      if (System.nanoTime() > deadline) throw new IOException("chromium shows no page: " + body);
      Thread.sleep(50);
    }
  }

  /**
   * Sends a command without waiting for its answer: for event listeners, which run on the socket's
   * thread and must not block it.
   *
   * @param method e.g. {@code Fetch.continueRequest}
   * @param params its parameters
   * @return its result, when it comes
   */
  CompletableFuture<Map<?, ?>> send(String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<Map<?, ?>> answer = new CompletableFuture<>();
    pending.put(id, answer);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("id", id);
    message.put("method", method);
    message.put("params", params);
    synchronized (socket) {
      socket.sendText((String) WRITE.invoke(message), true).join();
    }
    return answer;
  }

  /**
   * Runs a command and waits for its result.
   *
   * @param method e.g. {@code Page.navigate}
   * @param params its parameters
   * @return its result
   * @throws Exception when it fails or takes longer than 15 s
   */
  Map<?, ?> call(String method, Map<String, ?> params) throws Exception {
    return send(method, params).get(CALL.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * @param method a command without parameters, e.g. {@code Network.enable}
   * @return its result
   * @throws Exception when it fails
   */
  Map<?, ?> call(String method) throws Exception {
    return call(method, Map.of());
  }

  /**
   * Evaluates a JavaScript expression in the page, waiting for it when it is a promise.
   *
   * @param expression the script
   * @return its value, as JSON data: a string, number, boolean, list, map or null
   * @throws Exception when it throws or cannot be evaluated
   */
  @Nullable Object eval(String expression) throws Exception {
    Map<?, ?> r =
        call("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
    if (r.get("exceptionDetails") instanceof Map<?, ?> details) {
      throw new IllegalStateException("the page threw: " + details);
    }
    return ((Map<?, ?>) r.get("result")).get("value");
  }

  /**
   * Loads a page and waits for its {@code load} event.
   *
   * @param url the address
   * @throws Exception when it does not load within 15 s
   */
  void load(String url) throws Exception {
    int seen = events.size();
    Map<?, ?> r = call("Page.navigate", Map.of("url", url));
    if (r.get("errorText") instanceof String error) throw new IOException("cannot load " + url + ": " + error);
    await(e -> "Page.loadEventFired".equals(e.get("method")), seen, CALL);
  }

  /**
   * Waits for an event.
   *
   * @param match what to wait for
   * @param from the index in {@link #events} to look from
   * @param timeout how long
   * @return the first matching event
   * @throws Exception when none comes in time
   */
  Map<?, ?> await(Predicate<Map<?, ?>> match, int from, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Map<?, ?>> now = events;
      for (int i = from; i < now.size(); i++) {
        if (match.test(now.get(i))) return now.get(i);
      }
      if (System.nanoTime() > deadline) throw new IOException("no such event within " + timeout);
      Thread.sleep(20);
    }
  }

  /** @return every event so far, each {@code {"method": ..., "params": ...}}, oldest first */
  List<Map<?, ?>> events() {
    return List.copyOf(events);
  }

  /**
   * @param method an event's name, e.g. {@code Network.responseReceived}
   * @return the parameters of every such event so far, oldest first
   */
  List<Map<?, ?>> events(String method) {
    return events.stream()
        .filter(e -> method.equals(e.get("method")))
        .<Map<?, ?>>map(e -> (Map<?, ?>) e.get("params"))
        .toList();
  }

  /**
   * Switches on the protocol's domains the tests read: {@code Network} (requests and cookies),
   * {@code Log} and {@code Runtime} (errors and the console) and {@code Page} (loads).
   *
   * @throws Exception when the browser refuses one
   */
  void watch() throws Exception {
    for (String domain : List.of("Network", "Log", "Runtime", "Page")) call(domain + ".enable");
  }

  /**
   * The page's console errors, log errors and uncaught exceptions so far, from the {@code Log} and
   * {@code Runtime} domains (enable them first), except log entries about {@code ignoredUrl}.
   *
   * @param ignoredUrl a URL whose errors are expected, e.g. a script {@link #allowOnly} refuses
   * @return one line per error, oldest first
   */
  List<String> errorsBesides(String ignoredUrl) {
    List<String> errors = new ArrayList<>();
    for (Map<?, ?> e : events("Log.entryAdded")) {
      Map<?, ?> entry = (Map<?, ?>) e.get("entry");
      if ("error".equals(entry.get("level")) && !ignoredUrl.equals(entry.get("url"))) {
        errors.add(entry.get("source") + ": " + entry.get("text") + " " + entry.get("url"));
      }
    }
    for (Map<?, ?> e : events("Runtime.consoleAPICalled")) {
      if ("error".equals(e.get("type"))) errors.add("console.error: " + e.get("args"));
    }
    for (Map<?, ?> e : events("Runtime.exceptionThrown")) {
      errors.add("exception: " + e.get("exceptionDetails"));
    }
    return errors;
  }

  /**
   * The browser's cookie {@code name} for {@code origin}, as {@code name=value} (read through the
   * protocol, so an HttpOnly cookie too).
   *
   * @throws IllegalStateException when the browser holds no such cookie
   */
  String cookie(String origin, String name) throws Exception {
    Map<?, ?> r = call("Network.getCookies", Map.of("urls", List.of(origin + "/")));
    for (Object c : (List<?>) r.get("cookies")) {
      Map<?, ?> cookie = (Map<?, ?>) c;
      if (name.equals(cookie.get("name"))) return name + "=" + cookie.get("value");
    }
    throw new IllegalStateException("no cookie " + name + " for " + origin);
  }

  /**
   * Runs {@code listener} on every event from now on, on the socket's thread: it must not wait for
   * an answer ({@link #send} is fine, {@link #call} is not).
   *
   * @param listener given each event
   */
  void onEvent(Consumer<Map<?, ?>> listener) {
    listeners.add(listener);
  }

  /**
   * Lets the page load from {@code origin} only: any other request is failed before it leaves the
   * browser, as a content blocker would ({@code net::ERR_BLOCKED_BY_CLIENT}).
   *
   * @param origin e.g. {@code http://127.0.0.1:3000}
   * @throws Exception when request interception cannot be switched on
   */
  void allowOnly(String origin) throws Exception {
    allowOnly(origin, Map.of());
  }

  /**
   * As {@link #allowOnly(String)}, but answers a request for one of {@code scripts}' URLs with
   * that script, as if it came from there: a page's CDN script served from a file on this machine.
   *
   * @param origin e.g. {@code http://127.0.0.1:3000}
   * @param scripts JavaScript by URL
   * @throws Exception when the DevTools call fails
   */
  void allowOnly(String origin, Map<String, byte[]> scripts) throws Exception {
    onEvent(e -> {
      if (!"Fetch.requestPaused".equals(e.get("method"))) return;
      Map<?, ?> p = (Map<?, ?>) e.get("params");
      String url = (String) ((Map<?, ?>) p.get("request")).get("url");
      Object id = p.get("requestId");
      byte[] script = scripts.get(url);
      var unused =
          script != null
              ? send("Fetch.fulfillRequest", Map.of(
                  "requestId", id, "responseCode", 200,
                  "responseHeaders", List.of(
                      Map.of("name", "Content-Type", "value", "text/javascript; charset=utf-8"),
                      Map.of("name", "Access-Control-Allow-Origin", "value", "*")),
                  "body", Base64.getEncoder().encodeToString(script)))
              : url.equals(origin) || url.startsWith(origin + "/")
                  ? send("Fetch.continueRequest", Map.of("requestId", id))
                  : send("Fetch.failRequest", Map.of("requestId", id, "errorReason", "BlockedByClient"));
    });
    call("Fetch.enable", Map.of("patterns", List.of(Map.of("urlPattern", "*"))));
  }

  /**
   * Minimises the browser's window, or brings it back: the page's {@code document.hidden} turns
   * true or false and it gets a {@code visibilitychange} event, as when its user switches tabs.
   *
   * @param hidden true to minimise
   * @throws Exception when the DevTools call fails
   */
  void hide(boolean hidden) throws Exception {
    Object window = call("Browser.getWindowForTarget").get("windowId");
    call("Browser.setWindowBounds", Map.of("windowId", window, "bounds", Map.of("windowState", hidden ? "minimized" : "normal")));
  }

  /**
   * Takes a PNG of the page as it is laid out.
   *
   * @param fullPage the whole page (true) or only the window (false)
   * @return the image's bytes
   * @throws Exception when it cannot be taken
   */
  byte[] screenshot(boolean fullPage) throws Exception {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("format", "png");
    params.put("captureBeyondViewport", fullPage);
    if (fullPage) {
      Map<?, ?> metrics = call("Page.getLayoutMetrics");
      Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
      params.put(
          "clip",
          Map.of("x", 0, "y", 0, "width", size.get("width"), "height", size.get("height"), "scale", 1));
    }
    return Base64.getDecoder().decode((String) call("Page.captureScreenshot", params).get("data"));
  }

  /** Ends the browser and deletes its profile directory. */
  @Override
  public void close() {
    socket.abort();
    stop(process);
    deleteTree(profile);
  }

  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    // Chromium's helpers may still write a file or two as they go: try again briefly.
    for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
      try (Stream<Path> tree = Files.walk(dir)) {
        for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
      } catch (IOException | UncheckedIOException again) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static String tail(Path log) {
    try {
      String all = Files.readString(log, StandardCharsets.UTF_8);
      return all.length() > 2000 ? all.substring(all.length() - 2000) : all;
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  // Answers complete their command's future; events are kept, then given to the listeners.
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        Map<?, ?> message = (Map<?, ?>) READ.invoke(text.toString());
        text.setLength(0);
        if (message.get("id") instanceof Number id) {
          CompletableFuture<Map<?, ?>> answer = pending.remove(id.intValue());
          if (answer != null) {
            if (message.get("error") instanceof Map<?, ?> error) {
              answer.completeExceptionally(new IOException("DevTools: " + error));
            } else {
              answer.complete((Map<?, ?>) message.get("result"));
            }
          }
        } else {
          events.add(message);
          for (Consumer<Map<?, ?>> l : listeners) l.accept(message);
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      pending.values().forEach(f -> f.completeExceptionally(error));
    }
  }
}
