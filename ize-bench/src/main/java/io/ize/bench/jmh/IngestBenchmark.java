package io.ize.bench.jmh;

import io.ize.api.Chunk;
import io.ize.api.Chunker;
import io.ize.api.Event;
import io.ize.api.Manifest;
import io.ize.api.NodeState;
import io.ize.api.Operation;
import io.ize.api.VersionStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Content ingest in MiB per second (one operation is one MiB): a 64 MiB file chunked, hashed and
 * stored as the recorder does, its chunks appended in transactions of about 4 MiB and then the
 * record naming them. Each iteration starts from an empty store, so a store's size stays bounded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IngestBenchmark {
  /** The recorder's chunk batch: a chunks event carries about this much. */
  private static final long BATCH_BYTES = 4 << 20;

  @Param({"lmdb", "mapdb"})
  public String backend;

  @Param({"random", "repeats"})
  public String data;

  private Content content;
  private VersionStore store;
  private long files;

  @Setup(Level.Trial)
  public void generate() {
    content = new Content(data);
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    store = Stores.fresh(backend, "ingest");
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException {
    store.close();
    Stores.delete(store.directory());
  }

  @Setup(Level.Invocation)
  public void renew() {
    content.renew();
  }

  @Benchmark
  @OperationsPerInvocation(Content.SIZE_MIB)
  public long ingest() throws IOException {
    Manifest manifest = new Manifest();
    List<Chunk> batch = new ArrayList<>();
    long[] batchBytes = {0};
    Chunker.split(
        new ByteArrayInputStream(content.bytes()),
        chunk -> {
          manifest.add(chunk);
          batch.add(chunk);
          batchBytes[0] += chunk.data().length;
          if (batchBytes[0] >= BATCH_BYTES) {
            store.append(List.of(Event.chunks(batch)));
            batch.clear();
            batchBytes[0] = 0;
          }
        });
    long t = System.currentTimeMillis() * 1_000_000L;
    NodeState state =
        Stores.state(NodeState.S_IFREG | 0644, 0, t).withContent(manifest.id(), manifest.size());
    byte[] path = ("f" + files++).getBytes(StandardCharsets.US_ASCII);
    return store.append(
        List.of(
            Event.chunks(batch),
            Event.content(Operation.WRITE, t, path, state, manifest, List.of())));
  }
}
