package datastar.wow.deacon.examples;

import clojure.java.api.Clojure;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Takes the PNGs of the Java example shown in {@code doc/demo.md}: the page in a headless Chromium
 * ({@link Chromium}), 1280 CSS pixels wide and as a 390-pixel-wide phone, each of the whole page.
 * Before each, the browser's session has a tab's stream open and its counter running (started,
 * then ten added), and a second browser has a tab open and has closed another, so the store panel
 * shows two sessions and a removal. The page is then reloaded: it is what the server renders for
 * that state (Datastar's script, from its CDN, is refused, so nothing changes it afterwards).
 *
 * <p>The REPL demo's page ({@code repl-demo-*.png}) needs the Clojars libraries to run; its
 * screenshots are of the page its own handlers and view render over the test stand-ins of
 * datastar.wow ({@code datastar.wow.deacon.test.demo-page}), served as they are, for a session in
 * the same state. It is a still page: nothing drives it afterwards.
 *
 * <p>Run by {@code dev/screenshots}: {@code mvn -q test-compile exec:java@screenshots
 * -Dscreenshots.dir=doc/images}.
 */
public final class Screenshots {
  private Screenshots() {}

  /**
   * Writes {@code java-example-desktop.png}, {@code java-example-phone.png}, {@code
   * repl-demo-desktop.png} and {@code repl-demo-phone.png}.
   *
   * @param args ignored; the directory is {@code -Dscreenshots.dir}, default {@code doc/images}
   * @throws Exception when Chromium is missing or a step fails
   */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(System.getProperty("screenshots.dir", "doc/images"));
    Path chromium =
        Chromium.executable().orElseThrow(() -> new IllegalStateException("no chromium installed"));
    Files.createDirectories(dir);
    take(chromium, 1280, 800, false, dir.resolve("java-example-desktop.png"));
    take(chromium, 390, 844, true, dir.resolve("java-example-phone.png"));
    Clojure.var("clojure.core", "require").invoke(Clojure.read("datastar.wow.deacon.test.demo-page"));
    Map<?, ?> demo = (Map<?, ?>) Clojure.var("datastar.wow.deacon.test.demo-page", "render").invoke();
    takeStill(chromium, demo, 1280, 800, false, dir.resolve("repl-demo-desktop.png"));
    takeStill(chromium, demo, 390, 844, true, dir.resolve("repl-demo-phone.png"));
  }

  // The demo's page, stylesheet and favicon, served as they are on a free loopback port.
  private static void takeStill(Path executable, Map<?, ?> demo, int width, int height, boolean phone, Path png)
      throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", ex -> {
      switch (ex.getRequestURI().getPath()) {
        case "/" -> answer(ex, "text/html; charset=utf-8", ((String) demo.get("html")).getBytes(StandardCharsets.UTF_8));
        case "/style.css" -> answer(ex, "text/css; charset=utf-8", ((String) demo.get("css")).getBytes(StandardCharsets.UTF_8));
        case "/favicon.ico" -> answer(ex, "image/x-icon", (byte[]) demo.get("favicon"));
        default -> {
          ex.sendResponseHeaders(404, -1);
          ex.close();
        }
      }
    });
    server.start();
    try (Chromium chromium = Chromium.launch(executable, width, height)) {
      String origin = "http://127.0.0.1:" + server.getAddress().getPort();
      chromium.call("Page.enable");
      chromium.allowOnly(origin);
      chromium.call(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", phone));
      chromium.load(origin + "/");
      Files.write(png, chromium.screenshot(true));
    } finally {
      server.stop(0);
    }
    System.out.println("wrote " + png + " (" + Files.size(png) + " bytes)");
  }

  private static void answer(HttpExchange ex, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(200, body.length);
    try (var out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private static void take(Path executable, int width, int height, boolean phone, Path png) throws Exception {
    Settings settings =
        Settings.of(Config.defaultIp(), 0, Duration.ofSeconds(1)).heartbeat(Duration.ofMillis(500));
    Browser other = new Browser();
    try (CounterServer server = CounterServer.start(settings);
        Chromium chromium = Chromium.launch(executable, width, height)) {
      String origin = CounterServer.url(server.address());
      chromium.call("Page.enable");
      chromium.call("Network.enable");
      chromium.allowOnly(origin);
      chromium.call(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", phone));
      chromium.load(origin + "/");

      // Another browser: a tab open, another closed (the panel's removal log).
      String otherCookie = other.cookie(server);
      Browser.Tab kept = other.new Tab(server, otherCookie, null);
      try (Browser.Tab closed = other.new Tab(server, otherCookie, null)) {
        closed.counter();
      }
      // This browser's tab, with the page's own cookie: start, wait, add ten, a wave from each browser, wait.
      String cookie = chromium.cookie(origin, CounterServer.COOKIE);
      try (Browser.Tab tab = other.new Tab(server, cookie, null)) {
        tab.counter();
        other.send(server, "PUT", "/", cookie);
        Thread.sleep(3_200);
        other.send(server, "POST", "/jump", cookie);
        other.send(server, "POST", "/wave", otherCookie);
        other.send(server, "POST", "/wave", cookie);
        Thread.sleep(1_500);
        chromium.load(origin + "/");
        Files.write(png, chromium.screenshot(true));
      } finally {
        kept.close();
      }
    }
    System.out.println("wrote " + png + " (" + Files.size(png) + " bytes)");
  }

}
