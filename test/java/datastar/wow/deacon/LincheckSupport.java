package datastar.wow.deacon;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.objectweb.asm.Opcodes;

/**
 * Runs the Lincheck tests only on a JDK whose class files Lincheck can read. Lincheck rewrites
 * the classes it loads, JDK classes included, with the ASM release it depends on; on a JDK newer
 * than that ASM knows, every class fails to transform with one error each (~160 lines of
 * "Unsupported class file major version") while the tests still pass, checking nothing. There
 * the tests are skipped instead, with one line saying why.
 */
final class LincheckSupport implements ExecutionCondition {
  private static final AtomicBoolean TOLD = new AtomicBoolean();

  /**
   * The newest Java release whose class files the ASM on the classpath reads.
   *
   * @return a feature release number, such as 25
   */
  static int newestReadable() {
    return Arrays.stream(Opcodes.class.getFields())
        .map(f -> f.getName())
        .filter(n -> n.matches("V\\d+"))
        .mapToInt(n -> Integer.parseInt(n.substring(1)))
        .max()
        .orElse(0);
  }

  /**
   * Why Lincheck cannot run on Java {@code feature}, or null when it can.
   *
   * @param feature a Java feature release number
   * @return the reason, or null
   */
  static String unsupported(int feature) {
    int newest = newestReadable();
    if (feature <= newest) return null;
    return "Lincheck tests skipped: Lincheck's ASM reads class files up to Java "
        + newest
        + ", this JVM is Java "
        + feature
        + " (a newer Lincheck may support it)";
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String reason = unsupported(Runtime.version().feature());
    if (reason == null) return ConditionEvaluationResult.enabled("Lincheck reads this JDK's classes");
    if (TOLD.compareAndSet(false, true)) System.out.println(reason);
    return ConditionEvaluationResult.disabled(reason);
  }
}
