package datastar.wow.deacon.cluster;

/**
 * Whether Lettuce, the Redis client the backplane needs, is on the classpath. Lettuce is an
 * optional dependency of the library: this class names it without loading it, so that asking costs
 * nothing to an app that runs on one node.
 */
final class LettuceDependency {
  private LettuceDependency() {}

  /** The Maven coordinates the backplane is built and tested against (the pom's lettuce.version). */
  static final String COORDINATES = "io.lettuce:lettuce-core:7.7.0.RELEASE";

  /** The Clojure CLI form of {@link #COORDINATES}. */
  static final String DEPS_EDN = "io.lettuce/lettuce-core {:mvn/version \"7.7.0.RELEASE\"}";

  /** One class of Lettuce and one of each library Lettuce itself needs at run time. */
  private static final String[] REQUIRED = {
    "io.lettuce.core.RedisClient", "io.netty.channel.Channel", "reactor.core.publisher.Mono"
  };

  /** The first missing class, computed once: the classpath of a running JVM does not change. */
  private static final class Holder {
    static final String MISSING = findMissing(LettuceDependency.class.getClassLoader());
  }

  /**
   * Returns the name of the first required class that {@code loader} cannot find, or null when.
   *
   * @return the name of the first required class that {@code loader} cannot find, or null when
   *     all are there; no class is initialized
   */
  static String findMissing(ClassLoader loader) {
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
              + "<version>7.7.0.RELEASE</version></dependency>, deps.edn "
              + DEPS_EDN
              + ".");
    }
  }
}
