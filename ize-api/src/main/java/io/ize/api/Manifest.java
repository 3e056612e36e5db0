package io.ize.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * The chunk list of one file version, built chunk by chunk: each entry a SHA-256 and a length. Its
 * own SHA-256 is the version's {@link ContentId}. Not thread-safe.
 */
public final class Manifest {
  static final int ENTRY = 36;

  /** Bytes per entry of {@link #bytes()}: a 32-byte SHA-256 and a 4-byte length. */
  public static final int ENTRY_BYTES = ENTRY;

  private final ByteArrayOutputStream entries = new ByteArrayOutputStream();
  private long size;

  /** Appends a chunk. */
  public void add(Chunk chunk) {
    entries.writeBytes(chunk.hash());
    entries.writeBytes(ByteBuffer.allocate(4).putInt(chunk.data().length).array());
    size += chunk.data().length;
  }

  /** Appends entry {@code offset} of another manifest's {@link #bytes()}, unchanged. */
  public void add(byte[] manifest, int offset) {
    entries.write(manifest, offset, ENTRY);
    size += length(manifest, offset);
  }

  /** The chunk length in the entry at {@code offset} of a manifest's {@link #bytes()}. */
  public static int length(byte[] manifest, int offset) {
    return ByteBuffer.wrap(manifest, offset + 32, 4).getInt();
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
