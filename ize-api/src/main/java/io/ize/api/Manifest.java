package io.ize.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The chunk list of one file version, built chunk by chunk: each entry a SHA-256 and a length. Its
 * own SHA-256 is the version's {@link ContentId}. Not thread-safe.
 */
public final class Manifest {
  static final int ENTRY = 36;

  private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
  private long size;

  /** Appends a chunk. */
  public void add(Chunk chunk) {
    entries.writeBytes(chunk.hash());
    entries.writeBytes(ByteBuffer.allocate(4).putInt(chunk.data().length).array());
    size += chunk.data().length;
  }

  /** The content's length in bytes. */
  public long size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** The serialised list: 32-byte hash and 4-byte big-endian length per chunk. */
  public byte[] bytes() {
    return entries.toByteArray();
  }

  /** The content's identity, or null for empty content. */
  public ContentId id() {
    return isEmpty() ? null : ContentId.of(Chunker.sha256(bytes()));
  }
}
