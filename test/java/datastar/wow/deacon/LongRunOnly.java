package datastar.wow.deacon;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test only under the long profile ({@code mvn verify -Plong}, which sets {@code
 * -Ddeacon.long=true}). Elsewhere the test is disabled with its reason, which JUnit hands to
 * Surefire's report, and the reason is printed once per test, so that the build's {@code Skipped: 1}
 * says why beside it:
 *
 * <pre>{@code
 * @Test
 * @ExtendWith(LongRunOnly.class)
 * void modelChecking() { ... }
 * }</pre>
 */
final class LongRunOnly implements ExecutionCondition {
  /** The reason a test is skipped outside the long profile. */
  static final String REASON =
      "runs only in the long profile (minutes on two cores): mvn verify -Plong";

  private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

  private final boolean longRun;

  /** The condition of this run: {@link Load#LONG}. */
  LongRunOnly() {
    this(Load.LONG);
  }

  /**
   * @param longRun whether this run is the long one
   */
  LongRunOnly(boolean longRun) {
    this.longRun = longRun;
  }

  /**
   * @param test the name of the test, e.g. {@code AtomStoreLinearizabilityTest.modelChecking}
   * @return the line the build prints for that test skipped
   */
  static String skipped(String test) {
    return "Skipped " + test + ": " + REASON;
  }

  /**
   * @param longRun whether this run is the long one
   * @return enabled in the long run, else disabled with {@link #REASON}
   */
  static ConditionEvaluationResult evaluate(boolean longRun) {
    return longRun
        ? ConditionEvaluationResult.enabled("the long profile")
        : ConditionEvaluationResult.disabled(REASON);
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    ConditionEvaluationResult result = evaluate(longRun);
    if (result.isDisabled() && context.getTestMethod().isPresent()) {
      String test =
          context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
      if (TOLD.add(test)) System.out.println(skipped(test));
    }
    return result;
  }
}
