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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A store holding {@value #RECORDS} records of a tree's history, built once per backend and kept
 * under {@link Stores#BASE} with a marker file, so later runs reuse it.
 *
 * <p>The tree: 100 top directories {@code p00..p99}, each with 10 subdirectories {@code s0..s9} of
 * 20 files {@code f00..f19} (20,000 files). First every directory and file is made and written;
 * then, until the last record, each step picks a random file and writes new content (1 to 4 KiB)
 * 30% of the time, chmods it 30%, utimens it 30%, or renames it to {@code NAME.bak} and back (two
 * records) 10%. Record {@code n} is stamped {@code START + n} milliseconds, and snapshot {@code
 * snap-K} labels record {@code K * 100,000}. A rename pair never straddles a multiple of 1,000, so
 * at those points every file is at its own name.
 */
final class History {
  static final int RECORDS = 1_000_000;
  static final int TOPS = 100;
  static final int SUBS = 10;
  static final int FILES = 20;
  static final int SNAPSHOT_EVERY = 100_000;
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** Change this when the workload changes, so that an old store is not reused. */
  private static final String VERSION = "v1";

  private static final long STEP_NANOS = 1_000_000;
  private static final int BATCH = 10_000;
  private static final byte[] BAK = ".bak".getBytes(StandardCharsets.US_ASCII);

  private final VersionStore store;
  private final SplittableRandom random = new SplittableRandom(0x1ce);
  private final byte[] pool = new byte[64 * 1024];
  private final int[] modes = new int[TOPS * SUBS * FILES];
  private final List<Event> batch = new ArrayList<>();
  private long sequence;

  private History(VersionStore store) {
    this.store = store;
    random.nextBytes(pool);
  }

  /** The history store of {@code backend}, built first if no complete one is there. */
  static VersionStore open(String backend) throws IOException {
    Path directory = Stores.BASE.resolve("history-" + VERSION + "-" + backend);
    Path marker = Stores.BASE.resolve("history-" + VERSION + "-" + backend + ".complete");
    if (Files.exists(marker)) {
      return Stores.open(backend, directory);
    }
    Stores.delete(directory);
    VersionStore store = Stores.open(backend, directory);
    try {
      long began = System.nanoTime();
      new History(store).build();
      Files.writeString(marker, RECORDS + " records\n");
      System.out.printf(
          "built the %s history store (%,d records) in %.1f s%n",
          backend, RECORDS, (System.nanoTime() - began) / 1e9);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** The path of file {@code i}, such as {@code p42/s3/f07}. */
  static String file(int i) {
    return String.format("p%02d/s%d/f%02d", i / (SUBS * FILES), i / FILES % SUBS, i % FILES);
  }

  static String top(int i) {
    return String.format("p%02d", i);
  }

  /** The time of record {@code sequence}. */
  static Instant time(long sequence) {
    return START.plusMillis(sequence);
  }

  private void build() throws IOException {
    for (int t = 0; t < TOPS; t++) {
      add(Operation.MKDIR, bytes(top(t)), null, NodeState.S_IFDIR | 0755);
      for (int s = 0; s < SUBS; s++) {
        add(Operation.MKDIR, bytes(top(t) + "/s" + s), null, NodeState.S_IFDIR | 0755);
      }
    }
    for (int i = 0; i < modes.length; i++) {
      modes[i] = NodeState.S_IFREG | 0644;
      add(Operation.CREATE, bytes(file(i)), null, modes[i]);
      write(i);
    }
    while (sequence < RECORDS) {
      int i = random.nextInt(modes.length);
      int pick = random.nextInt(10);
      boolean pairFits = (sequence + 1) % 1000 != 0 && sequence + 2 <= RECORDS;
      if (pick < 3) {
        write(i);
      } else if (pick < 6 || (pick == 9 && !pairFits)) {
        modes[i] ^= 0022;
        add(Operation.CHMOD, bytes(file(i)), null, modes[i]);
      } else if (pick < 9) {
        add(Operation.UTIMENS, bytes(file(i)), null, modes[i]);
      } else {
        byte[] path = bytes(file(i));
        byte[] bak = concat(path, BAK);
        add(Operation.RENAME, path, bak, modes[i]);
        add(Operation.RENAME, bak, path, modes[i]);
      }
    }
    flush();
  }

  /** New content for file {@code i}: a slice of the pool, stamped so that it is new. */
  private void write(int i) throws IOException {
    byte[] data = new byte[1024 + random.nextInt(3 * 1024)];
    int from = random.nextInt(pool.length - data.length);
    System.arraycopy(pool, from, data, 0, data.length);
    for (int b = 0; b < 8; b++) {
      data[b] = (byte) (sequence >>> (8 * b));
    }
    Manifest manifest = new Manifest();
    List<Chunk> chunks = new ArrayList<>();
    Chunker.split(
        new ByteArrayInputStream(data),
        chunk -> {
          manifest.add(chunk);
          chunks.add(chunk);
        });
    batch.add(Event.chunks(chunks));
    long t = nanos(sequence + 1);
    NodeState state = Stores.state(modes[i], 0, t).withContent(manifest.id(), manifest.size());
    record(Event.content(Operation.WRITE, t, bytes(file(i)), state, manifest, List.of()));
  }

  private void add(Operation operation, byte[] path, byte[] target, int mode) throws IOException {
    long t = nanos(sequence + 1);
    NodeState state = Stores.state(mode, 0, t);
    record(Event.change(operation, t, path, target, 0, state, List.of()));
  }

  private void record(Event event) throws IOException {
    batch.add(event);
    sequence++;
    if (sequence % BATCH == 0) {
      flush();
    }
    if (sequence % SNAPSHOT_EVERY == 0) {
      store.snapshot("snap-" + sequence / SNAPSHOT_EVERY, sequence);
      System.out.printf("building the history store: %,d of %,d records%n", sequence, RECORDS);
    }
  }

  private void flush() throws IOException {
    if (!batch.isEmpty()) {
      long last = store.append(batch);
      batch.clear();
      if (last != sequence) {
        throw new IllegalStateException(
            "the store numbered the last record " + last + ", the builder " + sequence);
      }
    }
  }

  private static long nanos(long sequence) {
    return (START.getEpochSecond() * 1000 + sequence) * STEP_NANOS;
  }

  private static byte[] bytes(String path) {
    return path.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
