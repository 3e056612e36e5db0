package io.ize.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Reports the benchmark JVM's CPU time beside JMH's wall-clock scores ({@code -prof
 * io.ize.bench.jmh.CpuProfiler}): on a machine shared with other work, wall-clock figures fall with
 * the CPU share the benchmark got, while CPU time per operation does not. Each iteration adds
 * {@code ·cpu}, the score per CPU second (throughput modes) or CPU time per operation (time modes),
 * and {@code ·cores}, the cores the JVM kept busy (CPU time over wall time).
 */
public final class CpuProfiler implements InternalProfiler {
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long cpuStart;
  private long wallStart;

  @Override
  public String getDescription() {
    return "process CPU time per operation, and cores used";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    wallStart = System.nanoTime();
    cpuStart = os.getProcessCpuTime();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH declares Collection<? extends Result>, Result raw
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    double cpuNanos = Math.max(1, os.getProcessCpuTime() - cpuStart);
    double wallNanos = Math.max(1, System.nanoTime() - wallStart);
    double ops = result.getMetadata().getAllOps();
    String unit = result.getScoreUnit();
    double perUnit = TimeValue.seconds(1).convertTo(benchmark.getTimeUnit());
    double cpu;
    if (unit.endsWith("/op")) {
      cpu = cpuNanos / ops / (1e9 / perUnit);
      unit = unit.replace("/op", " cpu/op");
    } else {
      cpu = ops / (cpuNanos / 1e9) / perUnit;
      unit = unit.replace("/", "/cpu-");
    }
    return List.of(
        new ScalarResult("cpu", cpu, unit, AggregationPolicy.AVG),
        new ScalarResult("cores", cpuNanos / wallNanos, "cores", AggregationPolicy.AVG));
  }
}
