package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** A test marked {@link LongRunOnly} runs under -Plong, and is skipped elsewhere saying how to run it. */
class LongRunOnlyTest {
  @Test
  void skippedOutsideTheLongProfileWithItsReason() {
    ConditionEvaluationResult outside = LongRunOnly.evaluate(false);
    assertTrue(outside.isDisabled());
    assertEquals(Optional.of(LongRunOnly.REASON), outside.getReason());
    assertTrue(LongRunOnly.REASON.endsWith("mvn verify -Plong"), LongRunOnly.REASON);
    assertEquals(
        "Skipped AtomStoreLinearizabilityTest.modelChecking: " + LongRunOnly.REASON,
        LongRunOnly.skipped("AtomStoreLinearizabilityTest.modelChecking"));
  }

  @Test
  void runsInTheLongProfile() {
    assertFalse(LongRunOnly.evaluate(true).isDisabled());
  }
}
