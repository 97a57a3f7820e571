package datastar.wow.deacon.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Whether Lettuce, the Redis client the backplane needs, is on the classpath. Lettuce is an
 * optional dependency of the library: this class names it without loading it, so that asking costs
 * nothing to an app that runs on one node. The version it names is the one the library was built
 * and tested with, read from the file {@code lettuce.version} beside this class, which the build
 * writes from the pom.
 */
final class LettuceDependency {
  private LettuceDependency() {}

  /** The version of Lettuce the library was built with. */
  static final String VERSION = readVersion();

  /** The Maven coordinates the backplane is built and tested against. */
  static final String COORDINATES = "io.lettuce:lettuce-core:" + VERSION;

  /** The Clojure CLI form of {@link #COORDINATES}. */
  static final String DEPS_EDN = "io.lettuce/lettuce-core {:mvn/version \"" + VERSION + "\"}";

  /** One class of Lettuce and one of each library Lettuce itself needs at run time. */
  private static final String[] REQUIRED = {
    "io.lettuce.core.RedisClient", "io.netty.channel.Channel", "reactor.core.publisher.Mono"
  };

  /** The first missing class, computed once: the classpath of a running JVM does not change. */
  private static final class Holder {
    static final @Nullable String MISSING = findMissing(LettuceDependency.class.getClassLoader());
  }

  private static String readVersion() {
    try (InputStream in = LettuceDependency.class.getResourceAsStream("lettuce.version")) {
      if (in == null) throw new IllegalStateException("lettuce.version is missing beside LettuceDependency");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read lettuce.version", e);
    }
  }

  /**
   * Finds the first required class that {@code loader} cannot find.
   *
   * @return its name, or null when all are there; no class is initialized
   */
  static @Nullable String findMissing(ClassLoader loader) {
    for (String name : REQUIRED) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        return name;
      }
    }
    return null;
  }

  static boolean available() {
    return Holder.MISSING == null;
  }

  /** @throws IllegalStateException naming the dependency to add, when Lettuce is missing */
  static void require() {
    String missing = Holder.MISSING;
    if (missing != null) {
      throw new IllegalStateException(
          "datastar.wow.deacon.cluster: the Redis backplane needs "
              + COORDINATES
              + " on the classpath (class "
              + missing
              + " was not found). Add it to the app's dependencies: Maven <dependency>"
              + "<groupId>io.lettuce</groupId><artifactId>lettuce-core</artifactId>"
              + "<version>" + VERSION + "</version></dependency>, deps.edn "
              + DEPS_EDN
              + ".");
    }
  }
}
