package datastar.wow.deacon.cluster;

import static datastar.wow.deacon.cluster.TestNode.edn;
import static datastar.wow.deacon.cluster.TestNode.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis servers that ask for something: a password (given in the URI), and TLS ({@code rediss://},
 * with a certificate made by openssl for the test and trusted through {@code caCertificate}).
 */
class SecureRedisTest {
  static final String PASSWORD = "s3cret-Pass_9";

  private static void roundTrip(TestNode a, TestNode b) throws Exception {
    Object key = edn("[\"u1\" :counter]");
    b.hold(key);
    eventually(Duration.ofSeconds(5), () -> a.backplane.keys(key).size() == 1, "the key is listed");
    assertEquals(1, a.backplane.send(key, "hi").toCompletableFuture().get(2, TimeUnit.SECONDS));
    assertEquals("hi", b.next().payload());
  }

  @Nested
  class WithAPassword {
    @RegisterExtension static final RedisServer redis = RedisServer.withPassword(PASSWORD);

    private ClusterSettings settings(String password, String node) {
      return ClusterSettings.builder("redis://:" + password + "@127.0.0.1:" + redis.port())
          .prefix("p" + UUID.randomUUID().toString().substring(0, 8))
          .node(node)
          .build();
    }

    @Test
    void thePasswordInTheUriIsUsed() throws Exception {
      String prefix = "p" + UUID.randomUUID().toString().substring(0, 8);
      String uri = "redis://:" + PASSWORD + "@127.0.0.1:" + redis.port();
      try (TestNode a = TestNode.connected(ClusterSettings.builder(uri).prefix(prefix).node("a").build());
          TestNode b = TestNode.connected(ClusterSettings.builder(uri).prefix(prefix).node("b").build())) {
        roundTrip(a, b);
        assertFalse(a.backplane.toString().contains(PASSWORD), a.backplane.toString());
      }
    }

    @Test
    void aWrongPasswordIsReportedWithoutShowingIt() throws Exception {
      try (TestNode n = TestNode.start(settings("wrong-password", "n"))) {
        BackplaneException e = n.nextError();
        assertEquals(BackplaneException.CONNECT, e.op());
        assertFalse(e.getMessage().contains("wrong-password"), e.getMessage());
        assertTrue(e.getMessage().contains("redis://:***@127.0.0.1:" + redis.port()), e.getMessage());
        assertFalse(n.backplane.connected());
      }
    }
  }

  @Nested
  class WithTls {
    @RegisterExtension static final RedisServer redis = RedisServer.withTls();

    @Test
    void rediss() throws Exception {
      String prefix = "s" + UUID.randomUUID().toString().substring(0, 8);
      ClusterSettings.Builder settings =
          ClusterSettings.builder(redis.uri())
              .prefix(prefix)
              .caCertificate(redis.dir().resolve("ca.crt"));
      try (TestNode a = TestNode.connected(settings.node("a").build());
          TestNode b = TestNode.connected(settings.node("b").build())) {
        roundTrip(a, b);
      }
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
      // the JVM's own trusted roots do not include the test's authority
      try (TestNode n = TestNode.start(ClusterSettings.builder(redis.uri()).node("n").build())) {
        BackplaneException e = n.nextError();
        assertEquals(BackplaneException.CONNECT, e.op());
        Thread.sleep(300);
        assertFalse(n.backplane.connected());
      }
    }
  }
}
