package datastar.wow.deacon.examples;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Browser sessions in the {@value CounterServer#COOKIE} cookie, signed so that only ids this server
 * issued are accepted.
 *
 * <p>A cookie holds {@code <id>.<signature>}: a random id and its HMAC-SHA256 under a key. A server
 * on its own draws the key when it starts and never writes it anywhere: a value it did not sign
 * (made up, altered, or issued by an earlier run) is no session at all, and the page then issues a
 * new one. The nodes of a cluster are given one secret ({@code -Dsession-key}), so a cookie any of
 * them issued is a session on all of them, across restarts too. Nothing is kept per session, so
 * there is nothing to clean up.
 */
final class Sessions {
  private static final String ALGORITHM = "HmacSHA256";

  /** The shortest secret accepted. */
  static final int MIN_SECRET = 16;

  private final SecretKeySpec key;

  /** Sessions signed with a key drawn now, known to this server only. */
  Sessions() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /**
   * Sessions signed with {@code secret}: every server given the same secret accepts the others'.
   *
   * @param secret at least {@value #MIN_SECRET} characters
   */
  Sessions(String secret) {
    checkSecret("secret", secret);
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /**
   * @param option the option's name, for the message
   * @param secret a session secret
   * @return {@code secret}
   * @throws IllegalArgumentException when it is shorter than {@value #MIN_SECRET} characters (the
   *     message never shows it)
   */
  static String checkSecret(String option, String secret) {
    if (secret.length() < MIN_SECRET) {
      throw new IllegalArgumentException(
          option + ": a session secret needs at least " + MIN_SECRET + " characters, got " + secret.length());
    }
    return secret;
  }

  /** @return the value of a new session's cookie */
  String issue() {
    String id = UUID.randomUUID().toString();
    return id + "." + sign(id);
  }

  /**
   * @param cookieValue a {@value CounterServer#COOKIE} cookie's value
   * @return its session id when this server issued it, else null
   */
  String verify(String cookieValue) {
    int dot = cookieValue.lastIndexOf('.');
    if (dot <= 0) return null;
    String id = cookieValue.substring(0, dot);
    byte[] given = cookieValue.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = sign(id).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(given, expected) ? id : null; // in constant time
  }

  /**
   * @param ex a request
   * @return the id of the first session cookie this server issued, or null when it has none
   */
  String id(HttpExchange ex) {
    for (String header : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";", -1)) {
        String[] kv = pair.trim().split("=", 2);
        if (kv.length == 2 && kv[0].equals(CounterServer.COOKIE)) {
          String id = verify(kv[1]);
          if (id != null) return id;
        }
      }
    }
    return null;
  }

  private String sign(String id) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe: one per call
      mac.init(key);
      byte[] sig = mac.doFinal(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
    }
  }
}
