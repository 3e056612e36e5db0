package io.ize.store.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The redo journal that makes a MapDB commit atomic: the new images of every page the commit
 * changes, written and forced before the store file is touched.
 *
 * <p>MapDB 3.1.0 writes a commit's changes into its file in place after logging them, but never
 * replays its log when it opens, so a process killed in the middle of that copy leaves a file half
 * old and half new (seen as broken B-tree nodes and free lists). With this journal the store file
 * changes only after a complete journal is on disk; opening a store applies a complete journal
 * again (idempotent: its pages are whole images) and ignores a torn one (the file was not touched
 * yet).
 *
 * <p>Format: a header (magic, the store file's length after the commit, the page count), then for
 * each page its index and {@link #PAGE} bytes, then a CRC-32C of all of that and the end magic.
 */
final class Journal {
  /** The unit of journaling: small, so a commit of a few records journals a few pages. */
  static final int PAGE = 4096;

  private static final long MAGIC = 0x697a652d6a726e31L; // "ize-jrn1"
  private static final long END = 0x697a652d656e6431L; // "ize-end1"
  private static final int HEADER = 8 + 8 + 4;
  private static final int TRAILER = 4 + 8;

  /** A complete journal: the pages by index and the file length they leave. */
  record Contents(long length, SortedMap<Long, byte[]> pages) {}

  private Journal() {}

  /** Replaces {@code file} with a journal of {@code pages} and forces it to disk. */
  static void write(FileChannel file, long length, SortedMap<Long, byte[]> pages)
      throws IOException {
    // Gathered from the pages themselves rather than copied into one buffer: a commit of new
    // content journals megabytes.
    ByteBuffer[] parts = new ByteBuffer[2 + 2 * pages.size()];
    CRC32C crc = new CRC32C();
    int i = 0;
    parts[i] = ByteBuffer.allocate(HEADER).putLong(MAGIC).putLong(length).putInt(pages.size());
    crc.update(parts[i++].flip().array());
    for (Map.Entry<Long, byte[]> page : pages.entrySet()) {
      parts[i] = ByteBuffer.allocate(8).putLong(page.getKey());
      crc.update(parts[i++].flip().array());
      parts[i++] = ByteBuffer.wrap(page.getValue());
      crc.update(page.getValue());
    }
    parts[i] = ByteBuffer.allocate(TRAILER).putInt((int) crc.getValue()).putLong(END).flip();
    file.truncate(0);
    file.position(0);
    long total = HEADER + pages.size() * (8L + PAGE) + TRAILER;
    for (long written = 0; written < total; ) {
      written += file.write(parts);
    }
    file.force(false);
  }

  /** Marks the journal applied: an empty journal is no journal. */
  static void clear(FileChannel file) throws IOException {
    file.truncate(0);
  }

  /**
   * Reads a journal. Returns null when there is none or it is torn (shorter than its header says,
   * or its checksum does not match): a commit that never reached the store file.
   */
  static Contents read(Path path) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (bytes.length < HEADER + TRAILER) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (buffer.getLong() != MAGIC) {
      return null;
    }
    long length = buffer.getLong();
    int count = buffer.getInt();
    long body = HEADER + (long) count * (8 + PAGE);
    if (count < 0 || body + TRAILER != bytes.length) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, (int) body);
    buffer.position((int) body);
    if (buffer.getInt() != (int) crc.getValue() || buffer.getLong() != END) {
      return null;
    }
    buffer.position(HEADER);
    SortedMap<Long, byte[]> pages = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      long index = buffer.getLong();
      byte[] page = new byte[PAGE];
      buffer.get(page);
      pages.put(index, page);
    }
    return new Contents(length, pages);
  }

  /** Opens (creating) the journal for writing. */
  static FileChannel open(Path path) throws IOException {
    return FileChannel.open(
        path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }
}
