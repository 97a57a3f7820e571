package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every dependency version is written once, in pom.xml; deps.edn and the benchmarks' pom repeat
 * some, and the documentation names Lettuce's: they must say what the pom says.
 */
class DependencyVersionsTest {
  /** Property of pom.xml, and the coordinates whose version it is. */
  private static final Map<String, String> PROPERTIES =
      Map.of(
          "clojure.version", "org.clojure/clojure",
          "caffeine.version", "com.github.ben-manes.caffeine/caffeine",
          "lettuce.version", "io.lettuce/lettuce-core");

  private static String read(String path) throws IOException {
    return Files.readString(Path.of(path));
  }

  private static String pomProperty(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
    assertTrue(m.find(), "pom.xml has " + name);
    return m.group(1);
  }

  @Test
  void depsEdnNamesThePomsVersions() throws IOException {
    String pom = read("pom.xml");
    String deps = read("deps.edn");
    for (Map.Entry<String, String> p : PROPERTIES.entrySet()) {
      String version = pomProperty(pom, p.getKey());
      Pattern named =
          Pattern.compile(
              Pattern.quote(p.getValue()) + "\\s+\\{:mvn/version \"" + Pattern.quote(version) + "\"}");
      assertTrue(named.matcher(deps).find(), "deps.edn names " + p.getValue() + " " + version);
    }
  }

  @Test
  void theBenchmarksUseThePomsVersions() throws IOException {
    String pom = read("pom.xml");
    String bench = read("bench/pom.xml");
    for (String property : List.of("clojure.version", "caffeine.version")) {
      assertEquals(pomProperty(pom, property), pomProperty(bench, property), property);
    }
    assertEquals(pomProperty(pom, "lettuce.version"), pomProperty(bench, "lettuce.version"));
    assertTrue(bench.contains("<version>${lettuce.version}</version>"), "bench/pom.xml uses its property");
  }

  @Test
  void theDocumentationNamesThePomsLettuce() throws IOException {
    String version = pomProperty(read("pom.xml"), "lettuce.version");
    List<String> files = new ArrayList<>(List.of("README.md"));
    try (var docs = Files.list(Path.of("doc"))) {
      docs.filter(f -> f.toString().endsWith(".md")).forEach(f -> files.add(f.toString()));
    }
    int mentions = 0;
    for (String file : files) {
      Matcher m = Pattern.compile("lettuce-core[^0-9\\n]{0,20}?(\\d+\\.\\d+\\.\\d+[.\\w-]*)").matcher(read(file));
      while (m.find()) {
        mentions++;
        assertEquals(version, m.group(1), file + " names Lettuce " + m.group(1));
      }
    }
    assertTrue(mentions > 0, "the documentation says which Lettuce to add");
    assertFalse(version.isBlank());
  }
}
