package io.ize.bench.jmh;

import java.util.SplittableRandom;

/**
 * A 64 MiB file: {@code random} (incompressible, every chunk new) or {@code repeats} (16 copies of
 * one 4 MiB random block, so most chunks repeat). {@link #renew} changes it so that no store has
 * seen its chunks, keeping its shape. Not thread-safe.
 */
final class Content {
  static final int SIZE_MIB = 64;
  private static final int SIZE = SIZE_MIB << 20;

  /** Below the smallest chunk (16 KiB), so that every chunk of a renewed file is new. */
  private static final int STAMP_STRIDE = 4096;

  private final byte[] block;
  private final byte[] file;
  private long generation;

  Content(String kind) {
    int blockSize =
        switch (kind) {
          case "random" -> SIZE;
          case "repeats" -> 4 << 20;
          default ->
              throw new IllegalArgumentException(
                  "content kinds are random and repeats, not '" + kind + "'");
        };
    block = new byte[blockSize];
    new SplittableRandom(0x1ce).nextBytes(block);
    file = blockSize == SIZE ? block : new byte[SIZE];
    copyBlocks();
  }

  /** The file's bytes; shared, changed by {@link #renew}. */
  byte[] bytes() {
    return file;
  }

  /** Stamps a new generation number throughout the block and copies it out again. */
  void renew() {
    generation++;
    for (int offset = 0; offset + 8 <= block.length; offset += STAMP_STRIDE) {
      long stamp = generation;
      for (int i = 0; i < 8; i++) {
        block[offset + i] = (byte) stamp;
        stamp >>>= 8;
      }
    }
    copyBlocks();
  }

  private void copyBlocks() {
    if (file != block) {
      for (int offset = 0; offset < file.length; offset += block.length) {
        System.arraycopy(block, 0, file, offset, block.length);
      }
    }
  }
}
