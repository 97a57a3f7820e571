package datastar.wow.deacon.examples;

import java.net.URI;
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
 * <p>Run by {@code dev/screenshots}: {@code mvn -q test-compile exec:java@screenshots
 * -Dscreenshots.dir=doc/images}.
 */
public final class Screenshots {
  private Screenshots() {}

  /**
   * Writes {@code java-example-desktop.png} and {@code java-example-phone.png}.
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
      Browser.Tab kept = other.new Tab(server, otherCookie);
      try (Browser.Tab closed = other.new Tab(server, otherCookie)) {
        closed.counter();
      }
      // This browser's tab, with the page's own cookie: start, wait, add ten, wait.
      String cookie = cookie(chromium, origin);
      try (Browser.Tab tab = other.new Tab(server, cookie)) {
        tab.counter();
        other.send(server, "PUT", "/", cookie);
        Thread.sleep(3_200);
        other.send(server, "POST", "/jump", cookie);
        Thread.sleep(1_500);
        chromium.load(origin + "/");
        Files.write(png, chromium.screenshot(true));
      } finally {
        kept.close();
      }
    }
    System.out.println("wrote " + png + " (" + Files.size(png) + " bytes)");
  }

  // The page's session cookie, name=value, as the browser keeps it (HttpOnly: not in document.cookie).
  private static String cookie(Chromium chromium, String origin) throws Exception {
    Map<?, ?> r = chromium.call("Network.getCookies", Map.of("urls", List.of(origin + "/")));
    for (Object c : (List<?>) r.get("cookies")) {
      Map<?, ?> cookie = (Map<?, ?>) c;
      if (CounterServer.COOKIE.equals(cookie.get("name"))) return CounterServer.COOKIE + "=" + cookie.get("value");
    }
    throw new IllegalStateException("no session cookie for " + URI.create(origin));
  }
}
