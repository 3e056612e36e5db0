package io.ize.bench.jmh;

import io.ize.api.Event;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recording throughput in records per second: small metadata events ({@link MetadataEvents})
 * appended as the mount's recorder does, one durable transaction per group-commit batch. The
 * recorder commits whatever queued while the previous commit ran (at most 50,000 events), so the
 * batch size follows the load: 1 is a lone change on an idle mount, thousands a busy one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RecorderBenchmark {
  @Param({"lmdb", "mapdb"})
  public String backend;

  private VersionStore store;
  private MetadataEvents events;

  @Setup(Level.Trial)
  public void open() throws IOException {
    store = Stores.fresh(backend, "recorder");
    events = new MetadataEvents(System.currentTimeMillis() * 1_000_000L);
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    Stores.delete(store.directory());
  }

  @Benchmark
  public long batchOf1() throws IOException {
    return append(1);
  }

  @Benchmark
  @OperationsPerInvocation(100)
  public long batchOf100() throws IOException {
    return append(100);
  }

  @Benchmark
  @OperationsPerInvocation(1000)
  public long batchOf1000() throws IOException {
    return append(1000);
  }

  @Benchmark
  @OperationsPerInvocation(10000)
  public long batchOf10000() throws IOException {
    return append(10000);
  }

  private long append(int size) throws IOException {
    List<Event> batch = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      batch.add(events.next());
    }
    return store.append(batch);
  }
}
