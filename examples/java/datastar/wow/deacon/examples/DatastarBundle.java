package datastar.wow.deacon.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Datastar's browser script for the browser tests that need the real thing, from a file on this
 * machine: {@code -Ddeacon.datastar.bundle=/path/to/datastar.js} (Maven passes it to Failsafe) or
 * {@code DATASTAR_BUNDLE}. The build cannot download it (Datastar 1.0 is published to neither Maven
 * Central nor npm), and the project does not carry another project's code; the tests that need it
 * say so when skipped.
 */
final class DatastarBundle {
  private DatastarBundle() {}

  /** Why a test that needs the script is skipped without one. */
  static final String MISSING =
      "no Datastar 1.0 bundle given (-Ddeacon.datastar.bundle=/path/to/datastar.js or DATASTAR_BUNDLE;"
          + " the build cannot download it): skipped";

  /** @return the script's file, when one is given and exists */
  static Optional<Path> file() {
    String given = System.getProperty("deacon.datastar.bundle");
    if (given == null || given.isBlank()) given = System.getenv("DATASTAR_BUNDLE");
    if (given == null || given.isBlank()) return Optional.empty();
    Path file = Path.of(given);
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /**
   * @param file a file {@link #file} gave
   * @return its first line, e.g. {@code // Datastar v1.0.2}
   * @throws java.io.IOException when it cannot be read
   */
  static String version(Path file) throws java.io.IOException {
    try (var lines = Files.lines(file)) {
      return lines.findFirst().orElse("");
    }
  }
}
