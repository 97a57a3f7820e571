package datastar.wow.deacon;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the JUnit test classes named by its arguments and prints how many succeeded and failed;
 * exits 1 when any failed. {@link CoreAloneTest} runs it in a JVM of its own.
 */
public final class ContractRunner {
  private ContractRunner() {}

  public static void main(String[] args) throws Exception {
    LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
    for (String name : args) request.selectors(selectClass(Class.forName(name)));
    LauncherDiscoveryRequest built = request.build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(built, listener);
    TestExecutionSummary summary = listener.getSummary();
    for (TestExecutionSummary.Failure f : summary.getFailures()) {
      System.out.println("FAILED " + f.getTestIdentifier().getDisplayName() + ": " + f.getException());
    }
    System.out.println(
        "succeeded: " + summary.getTestsSucceededCount() + ", failed: " + summary.getTotalFailureCount());
    System.exit(summary.getTotalFailureCount() == 0 ? 0 : 1);
  }
}
