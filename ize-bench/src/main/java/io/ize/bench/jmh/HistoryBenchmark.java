package io.ize.bench.jmh;

import io.ize.api.ChangeSet;
import io.ize.api.FileVersion;
import io.ize.api.LogEntry;
import io.ize.api.Point;
import io.ize.api.TreeEntry;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of the history queries on a store of {@value History#RECORDS} records ({@link History}),
 * in microseconds per query. Each query picks its path, page or point at random, so that no answer
 * is the same twice in a row; the store is warm in the page cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HistoryBenchmark {
  /** Records per log page, as {@code ize log} shows them. */
  private static final int PAGE = 100;

  /** A point at which every file is at its own name (see {@link History}). */
  private static final int ALIGNED = 1000;

  /** The records between the two points of a change set. */
  private static final int SPAN = 1000;

  @Param({"lmdb", "mapdb"})
  public String backend;

  private VersionStore store;
  private final SplittableRandom random = new SplittableRandom(7);

  @Setup(Level.Trial)
  public void open() throws IOException {
    store = History.open(backend);
    if (store.lastSequence() != History.RECORDS) {
      throw new IllegalStateException(
          "the history store " + store.directory() + " holds " + store.lastSequence() + " records");
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
  }

  /** A page of the whole log from a random record on. */
  @Benchmark
  public List<LogEntry> logPage() throws IOException {
    return store.log(random.nextInt(History.RECORDS - PAGE), PAGE, "", null, null);
  }

  /** A page of the log of one top directory (1% of the records) from a random record on. */
  @Benchmark
  public List<LogEntry> logPageByPrefix() throws IOException {
    String top = History.top(random.nextInt(History.TOPS));
    return store.log(random.nextInt(History.RECORDS / 2), PAGE, top, null, null);
  }

  /** The first page of the records of a one-second window at a random time. */
  @Benchmark
  public List<LogEntry> logPageByTime() throws IOException {
    Instant from = History.time(random.nextInt(History.RECORDS - 1000));
    return store.log(0, PAGE, "", from, from.plusSeconds(1));
  }

  /** Every version of a random file (about 50). */
  @Benchmark
  public List<FileVersion> versions() throws IOException {
    return store.versions(History.file(file()), Point.latest());
  }

  /** A top directory's subtree (10 directories, 200 files) at a random point. */
  @Benchmark
  public List<TreeEntry> subtree() throws IOException {
    return store.tree(Point.sequence(point()), History.top(random.nextInt(History.TOPS)));
  }

  /** A random file's bytes (1 to 4 KiB) at a random point. */
  @Benchmark
  public byte[] content() throws IOException {
    try (InputStream in = store.content(History.file(file()), Point.sequence(point()))) {
      return in.readAllBytes();
    }
  }

  /** What changed over 1,000 records from a random point. */
  @Benchmark
  public ChangeSet changes() throws IOException {
    long from = point();
    return store.changes(
        Point.sequence(from), Point.sequence(Math.min(from + SPAN, History.RECORDS)));
  }

  @Benchmark
  public long sequenceOfSnapshot() throws IOException {
    return store.sequenceOf(
        Point.snapshot("snap-" + (1 + random.nextInt(History.RECORDS / History.SNAPSHOT_EVERY))));
  }

  @Benchmark
  public long sequenceOfInstant() throws IOException {
    return store.sequenceOf(Point.time(History.time(1 + random.nextInt(History.RECORDS))));
  }

  private int file() {
    return random.nextInt(History.TOPS * History.SUBS * History.FILES);
  }

  /** A random point after the tree was made, at which every file is at its own name. */
  private long point() {
    int first = 100;
    return (long) ALIGNED * (first + random.nextInt(History.RECORDS / ALIGNED - first + 1));
  }
}
