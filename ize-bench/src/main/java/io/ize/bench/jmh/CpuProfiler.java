package io.ize.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Reports CPU time beside JMH's wall-clock scores ({@code -prof io.ize.bench.jmh.CpuProfiler}): on
 * a machine shared with other work, wall-clock figures fall with the CPU share the benchmark got,
 * while CPU time per operation moves much less. Each iteration adds {@code ·cpu}, the score per CPU
 * second of the benchmark's own threads (throughput modes) or their CPU time per operation (time
 * modes), leaving out the JIT compiler and the collector; {@code ·jvm-cpu}, the same over every
 * thread of the benchmark JVM; and {@code ·cores}, the cores the JVM kept busy (its CPU time over
 * wall time).
 */
public final class CpuProfiler implements InternalProfiler {
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private Map<Long, Long> workersStart = Map.of();
  private long cpuStart;
  private long wallStart;

  @Override
  public String getDescription() {
    return "CPU time per operation of the benchmark threads and of the JVM, and cores used";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    wallStart = System.nanoTime();
    cpuStart = os.getProcessCpuTime();
    workersStart = workers();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH declares Collection<? extends Result>, Result raw
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    double jvmNanos = Math.max(1, os.getProcessCpuTime() - cpuStart);
    double wallNanos = Math.max(1, System.nanoTime() - wallStart);
    long workerNanos = 0;
    for (Map.Entry<Long, Long> worker : workers().entrySet()) {
      workerNanos += worker.getValue() - workersStart.getOrDefault(worker.getKey(), 0L);
    }
    double ops = result.getMetadata().getAllOps();
    String unit = result.getScoreUnit();
    return List.of(
        new ScalarResult(
            "cpu",
            perCpu(ops, Math.max(1, workerNanos), unit, benchmark),
            cpuUnit(unit),
            AggregationPolicy.AVG),
        new ScalarResult(
            "jvm-cpu",
            perCpu(ops, jvmNanos, unit, benchmark),
            cpuUnit(unit),
            AggregationPolicy.AVG),
        new ScalarResult("cores", jvmNanos / wallNanos, "cores", AggregationPolicy.AVG));
  }

  /** The CPU time of JMH's worker threads (named {@code ...-jmh-worker-N}), by thread id. */
  private Map<Long, Long> workers() {
    Map<Long, Long> cpu = new HashMap<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().contains("-jmh-worker-")) {
        long nanos = threads.getThreadCpuTime(thread.getId());
        if (nanos >= 0) {
          cpu.put(thread.getId(), nanos);
        }
      }
    }
    return cpu;
  }

  /** Operations per CPU second, or CPU time per operation, in the benchmark's time unit. */
  private static double perCpu(double ops, double cpuNanos, String unit, BenchmarkParams params) {
    double unitsPerSecond = TimeValue.seconds(1).convertTo(params.getTimeUnit());
    return unit.endsWith("/op")
        ? cpuNanos / ops / (1e9 / unitsPerSecond)
        : ops / (cpuNanos / 1e9) / unitsPerSecond;
  }

  private static String cpuUnit(String unit) {
    return unit.endsWith("/op") ? unit.replace("/op", " cpu/op") : unit.replace("/", "/cpu-");
  }
}
