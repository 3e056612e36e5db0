package io.ize.api;

import java.util.Arrays;

/** A piece of file content and its SHA-256, as the chunker cut it. */
public final class Chunk {
  private final byte[] hash;
  private final byte[] data;

  /** Takes ownership of both arrays. */
  public Chunk(byte[] hash, byte[] data) {
    this.hash = hash;
    this.data = data;
  }

  /** The SHA-256 of {@link #data()}; the array is shared, do not modify. */
  public byte[] hash() {
    return hash;
  }

  /** The bytes; the array is shared, do not modify. */
  public byte[] data() {
    return data;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Chunk && Arrays.equals(hash, ((Chunk) o).hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }
}
