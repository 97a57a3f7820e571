package datastar.wow.deacon.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Lettuce is optional: the core never touches it, the backplane says when it is missing and which
 * dependency to add, and the version is the same in the pom, deps.edn and the error message.
 */
class LettuceAvailabilityTest {
  private static final String CLUSTER = "datastar/wow/deacon/cluster/";

  @Test
  void lettuceIsHereForTheTests() {
    assertTrue(LettuceDependency.available());
  }

  /** The classpath of this test JVM without Lettuce and the libraries it brings. */
  private static URLClassLoader withoutLettuce() throws Exception {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator, -1)) {
      if (entry.isEmpty()) continue;
      String e = entry.replace('\\', '/');
      if (e.contains("/io/lettuce/")
          || e.contains("/io/netty/")
          || e.contains("/io/projectreactor/")
          || e.contains("/redis/clients/")
          || e.contains("/org/reactivestreams/")) {
        continue;
      }
      urls.add(Path.of(entry).toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  @Test
  void withoutLettuceTheCoreWorksAndTheBackplaneNamesTheMissingDependency() throws Exception {
    try (URLClassLoader loader = withoutLettuce()) {
      assertThrows(
          ClassNotFoundException.class, () -> Class.forName("io.lettuce.core.RedisClient", false, loader));

      // the core: a store, made and used with Lettuce absent
      for (String type : new String[] {"datastar.wow.deacon.AtomStore", "datastar.wow.deacon.CaffeineStore"}) {
        Object builder = Class.forName(type, true, loader).getMethod("builder").invoke(null);
        Object store = builder.getClass().getMethod("build").invoke(builder);
        store.getClass().getMethod("store", Object.class, Object.class).invoke(store, "k", "conn");
        assertEquals("conn", store.getClass().getMethod("connection", Object.class).invoke(store, "k"));
      }

      // the cluster, as an app meets it: a store built with cluster settings
      Class<?> settingsClass = Class.forName(ClusterSettings.class.getName(), true, loader);
      Object settingsBuilder =
          settingsClass.getMethod("builder", String.class).invoke(null, "redis://127.0.0.1:6379");
      Object settings = settingsBuilder.getClass().getMethod("build").invoke(settingsBuilder);
      Class<?> peersFactory = Class.forName("datastar.wow.deacon.Peers$Factory", true, loader);
      Object storeBuilder =
          Class.forName("datastar.wow.deacon.AtomStore", true, loader).getMethod("builder").invoke(null);
      Method cluster = storeBuilder.getClass().getMethod("cluster", peersFactory);
      cluster.invoke(storeBuilder, settings);
      Method build = storeBuilder.getClass().getMethod("build");
      InvocationTargetException e =
          assertThrows(InvocationTargetException.class, () -> build.invoke(storeBuilder));
      assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
      String message = e.getCause().getMessage();
      assertTrue(message.contains("io.lettuce:lettuce-core:" + LettuceDependency.VERSION), message);
      assertTrue(message.contains("io.lettuce.core.RedisClient"), message);
      assertTrue(message.contains(LettuceDependency.DEPS_EDN), message);
    }
  }

  @Test
  void noClassOutsideTheClusterPackageRefersToLettuce() throws Exception {
    Path classes =
        Path.of(Backplane.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String rel = classes.relativize(p).toString().replace('\\', '/');
        if (!rel.endsWith(".class") || rel.startsWith(CLUSTER)) continue;
        checked++;
        String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        if (bytes.contains("io/lettuce") || bytes.contains("io.lettuce")) offenders.add(rel);
      }
    }
    assertTrue(checked > 20, "looked at the core's classes (" + checked + ")");
    assertEquals(List.of(), offenders);
  }

  @Test
  void theMessageNamesThePomsVersion() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m = Pattern.compile("<lettuce\\.version>([^<]+)</lettuce\\.version>").matcher(pom);
    assertTrue(m.find(), "pom.xml has lettuce.version");
    assertEquals(m.group(1), LettuceDependency.VERSION, "the jar carries the pom's version");
    assertTrue(
        Pattern.compile(
                "<artifactId>lettuce-core</artifactId>\\s*<version>\\$\\{lettuce\\.version}</version>"
                    + "\\s*<optional>true</optional>")
            .matcher(pom)
            .find(),
        "Lettuce is an optional dependency");
    String deps = Files.readString(Path.of("deps.edn"));
    assertFalse(
        deps.substring(0, deps.indexOf(":aliases")).contains("lettuce"),
        "not a dependency of the library itself in deps.edn");
  }
}
