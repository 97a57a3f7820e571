package datastar.wow.deacon.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import datastar.wow.deacon.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Settings are checked when made, and each error names the setting and the value. */
class ClusterSettingsTest {
  private static final String URI = "redis://127.0.0.1:6379";

  /** The builder method refusing its value, in Java's words: {@code lease(PT0.5S) refused: ...}. */
  private static InvalidInputException fails(String method, Executable make) {
    InvalidInputException e = assertThrows(InvalidInputException.class, make);
    assertEquals(method, e.input(), e.getMessage());
    assertTrue(e.getMessage().startsWith("datastar.wow.deacon: " + method + "("), e.getMessage());
    return e;
  }

  @Test
  void defaults() {
    ClusterSettings s = ClusterSettings.builder(URI).build();
    assertEquals("deacon", s.prefix());
    assertEquals(Duration.ofSeconds(15), s.lease);
    assertEquals(Duration.ofMillis(500), s.sendTimeout);
    assertEquals(1 << 20, s.maxMessageBytes);
    assertTrue(s.node().matches("[A-Za-z0-9._-]+-[0-9]+-[0-9a-f]{8}"), s.node());
    assertNotEquals(s.node(), ClusterSettings.builder(URI).build().node(), "unique per backplane");
  }

  @Test
  void everySettingIsChecked() throws Exception {
    fails("builder", () -> ClusterSettings.builder(null));
    fails("builder", () -> ClusterSettings.builder("http://127.0.0.1:6379"));
    fails("builder", () -> ClusterSettings.builder("127.0.0.1:6379"));
    fails("builder", () -> ClusterSettings.builder("redis://"));
    fails("builder", () -> ClusterSettings.builder("redis://h:6379/db"));
    fails("builder", () -> ClusterSettings.builder("redis://h:6379/0?timeout=5s"));
    fails("builder", () -> ClusterSettings.builder("redis://h:99999"));
    fails("node", () -> ClusterSettings.builder(URI).node(""));
    fails("node", () -> ClusterSettings.builder(URI).node("a:b"));
    fails("node", () -> ClusterSettings.builder(URI).node("x".repeat(101)));
    fails("prefix", () -> ClusterSettings.builder(URI).prefix("app:deacon"));
    fails("prefix", () -> ClusterSettings.builder(URI).prefix("has space"));
    InvalidInputException lease =
        fails("lease", () -> ClusterSettings.builder(URI).lease(Duration.ofMillis(500)));
    assertEquals(Duration.ofMillis(500), lease.value());
    fails("lease", () -> ClusterSettings.builder(URI).lease(Duration.ofHours(2)));
    fails("lease", () -> ClusterSettings.builder(URI).lease(null));
    fails("sendTimeout", () -> ClusterSettings.builder(URI).sendTimeout(Duration.ofSeconds(2)));
    fails("sendTimeout", () -> ClusterSettings.builder(URI).sendTimeout(Duration.ZERO));
    fails("maxMessageBytes", () -> ClusterSettings.builder(URI).maxMessageBytes(100));
    fails("caCertificate",
        () -> ClusterSettings.builder("rediss://h:6380").caCertificate(Path.of("/no/such.pem")));
    Path pem = Files.createTempFile("ca", ".pem");
    try {
      fails("caCertificate", () -> ClusterSettings.builder(URI).caCertificate(pem).build());
      ClusterSettings tls = ClusterSettings.builder("rediss://h:6380").caCertificate(pem).build();
      assertEquals(pem, tls.caCertificate);
    } finally {
      Files.delete(pem);
    }
  }

  @Test
  void passwordsAreNeverShown() {
    ClusterSettings s = ClusterSettings.builder("redis://app:hunter2@h:6379/2").build();
    assertEquals("redis://app:hunter2@h:6379/2", s.redisUri);
    assertEquals("redis://app:***@h:6379/2", s.shownUri());
    assertFalse(s.toString().contains("hunter2"), s.toString());
    assertEquals("redis://:***@h:6379", ClusterSettings.redact("redis://hunter2@h:6379"));
    InvalidInputException e =
        fails("builder", () -> ClusterSettings.builder("redis://:hunter2@h:6379/x"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertFalse(String.valueOf(e.getData()).contains("hunter2"));
  }

}
