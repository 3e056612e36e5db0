package io.ize.api;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The store's encodings: keys (big-endian, so that byte order is numeric order) and values. Names
 * never contain NUL, so a name followed by a NUL sorts every version of one name together and
 * before any longer name.
 */
final class Codec {
  private Codec() {}

  static byte[] u64(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static long u64(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes, offset, 8).getLong();
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      buffer.put(part);
    }
    return buffer.array();
  }

  /** Key of a version of a node's own record: node then sequence. */
  static byte[] nodeKey(long node, long sequence) {
    return ByteBuffer.allocate(16).putLong(node).putLong(sequence).array();
  }

  /** Key of a version of a directory entry: parent, name, NUL, sequence. */
  static byte[] nameKey(long parent, byte[] name, long sequence) {
    return ByteBuffer.allocate(17 + name.length)
        .putLong(parent)
        .put(name)
        .put((byte) 0)
        .putLong(sequence)
        .array();
  }

  /** The bound just past every version of one directory entry. */
  static byte[] nameEnd(long parent, byte[] name) {
    return ByteBuffer.allocate(9 + name.length).putLong(parent).put(name).put((byte) 1).array();
  }

  // ------------------------------------------------------------------ values
  // Big-endian fields, a byte array as its length (-1 for null) then its bytes: the layout
  // DataOutputStream wrote when the store format was fixed, built here in one exact-size array.

  static byte[] encode(NodeState s) {
    byte[] link = s.linkTarget();
    Map<String, byte[]> xattrs = s.xattrsUncopied();
    List<byte[]> names = new ArrayList<>(xattrs.size());
    int length = 3 * 4 + 3 * 8 + 4 + sizeOf(link) + 4 + 1 + (s.content() == null ? 0 : 32);
    for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      length += sizeOf(name) + sizeOf(e.getValue());
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    out.putInt(s.mode()).putInt(s.uid()).putInt(s.gid());
    out.putLong(s.rdev()).putLong(s.size()).putLong(s.mtimeSeconds()).putInt(s.mtimeNanos());
    putBytes(out, link);
    out.putInt(xattrs.size());
    int i = 0;
    for (byte[] value : xattrs.values()) {
      putBytes(out, names.get(i++));
      putBytes(out, value);
    }
    out.put((byte) (s.content() == null ? 0 : 1));
    if (s.content() != null) {
      out.put(s.content().bytes());
    }
    return out.array();
  }

  static NodeState decodeState(byte[] bytes) {
    return read(
        bytes,
        in -> {
          int mode = in.getInt();
          int uid = in.getInt();
          int gid = in.getInt();
          long rdev = in.getLong();
          long size = in.getLong();
          long seconds = in.getLong();
          int nanos = in.getInt();
          byte[] link = getBytes(in);
          int count = in.getInt();
          Map<String, byte[]> xattrs = count == 0 ? Map.of() : new TreeMap<>();
          for (int i = 0; i < count; i++) {
            xattrs.put(new String(getBytes(in), StandardCharsets.UTF_8), getBytes(in));
          }
          ContentId content = null;
          if (in.get() != 0) {
            byte[] hash = new byte[32];
            in.get(hash);
            content = ContentId.of(hash);
          }
          return new NodeState(mode, uid, gid, rdev, size, seconds, nanos, link, xattrs, content);
        });
  }

  static byte[] encode(LogEntry e) {
    byte[] path = e.pathBytes();
    byte[] target = e.targetBytes();
    long[] nodes = e.nodes();
    ByteBuffer out =
        ByteBuffer.allocate(8 + 1 + sizeOf(path) + sizeOf(target) + 4 + 8 * nodes.length);
    out.putLong(e.timeNanos()).put((byte) e.operation().ordinal());
    putBytes(out, path);
    putBytes(out, target);
    out.putInt(nodes.length);
    for (long node : nodes) {
      out.putLong(node);
    }
    return out.array();
  }

  static LogEntry decodeEntry(long sequence, byte[] bytes) {
    return read(
        bytes,
        in -> {
          long time = in.getLong();
          Operation operation = Operation.values()[in.get()];
          byte[] path = getBytes(in);
          byte[] target = getBytes(in);
          long[] nodes = new long[count(in, 8)];
          for (int i = 0; i < nodes.length; i++) {
            nodes[i] = in.getLong();
          }
          return new LogEntry(sequence, time, operation, path, target, nodes);
        });
  }

  /** A node's names: (parent, name) pairs; empty once the node is gone. */
  static byte[] encodeLinks(List<Link> links) {
    int length = 4;
    for (Link link : links) {
      length += 8 + sizeOf(link.name);
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    out.putInt(links.size());
    for (Link link : links) {
      out.putLong(link.parent);
      putBytes(out, link.name);
    }
    return out.array();
  }

  static List<Link> decodeLinks(byte[] bytes) {
    return read(
        bytes,
        in -> {
          int count = count(in, 12);
          List<Link> links = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            links.add(new Link(in.getLong(), getBytes(in)));
          }
          return links;
        });
  }

  /** One name of a node: the directory it is in and its name there. */
  static final class Link {
    final long parent;
    final byte[] name;

    Link(long parent, byte[] name) {
      this.parent = parent;
      this.name = name;
    }

    boolean is(long otherParent, byte[] otherName) {
      return parent == otherParent && java.util.Arrays.equals(name, otherName);
    }
  }

  // ------------------------------------------------------------------ plumbing

  private interface Reader<T> {
    T read(ByteBuffer in);
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) {
    try {
      return reader.read(ByteBuffer.wrap(bytes));
    } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new IllegalStateException("corrupt record in the version store", e);
    }
  }

  private static int sizeOf(byte[] bytes) {
    return 4 + (bytes == null ? 0 : bytes.length);
  }

  private static void putBytes(ByteBuffer out, byte[] bytes) {
    if (bytes == null) {
      out.putInt(-1);
    } else {
      out.putInt(bytes.length).put(bytes);
    }
  }

  private static byte[] getBytes(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[count(length, in, 1)];
    in.get(bytes);
    return bytes;
  }

  /** A count read from {@code in}, of items at least {@code size} bytes each. */
  private static int count(ByteBuffer in, int size) {
    return count(in.getInt(), in, size);
  }

  private static int count(int count, ByteBuffer in, int size) {
    if (count < 0 || (long) count * size > in.remaining()) {
      throw new BufferUnderflowException(); // a corrupt count: fail before allocating it
    }
    return count;
  }
}
