package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core stands on its own: the package {@code datastar.wow.deacon} compiles with neither the
 * cluster nor the Clojure glue beside it, and the store contract ({@link StoreContractTest}) passes
 * against that build, in a JVM whose classpath holds neither the library's other packages nor
 * Lettuce.
 */
class CoreAloneTest {
  private static final Path CORE = Path.of("src", "java", "datastar", "wow", "deacon");

  /** This JVM's classpath without the library's own classes and without Lettuce and its kin. */
  private static List<String> dependencies() {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> out = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator, -1)) {
      String e = entry.replace('\\', '/');
      if (e.isEmpty() || e.endsWith("target/classes") || e.endsWith("target/classes/")) continue;
      if (e.contains("/io/lettuce/") || e.contains("/io/netty/") || e.contains("/io/projectreactor/")
          || e.contains("/org/reactivestreams/") || e.contains("/redis/clients/")) {
        continue;
      }
      out.add(entry);
    }
    return out;
  }

  @Test
  void theCoreCompilesAloneAndTheStoreContractPassesAgainstIt(@TempDir Path dir) throws Exception {
    Path classes = dir.resolve("core");
    List<String> sources;
    try (Stream<Path> files = Files.list(CORE)) {
      sources =
          files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().collect(Collectors.toList());
    }
    List<String> deps = dependencies();
    List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "--release", "11", "-proc:none", "-Xlint:none"));
    args.add("-cp");
    args.add(deps.stream().filter(d -> !d.contains("test-classes")).collect(Collectors.joining(File.pathSeparator)));
    args.addAll(sources);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    int compiled = javac.run(null, null, new java.io.PrintStream(new WriterStream(errors), true, StandardCharsets.UTF_8), args.toArray(new String[0]));
    assertEquals(0, compiled, "the core compiles on its own: " + errors);
    assertTrue(Files.exists(classes.resolve("datastar/wow/deacon/AtomStore.class")));
    assertTrue(Files.notExists(classes.resolve("datastar/wow/deacon/cluster")), "nothing of the cluster");

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    List<String> runtime = new ArrayList<>();
    runtime.add(classes.toString());
    runtime.addAll(deps);
    command.add(String.join(File.pathSeparator, runtime));
    command.add(ContractRunner.class.getName());
    command.add(StoreContractTest.class.getName());
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(5, TimeUnit.MINUTES));
    assertEquals(0, child.exitValue(), out);
    assertTrue(out.contains("failed: 0"), out);
    assertTrue(out.matches("(?s).*succeeded: [1-9][0-9]+.*"), out);
  }

  /** An {@link java.io.OutputStream} into a {@link StringWriter}, for javac's diagnostics. */
  private static final class WriterStream extends java.io.OutputStream {
    private final StringWriter to;

    WriterStream(StringWriter to) {
      this.to = to;
    }

    @Override
    public void write(int b) throws IOException {
      to.write(b);
    }
  }
}
