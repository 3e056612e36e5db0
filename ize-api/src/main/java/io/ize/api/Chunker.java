package io.ize.api;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Content-defined chunking (FastCDC: a gear hash with normalised chunking) and SHA-256 hashing. Cut
 * points depend only on nearby bytes, so inserting bytes near the start of a file changes the
 * chunks around the insertion and not every chunk after it. Chunks are 16 KiB to 256 KiB, 64 KiB on
 * average. Stateless and thread-safe.
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

  private Chunker() {}

  /** Receives chunks in file order. */
  @FunctionalInterface
  public interface Sink {
    void accept(Chunk chunk) throws IOException;
  }

  /** Cuts {@code in} into chunks, in order, until its end; returns the number of bytes read. */
  public static long split(InputStream in, Sink sink) throws IOException {
    byte[] buffer = new byte[2 * MAX_SIZE];
    int filled = 0;
    long total = 0;
    boolean eof = false;
    while (true) {
      while (!eof && filled < buffer.length) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          eof = true;
        } else {
          filled += n;
          total += n;
        }
      }
      if (filled == 0) {
        return total;
      }
      int cut = cutPoint(buffer, filled);
      byte[] data = java.util.Arrays.copyOf(buffer, cut);
      sink.accept(new Chunk(sha256(data), data));
      System.arraycopy(buffer, cut, buffer, 0, filled - cut);
      filled -= cut;
    }
  }

  /** The length of the first chunk of {@code data[0, length)}. */
  static int cutPoint(byte[] data, int length) {
    if (length <= MIN_SIZE) {
      return length;
    }
    int end = Math.min(length, MAX_SIZE);
    int normal = Math.min(end, AVERAGE_SIZE);
    long hash = 0;
    int i = MIN_SIZE;
    for (; i < normal; i++) {
      hash = (hash << 1) + GEAR[data[i] & 0xff];
      if ((hash & MASK_SMALL) == 0) {
        return i + 1;
      }
    }
    for (; i < end; i++) {
      hash = (hash << 1) + GEAR[data[i] & 0xff];
      if ((hash & MASK_LARGE) == 0) {
        return i + 1;
      }
    }
    return end;
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
