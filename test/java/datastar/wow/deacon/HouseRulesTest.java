package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.InstanceOfTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure of the library's Java sources, read from their syntax trees: one direction of
 * dependency between packages, stores met through interfaces and not their classes, and methods
 * short enough to read.
 *
 * <table>
 *   <caption>Packages and what they may use</caption>
 *   <tr><th>package</th><th>may use</th></tr>
 *   <tr><td>{@code datastar.wow.deacon} (the core)</td><td>no other package of the library, no
 *       Lettuce</td></tr>
 *   <tr><td>{@code datastar.wow.deacon.cluster}</td><td>the core</td></tr>
 *   <tr><td>{@code datastar.wow.deacon.impl} (the Clojure glue)</td><td>the core and the
 *       cluster</td></tr>
 * </table>
 */
class HouseRulesTest {
  private static final Path SRC = Path.of("src", "java");
  private static final int MAX_LINES = 60;
  private static final int MAX_PARAMETERS = 4;
  private static final Set<String> STORE_CLASSES = Set.of("AtomStore", "CaffeineStore", "BaseStore");

  private static List<CompilationUnitTree> units;
  private static SourcePositions positions;

  @BeforeAll
  static void parse() throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SRC)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager fm = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    Iterable<? extends JavaFileObject> sources = fm.getJavaFileObjectsFromPaths(files);
    JavacTask task = (JavacTask) compiler.getTask(null, fm, null, List.of("-proc:none"), null, sources);
    units = new ArrayList<>();
    for (CompilationUnitTree unit : task.parse()) units.add(unit);
    positions = Trees.instance(task).getSourcePositions();
    assertTrue(units.size() > 40, "read the library's sources: " + units.size());
  }

  private static String packageOf(CompilationUnitTree unit) {
    return unit.getPackageName() == null ? "" : unit.getPackageName().toString();
  }

  private static String file(CompilationUnitTree unit) {
    return SRC.toAbsolutePath().relativize(Path.of(unit.getSourceFile().toUri())).toString();
  }

  /** Every package name a unit refers to: its imports and its fully qualified names. */
  private static List<String> references(CompilationUnitTree unit) {
    List<String> names = new ArrayList<>();
    for (ImportTree i : unit.getImports()) names.add(i.getQualifiedIdentifier().toString());
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void unused) {
        names.add(node.toString());
        return super.visitMemberSelect(node, null);
      }
    }.scan(unit, null);
    return names;
  }

  private static List<String> offenders(String pkg, List<String> forbidden) {
    List<String> out = new ArrayList<>();
    for (CompilationUnitTree unit : units) {
      if (!packageOf(unit).equals(pkg)) continue;
      for (String name : references(unit)) {
        for (String f : forbidden) if (name.startsWith(f)) out.add(file(unit) + ": " + name);
      }
    }
    return out;
  }

  @Test
  void theCoreDependsOnNoOtherPackageOfTheLibrary() {
    assertEquals(
        List.of(),
        offenders(
            "datastar.wow.deacon",
            List.of("datastar.wow.deacon.cluster", "datastar.wow.deacon.impl", "io.lettuce")));
  }

  @Test
  void theClusterDependsOnTheCoreOnly() {
    assertEquals(List.of(), offenders("datastar.wow.deacon.cluster", List.of("datastar.wow.deacon.impl")));
  }

  @Test
  void noCodeChecksTheClassOfAStore() throws IOException {
    List<String> checks = new ArrayList<>();
    for (CompilationUnitTree unit : units) {
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitInstanceOf(InstanceOfTree node, Void unused) {
          String type = node.getType() == null ? "" : node.getType().toString();
          if (STORE_CLASSES.contains(type.substring(type.lastIndexOf('.') + 1))) {
            checks.add(file(unit) + ": " + node);
          }
          return super.visitInstanceOf(node, null);
        }
      }.scan(unit, null);
    }
    Matcher clj =
        Pattern.compile("\\(instance\\?\\s+(\\S*(AtomStore|CaffeineStore|ConnectionStore|BaseStore))")
            .matcher(Files.readString(Path.of("src/clj/datastar/wow/deacon.clj")));
    while (clj.find()) checks.add("deacon.clj: " + clj.group());
    assertEquals(List.of(), checks, "stores are met through ConnectionStore and its policy");
  }

  @Test
  void methodsAreShortAndTakeFewParameters() {
    List<String> long_ = new ArrayList<>();
    for (CompilationUnitTree unit : units) {
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethod(MethodTree node, Void unused) {
          if (node.getBody() != null) {
            long start = unit.getLineMap().getLineNumber(positions.getStartPosition(unit, node.getBody()));
            long end = unit.getLineMap().getLineNumber(positions.getEndPosition(unit, node.getBody()));
            String where = file(unit) + ": " + node.getName() + " at line " + start;
            if (end - start + 1 > MAX_LINES) long_.add(where + " has " + (end - start + 1) + " lines");
          }
          if (node.getParameters().size() > MAX_PARAMETERS) {
            long_.add(file(unit) + ": " + node.getName() + " takes " + node.getParameters().size() + " parameters");
          }
          return super.visitMethod(node, null);
        }
      }.scan(unit, null);
    }
    assertEquals(List.of(), long_, "at most " + MAX_LINES + " lines and " + MAX_PARAMETERS + " parameters");
  }
}
