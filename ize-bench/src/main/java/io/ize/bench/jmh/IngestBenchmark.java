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
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
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
 * stored as the recorder does for a file above its deferred-read size. The benchmark thread plays
 * the FUSE thread that captures: it chunks and hashes, queueing an event of chunks every 4 MiB on a
 * queue bounded as the recorder's (64 MiB); a second thread plays the recorder's writer, appending
 * everything queued in one transaction per commit, so that hashing goes on while a commit is made
 * durable. An operation ends once the record naming the file is committed. Each iteration starts
 * from an empty store, so a store's size stays bounded.
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

  /** The recorder's default queue (64 MiB) in chunk batches. */
  private static final int QUEUED_BATCHES = 16;

  @Param({"lmdb", "mapdb"})
  public String backend;

  @Param({"random", "repeats"})
  public String data;

  private Content content;
  private VersionStore store;
  private long files;
  private BlockingQueue<Queued> queue;
  private Thread writer;

  /** An event on its way to the writer; {@code committed} is completed for a file's record. */
  private record Queued(Event event, CompletableFuture<Long> committed) {}

  @Setup(Level.Trial)
  public void generate() {
    content = new Content(data);
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    store = Stores.fresh(backend, "ingest");
    queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
    writer = new Thread(this::commitUntilInterrupted, "ingest-writer");
    writer.start();
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException, InterruptedException {
    writer.interrupt();
    writer.join();
    store.close();
    Stores.delete(store.directory());
  }

  @Setup(Level.Invocation)
  public void renew() {
    content.renew();
  }

  @Benchmark
  @OperationsPerInvocation(Content.SIZE_MIB)
  public long ingest() throws Exception {
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
            enqueue(Event.chunks(batch), null);
            batch.clear();
            batchBytes[0] = 0;
          }
        });
    long t = System.currentTimeMillis() * 1_000_000L;
    NodeState state =
        Stores.state(NodeState.S_IFREG | 0644, 0, t).withContent(manifest.id(), manifest.size());
    byte[] path = ("f" + files++).getBytes(StandardCharsets.US_ASCII);
    enqueue(Event.chunks(batch), null);
    CompletableFuture<Long> committed = new CompletableFuture<>();
    enqueue(Event.content(Operation.WRITE, t, path, state, manifest, List.of()), committed);
    return committed.get();
  }

  private void enqueue(Event event, CompletableFuture<Long> committed) throws IOException {
    try {
      queue.put(new Queued(event, committed));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted queueing an event");
    }
  }

  /** The writer: after a failed commit it only drains the queue, failing each file's wait. */
  private void commitUntilInterrupted() {
    List<Queued> taken = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    Exception failure = null;
    try {
      while (true) {
        taken.add(queue.take());
        queue.drainTo(taken);
        long sequence = 0;
        if (failure == null) {
          taken.forEach(queued -> events.add(queued.event()));
          try {
            sequence = store.append(events);
          } catch (IOException | RuntimeException e) {
            failure = e;
          }
        }
        for (Queued queued : taken) {
          if (queued.committed() == null) {
            continue;
          }
          if (failure == null) {
            queued.committed().complete(sequence);
          } else {
            queued.committed().completeExceptionally(failure);
          }
        }
        taken.clear();
        events.clear();
      }
    } catch (InterruptedException e) {
      // the iteration is over
    }
  }
}
