package datastar.wow.deacon.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.cluster.ClusterSettings;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example's options: each read from a system property, else the environment, and checked. */
class ConfigTest {
  private static final String KEY = "a secret of the cluster";

  private static Settings settings(Map<String, String> properties, Map<String, String> env) {
    return Config.settings(properties::get, env::get, Duration.ofSeconds(1));
  }

  private static String refused(Map<String, String> properties) {
    return assertThrows(IllegalArgumentException.class, () -> settings(properties, Map.of())).getMessage();
  }

  @Test
  void withoutRedisTheServerRunsOnItsOwnWithASessionKeyDrawnAtStart() {
    Settings s = settings(Map.of(), Map.of());
    assertNull(s.cluster());
    assertNull(s.sessionKey());
    assertEquals(3000, s.port());
    assertEquals(KEY, settings(Map.of(), Map.of("SESSION_KEY", KEY)).sessionKey(), "a key may be given alone");
  }

  @Test
  void redisMakesANodeOfACluster() {
    Settings s =
        settings(
            Map.of("redis", "redis://127.0.0.1:6379", "node", "web-1", "port", "3001", "session-key", KEY),
            Map.of("REDIS", "redis://10.0.0.1:6379", "LEASE_MS", "2000"));
    ClusterSettings c = s.cluster();
    assertTrue(c.toString().contains("uri=redis://127.0.0.1:6379,"), "-Dredis wins over REDIS: " + c);
    assertEquals("web-1", c.node());
    assertEquals(Config.DEFAULT_PREFIX, c.prefix());
    assertTrue(c.toString().contains("lease=2000ms"), "from LEASE_MS: " + c);
    assertEquals(3001, s.port());
    assertEquals(KEY, s.sessionKey());
    assertEquals("other", settings(
        Map.of("redis", "redis://127.0.0.1:6379", "session-key", KEY, "prefix", "other"), Map.of())
        .cluster().prefix());
    assertTrue(settings(Map.of("redis", "redis://127.0.0.1:6379", "session-key", KEY), Map.of())
        .cluster().node().matches(".+-\\d+-[0-9a-f]{8}"), "a node id of its own by default");
  }

  @Test
  void badClusterOptionsAreNamed() {
    assertEquals(
        "-Dredis: the nodes of a cluster must accept each other's session cookies: give every node"
            + " the same -Dsession-key (or SESSION_KEY), at least 16 characters",
        refused(Map.of("redis", "redis://127.0.0.1:6379")));
    assertEquals(
        "-Dsession-key: a session secret needs at least 16 characters, got 5",
        refused(Map.of("redis", "redis://127.0.0.1:6379", "session-key", "short")));
    for (String option : List.of("node", "prefix", "lease-ms")) {
      assertEquals(
          "-D" + option + ": a cluster option, given without -Dredis (or REDIS)",
          refused(Map.of(option, "1000")));
    }
    String bad = refused(Map.of("redis", "http://:secret@127.0.0.1:6379", "session-key", KEY));
    assertTrue(bad.startsWith("-Dredis: must start with redis:// (plain) or rediss:// (TLS), got"), bad);
    assertFalse(bad.contains("secret"), "never the password: " + bad);
    assertTrue(
        refused(Map.of("redis", "redis://127.0.0.1:6379", "session-key", KEY, "node", "web 1"))
            .startsWith("-Dnode: must be 1 to 100 letters, digits, '.', '_' or '-', got \"web 1\""));
    assertEquals(
        "-Dlease-ms: expected milliseconds from 1000 to 3600000, got \"500\"",
        refused(Map.of("redis", "redis://127.0.0.1:6379", "session-key", KEY, "lease-ms", "500")));
    assertEquals(
        "-Dlease-ms: expected milliseconds from 1000 to 3600000, got \"soon\"",
        refused(Map.of("redis", "redis://127.0.0.1:6379", "session-key", KEY, "lease-ms", "soon")));
  }

  @Test
  void badAddressesAreNamed() {
    assertEquals(InetAddress.getLoopbackAddress(), Config.ip(null, null));
    assertEquals("127.0.0.1", Config.ip(null, null).getHostAddress());
    assertTrue(Config.ip(null, "0.0.0.0").isAnyLocalAddress());
    assertEquals("0:0:0:0:0:0:0:1", Config.ip("::1", "0.0.0.0").getHostAddress(), "-Dip wins");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Config.ip(" ", null));
    assertEquals("-Dip: expected an IP address such as 127.0.0.1 or ::1, got \" \"", e.getMessage());
    for (String bad : List.of("300.1.2.3", "1.2.3", "localhost", "::g", "example.org")) {
      e = assertThrows(IllegalArgumentException.class, () -> Config.ip(null, bad), bad);
      assertEquals(
          "IP: expected an IP address such as 127.0.0.1 or ::1, got \"" + bad + "\"",
          e.getMessage());
    }
  }

  @Test
  void badPortsAreNamed() {
    assertEquals(3000, Config.port(null, null));
    assertEquals(8080, Config.port(null, "8080"));
    assertEquals(9000, Config.port("9000", "8080"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Config.port("http", null));
    assertEquals("-Dport: expected a port number from 0 to 65535, got \"http\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Config.port(null, "70000"));
    assertEquals("PORT: expected a port number from 0 to 65535, got 70000", e.getMessage());
  }
}
