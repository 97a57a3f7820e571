package datastar.wow.deacon;

import clojure.java.api.Clojure;
import clojure.lang.IFn;
import clojure.lang.ILookup;
import clojure.lang.Keyword;
import clojure.lang.Symbol;
import clojure.lang.Var;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * Runs every clojure.test namespace under {@code test/clj} (files ending in {@code _test.clj}),
 * one JUnit test per {@code deftest}, so that Maven's Surefire counts and reports them.
 */
class ClojureTests {
  private static final Path ROOT = Path.of("test", "clj");

  static {
    Clojure.var("clojure.core", "require").invoke(Clojure.read("datastar.wow.deacon.test.junit"));
  }

  private static final IFn TEST_VARS = Clojure.var("datastar.wow.deacon.test.junit", "test-vars");
  private static final IFn RUN = Clojure.var("datastar.wow.deacon.test.junit", "run");

  @TestFactory
  Stream<DynamicNode> clojureTests() throws IOException {
    List<String> namespaces;
    try (Stream<Path> files = Files.walk(ROOT)) {
      namespaces =
          files
              .filter(p -> p.toString().endsWith("_test.clj"))
              .map(ClojureTests::namespaceOf)
              .sorted()
              .collect(Collectors.toList());
    }
    return namespaces.stream().map(ClojureTests::container);
  }

  private static String namespaceOf(Path file) {
    String relative = ROOT.relativize(file).toString();
    return relative.substring(0, relative.length() - ".clj".length()).replace('/', '.').replace('_', '-');
  }

  private static DynamicNode container(String ns) {
    List<?> vars = (List<?>) TEST_VARS.invoke(Symbol.intern(ns));
    return DynamicContainer.dynamicContainer(
        ns, vars.stream().map(v -> test((Var) v)).collect(Collectors.toList()));
  }

  private static DynamicNode test(Var v) {
    return DynamicTest.dynamicTest(v.sym.getName(), () -> run(v));
  }

  private static void run(Var v) {
    Object problems = RUN.invoke(v);
    if (problems == null) return;
    ILookup p = (ILookup) problems;
    String report = (String) p.valAt(Keyword.intern("report"));
    Throwable cause = (Throwable) p.valAt(Keyword.intern("cause"));
    throw new AssertionFailedError(v.ns.name + "/" + v.sym + "\n" + report, cause);
  }
}
