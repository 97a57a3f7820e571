package datastar.wow.deacon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Read after the unit tests ran (Failsafe runs after Surefire): every test Surefire reports
 * skipped says why in the report, and the Lincheck model checking is skipped, outside {@code
 * -Plong}, with the reason that says how to run it.
 */
class SkipReasonsIT {
  private static final Path REPORTS = Path.of("target", "surefire-reports");

  /** One reported test: its class, name, and the skip's message ("" when none, null when run). */
  private record Reported(String className, String name, String skipped) {}

  private static List<Reported> reported() throws Exception {
    List<Reported> all = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(REPORTS)) {
      files = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList();
    } catch (IOException none) {
      files = List.of();
    }
    var factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    for (Path f : files) {
      NodeList cases = factory.newDocumentBuilder().parse(f.toFile()).getElementsByTagName("testcase");
      for (int i = 0; i < cases.getLength(); i++) {
        Element c = (Element) cases.item(i);
        NodeList skipped = c.getElementsByTagName("skipped");
        String message = skipped.getLength() == 0 ? null : ((Element) skipped.item(0)).getAttribute("message");
        all.add(new Reported(c.getAttribute("classname"), c.getAttribute("name"), message));
      }
    }
    return all;
  }

  @Test
  void everySkippedTestSaysWhy() throws Exception {
    List<Reported> all = reported();
    Assumptions.assumeFalse(all.isEmpty(), "no Surefire report in " + REPORTS + ": the unit tests did not run");
    List<Reported> silent =
        all.stream().filter(r -> r.skipped() != null && r.skipped().isBlank()).toList();
    assertEquals(List.of(), silent, "skipped with no reason in the report");
  }

  @Test
  void modelCheckingIsSkippedOutsideTheLongProfileSayingHowToRunIt() throws Exception {
    List<Reported> modelChecking =
        reported().stream()
            .filter(r -> r.className().endsWith("LinearizabilityTest") && r.name().equals("modelChecking"))
            .toList();
    Assumptions.assumeFalse(modelChecking.isEmpty(), "the Lincheck tests did not run in this build");
    assertEquals(4, modelChecking.size(), modelChecking::toString);
    for (Reported r : modelChecking) {
      if (Load.LONG) {
        assertNull(r.skipped(), r.className() + " runs under -Plong");
      } else if (LincheckSupport.unsupported(Runtime.version().feature()) == null) {
        assertEquals(LongRunOnly.REASON, r.skipped(), r.className());
        assertTrue(r.skipped().contains("-Plong"));
      } else {
        assertFalse(r.skipped().isBlank(), r.className() + ": Lincheck cannot run on this JDK, and says so");
      }
    }
  }
}
