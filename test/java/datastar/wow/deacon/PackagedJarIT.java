package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar {@code mvn package} built, as a user gets it: its entries and manifest, and a smoke run
 * in a fresh JVM whose classpath is that jar and the runtime dependencies only (no target/classes,
 * no test classes).
 */
class PackagedJarIT {
  private static final Path JAR = Path.of(required("deacon.jar"));
  private static final String RUNTIME = required("deacon.runtime.classpath");

  private static String required(String property) {
    String value = System.getProperty(property);
    assertNotNull(value, property + " is set by the pom's failsafe configuration");
    return value;
  }

  @Test
  void theJarHoldsClassesClojureSourcesTheLicenceAndAModuleName() throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " exists");
    try (JarFile jar = new JarFile(JAR.toFile())) {
      for (String entry :
          List.of(
              "datastar/wow/deacon/Deacon.class",
              "datastar/wow/deacon/AtomStore.class",
              "datastar/wow/deacon/CaffeineStore.class",
              "datastar/wow/deacon.clj",
              "datastar/wow/deacon/protocols.clj",
              "datastar/wow/deacon/cluster/Backplane.class",
              "META-INF/LICENSE")) {
        assertNotNull(jar.getEntry(entry), entry);
      }
      assertFalse(
          jar.stream().anyMatch(e -> e.getName().contains("examples") || e.getName().endsWith("_test.clj")),
          "no examples or tests in the jar");
      assertEquals(
          "datastar.wow.deacon",
          jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
    }
  }

  @Test
  void aFreshJvmUsesTheJarFromClojureAndFromJava() throws Exception {
    String script =
        """
        (require '[datastar.wow.deacon :as d*conn])
        ;; Clojure API
        (def s (d*conn/store {:type :caffeine :maximum-size 10}))
        (d*conn/store! s (d*conn/scoped-key :ann :counter) :stream)
        (println :clojure (d*conn/connection s [:ann :counter]) (vec (d*conn/list-keys s [:* :counter])))
        ;; the registry is a defn, as datastar.wow requires
        (println :registry (fn? d*conn/registry) (count (:datastar.wow/interceptors (d*conn/registry s))))
        ;; Java API, through the same jar
        (let [a (.build (datastar.wow.deacon.AtomStore/builder))]
          (.store a (datastar.wow.deacon.Deacon/scopedKey "bob" :counter) "sse")
          (println :java (.connection a ["bob" :counter]) (.count a)))
        (println :from (.getPath (.getLocation (.getCodeSource (.getProtectionDomain datastar.wow.deacon.Deacon)))))
        ;; bad input names the option
        (println :error (try (d*conn/store {:type :caffeine :maximum-size -1}) (catch Exception e (ex-message e))))
        """;
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(JAR + File.pathSeparator + RUNTIME);
    command.add("clojure.main");
    command.add("-e");
    command.add(script);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the smoke run ends");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains(":clojure :stream [[:ann :counter]]"), out);
    assertTrue(out.contains(":registry true 1"), out);
    assertTrue(out.contains(":java sse 1"), out);
    assertTrue(out.contains(":from " + JAR.toAbsolutePath().toUri().getPath()), "classes come from the jar: " + out);
    assertTrue(out.contains(":error ") && out.contains("maximum-size") && out.contains("-1"), out);
  }
}
