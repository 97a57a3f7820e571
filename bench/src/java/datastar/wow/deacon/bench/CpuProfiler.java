package datastar.wow.deacon.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Collections;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time of the benchmark's JVM per operation ({@code -prof
 * datastar.wow.deacon.bench.CpuProfiler}), reported as {@code cpu.time.norm}: the process's CPU
 * time over each iteration divided by the operations done in it. On a machine shared with other
 * work, wall-clock time per operation grows with the time the thread waits for a core; CPU time
 * does not. It counts every thread of the JVM: the benchmark's, the collector's (the cost of what
 * the operation allocates), and a cache's maintenance handed to a pool; JIT compilation, done by the
 * end of warm-up, adds little.
 */
public final class CpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long start;

  @Override
  public String getDescription() {
    return "process CPU time per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    start = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    long cpu = os.getProcessCpuTime() - start;
    long ops = result.getMetadata().getAllOps();
    if (ops <= 0 || cpu < 0) return Collections.emptyList();
    double perOp = (double) cpu / ops;
    String unit = "ns/op";
    switch (benchmark.getTimeUnit()) {
      case MICROSECONDS:
        perOp /= 1e3;
        unit = "us/op";
        break;
      case MILLISECONDS:
        perOp /= 1e6;
        unit = "ms/op";
        break;
      default:
        break;
    }
    return Collections.singletonList(
        new ScalarResult("cpu.time.norm", perOp, unit, AggregationPolicy.AVG));
  }
}
