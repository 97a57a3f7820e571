package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the Lincheck tests run: on every JDK the build supports, and not past Lincheck's ASM. */
class LincheckSupportTest {
  @Test
  void runsOnTheJdksTheBuildSupports() {
    assertTrue(LincheckSupport.newestReadable() >= 25, "Lincheck's ASM reads JDK 25 classes");
    assertNull(LincheckSupport.unsupported(17));
    assertNull(LincheckSupport.unsupported(25));
    assertNull(LincheckSupport.unsupported(Runtime.version().feature()), "this JDK");
  }

  @Test
  void saysWhyOnANewerJdk() {
    int newer = LincheckSupport.newestReadable() + 1;
    assertEquals(
        "Lincheck tests skipped: Lincheck's ASM reads class files up to Java "
            + (newer - 1)
            + ", this JVM is Java "
            + newer
            + " (a newer Lincheck may support it)",
        LincheckSupport.unsupported(newer));
  }
}
