package datastar.wow.deacon.cluster;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} for the tests: Debian's, on a free loopback port, with no
 * persistence ({@code --save '' --appendonly no}), in a temporary directory. Register it as a
 * static {@code @RegisterExtension} field: it starts before the class's tests and stops after
 * them; {@link #stop()} and {@link #start()} in a test take it down and bring it back on the same
 * port. When {@code redis-server} is not installed, the class's tests are skipped with one line
 * saying so ({@code .ci/run} installs it). Public, for the tests of other packages too (the Java
 * example's cluster tests).
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {
  private static final InetAddress LOOPBACK = loopback();
  /**
   * Lettuce logs each reconnect attempt through java.util.logging; the tests stop Redis on purpose,
   * and the backplane reports what matters to its ErrorHandler. Held here so the setting stays.
   */
  @SuppressWarnings("UnusedVariable") // a strong reference keeps the logger's level
  private static final java.util.logging.Logger LETTUCE_LOG = quiet("io.lettuce");
  /**
   * The tests close nodes while Lettuce may be in a reconnect handshake (a wrong password, Redis
   * stopped on purpose); netty then reports, once, the handshake listener it can no longer notify
   * on its shut-down event loop. That report is about the shutdown, not about the test.
   */
  @SuppressWarnings("UnusedVariable") // a strong reference keeps the logger's level
  private static final java.util.logging.Logger NETTY_PROMISE_LOG =
      silent("io.netty.util.concurrent.DefaultPromise");
  private final List<String> extraArgs;
  private final boolean tls;
  private Path dir;
  private int port;
  private Process process;

  private RedisServer(boolean tls, List<String> extraArgs) {
    this.tls = tls;
    this.extraArgs = extraArgs;
  }

  /** A plain server. */
  public static RedisServer plain() {
    return new RedisServer(false, List.of());
  }

  /** A server that asks for a password ({@code requirepass}). */
  static RedisServer withPassword(String password) {
    return new RedisServer(false, List.of("--requirepass", password));
  }

  /** A server that speaks TLS only, with a throwaway certificate made by openssl at start. */
  static RedisServer withTls() {
    return new RedisServer(true, List.of());
  }

  public static String binary() {
    String env = System.getenv("REDIS_SERVER");
    if (env != null && new File(env).canExecute()) return env;
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin"));
    if (path != null) dirs.addAll(0, List.of(path.split(File.pathSeparator)));
    for (String d : dirs) {
      File f = new File(d, "redis-server");
      if (f.canExecute()) return f.getPath();
    }
    return null;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Assumptions.assumeTrue(
        binary() != null,
        "redis-server is not installed: skipping the Redis backplane tests"
            + " (apt-get install -y redis-server; .ci/run does)");
    if (tls) {
      Assumptions.assumeTrue(supportsTls(), "redis-server was built without TLS: skipping rediss://");
      Assumptions.assumeTrue(
          Certificates.opensslInstalled(), "openssl is not installed: skipping rediss://");
    }
    dir = Files.createTempDirectory("deacon-redis");
    port = freePort();
    if (tls) Certificates.make(dir);
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Starts the server (again) on its port and waits until it accepts connections. */
  public void start() throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    cmd.addAll(List.of("--dir", dir.toString(), "--daemonize", "no", "--protected-mode", "no"));
    cmd.addAll(List.of("--logfile", dir.resolve("redis.log").toString()));
    if (tls) {
      cmd.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port)));
      cmd.addAll(List.of("--tls-cert-file", dir.resolve("server.crt").toString()));
      cmd.addAll(List.of("--tls-key-file", dir.resolve("server.key").toString()));
      cmd.addAll(List.of("--tls-ca-cert-file", dir.resolve("ca.crt").toString()));
      cmd.addAll(List.of("--tls-auth-clients", "no"));
    } else {
      cmd.addAll(List.of("--port", Integer.toString(port)));
    }
    cmd.addAll(extraArgs);
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited: " + Files.readString(dir.resolve("stdout.log"))
                + readLog());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(LOOPBACK, port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("redis-server did not listen on " + port + ": " + readLog());
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops the server (SIGTERM) and waits for it to exit; its data goes with it. */
  public void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  /** Sends the server a signal, e.g. {@code STOP} to freeze it and {@code CONT} to wake it. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + name + " failed");
    }
  }

  public int port() {
    return port;
  }

  Path dir() {
    return dir;
  }

  /** The URI of the server, without a password. */
  public String uri() {
    return (tls ? "rediss" : "redis") + "://127.0.0.1:" + port;
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.SEVERE);
    return logger;
  }

  private static java.util.logging.Logger silent(String name) {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
    logger.setLevel(java.util.logging.Level.OFF);
    return logger;
  }

  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(LOOPBACK, 0));
      return s.getLocalPort();
    }
  }

  /** Whether this redis-server was built with TLS (Debian 12's is). */
  static boolean supportsTls() {
    String bin = binary();
    if (bin == null) return false;
    try {
      Process p = new ProcessBuilder("ldd", bin).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.contains("libssl");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
