package io.ize.api;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * Content-defined chunking (FastCDC: a gear hash with normalised chunking) and SHA-256 hashing. Cut
 * points depend only on nearby bytes, so inserting bytes near the start of a file changes the
 * chunks around the insertion and not every chunk after it. Chunks are 16 KiB to 256 KiB, 64 KiB on
 * average. Stateless and thread-safe.
 *
 * <p>SHA-256 costs about as much as finding the cut points, so {@link #split} hashes finished
 * chunks on the common fork-join pool while it looks for the next cut, and hands them to its sink
 * in order on the calling thread. It takes no locks: each chunk's hash is a {@link FutureTask},
 * which the calling thread runs itself when the pool has not reached it yet.
 */
public final class Chunker {
  public static final int MIN_SIZE = 16 * 1024;
  public static final int AVERAGE_SIZE = 64 * 1024;
  public static final int MAX_SIZE = 256 * 1024;

  /** Below the average size a cut needs 18 zero bits (harder), above it 14 (easier). */
  private static final long MASK_SMALL = 0xFFFFC00000000000L;

  private static final long MASK_LARGE = 0xFFFC000000000000L;
  private static final long[] GEAR = new long[256];

  static {
    SplittableRandom random = new SplittableRandom(0x1ce_5eedL);
    for (int i = 0; i < GEAR.length; i++) {
      GEAR[i] = random.nextLong();
    }
  }

  /** The read buffer's first size; it grows by fours to {@code 2 * MAX_SIZE}. */
  private static final int FIRST_BUFFER = 32 * 1024;

  /** Chunks hashed ahead of the sink at most: 1 MiB of copies on average. */
  private static final int IN_FLIGHT = 16;

  /** With one processor a second thread cannot help: hash on the calling thread. */
  private static final boolean PARALLEL = Runtime.getRuntime().availableProcessors() > 1;

  private Chunker() {}

  /** Receives chunks in file order. */
  @FunctionalInterface
  public interface Sink {
    void accept(Chunk chunk) throws IOException;
  }

  /** Cuts {@code in} into chunks, in order, until its end; returns the number of bytes read. */
  public static long split(InputStream in, Sink sink) throws IOException {
    // A cut looks at most MAX_SIZE bytes ahead, so the buffer holds at least that much unread
    // (or the rest of the input); unread bytes move to its front only when fewer remain, not at
    // every cut, so that each byte is moved about once rather than seven times. It starts small
    // and grows to its full size only for an input that fills it, so that a small file (the
    // common case) does not pay for zeroing half a megabyte.
    byte[] buffer = new byte[FIRST_BUFFER];
    int start = 0;
    int filled = 0;
    long total = 0;
    boolean eof = false;
    ArrayDeque<FutureTask<Chunk>> hashing = new ArrayDeque<>();
    while (true) {
      if (!eof && filled - start < MAX_SIZE) {
        System.arraycopy(buffer, start, buffer, 0, filled - start);
        filled -= start;
        start = 0;
        while (!eof && filled < buffer.length) {
          int n = in.read(buffer, filled, buffer.length - filled);
          if (n < 0) {
            eof = true;
          } else {
            filled += n;
            total += n;
            if (filled == buffer.length && buffer.length < 2 * MAX_SIZE) {
              buffer = java.util.Arrays.copyOf(buffer, Math.min(2 * MAX_SIZE, 4 * buffer.length));
            }
          }
        }
      }
      if (filled == start) {
        while (!hashing.isEmpty()) {
          sink.accept(hashed(hashing.poll()));
        }
        return total;
      }
      int cut = cutPoint(buffer, start, filled - start);
      byte[] data = java.util.Arrays.copyOfRange(buffer, start, start + cut);
      start += cut;
      if (!PARALLEL || (eof && start == filled)) {
        // With no further cut to look for meanwhile (and so for every small file), handing the
        // hash to another thread would only add its wake-up to the wait.
        while (!hashing.isEmpty()) {
          sink.accept(hashed(hashing.poll()));
        }
        sink.accept(new Chunk(sha256(data), data));
        continue;
      }
      FutureTask<Chunk> task = new FutureTask<>(() -> new Chunk(sha256(data), data));
      ForkJoinPool.commonPool().execute(task);
      hashing.add(task);
      while (!hashing.isEmpty() && (hashing.size() > IN_FLIGHT || hashing.peek().isDone())) {
        sink.accept(hashed(hashing.poll()));
      }
    }
  }

  /** The chunk {@code task} hashes; runs it here if no pool thread has started it yet. */
  private static Chunk hashed(FutureTask<Chunk> task) throws IOException {
    task.run(); // does nothing if the task has started or finished elsewhere
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for a chunk's SHA-256");
    } catch (ExecutionException e) {
      throw new IllegalStateException("hashing a chunk failed", e.getCause());
    }
  }

  /** The length of the first chunk of {@code data[offset, offset + length)}. */
  static int cutPoint(byte[] data, int offset, int length) {
    if (length <= MIN_SIZE) {
      return length;
    }
    int end = offset + Math.min(length, MAX_SIZE);
    int normal = offset + Math.min(length, AVERAGE_SIZE);
    long hash = 0;
    int i = offset + MIN_SIZE;
    for (; i < normal; i++) {
      hash = (hash << 1) + GEAR[data[i] & 0xff];
      if ((hash & MASK_SMALL) == 0) {
        return i + 1 - offset;
      }
    }
    for (; i < end; i++) {
      hash = (hash << 1) + GEAR[data[i] & 0xff];
      if ((hash & MASK_LARGE) == 0) {
        return i + 1 - offset;
      }
    }
    return end - offset;
  }

  /** The SHA-256 of {@code data}. */
  public static byte[] sha256(byte[] data) {
    return digest().digest(data);
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
