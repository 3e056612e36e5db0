package io.ize.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  static byte[] encode(NodeState s) {
    return write(
        out -> {
          out.writeInt(s.mode());
          out.writeInt(s.uid());
          out.writeInt(s.gid());
          out.writeLong(s.rdev());
          out.writeLong(s.size());
          out.writeLong(s.mtimeSeconds());
          out.writeInt(s.mtimeNanos());
          writeBytes(out, s.linkTarget());
          Map<String, byte[]> xattrs = s.xattrs();
          out.writeInt(xattrs.size());
          for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            writeBytes(out, e.getKey().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, e.getValue());
          }
          out.writeBoolean(s.content() != null);
          if (s.content() != null) {
            out.write(s.content().bytes());
          }
        });
  }

  static NodeState decodeState(byte[] bytes) {
    return read(
        bytes,
        in -> {
          int mode = in.readInt();
          int uid = in.readInt();
          int gid = in.readInt();
          long rdev = in.readLong();
          long size = in.readLong();
          long seconds = in.readLong();
          int nanos = in.readInt();
          byte[] link = readBytes(in);
          int count = in.readInt();
          Map<String, byte[]> xattrs = new TreeMap<>();
          for (int i = 0; i < count; i++) {
            xattrs.put(new String(readBytes(in), StandardCharsets.UTF_8), readBytes(in));
          }
          ContentId content = null;
          if (in.readBoolean()) {
            byte[] hash = new byte[32];
            in.readFully(hash);
            content = ContentId.of(hash);
          }
          return new NodeState(mode, uid, gid, rdev, size, seconds, nanos, link, xattrs, content);
        });
  }

  static byte[] encode(LogEntry e) {
    return write(
        out -> {
          out.writeLong(e.timeNanos());
          out.writeByte(e.operation().ordinal());
          writeBytes(out, e.pathBytes());
          writeBytes(out, e.targetBytes());
          out.writeInt(e.nodes().length);
          for (long node : e.nodes()) {
            out.writeLong(node);
          }
        });
  }

  static LogEntry decodeEntry(long sequence, byte[] bytes) {
    return read(
        bytes,
        in -> {
          long time = in.readLong();
          Operation operation = Operation.values()[in.readByte()];
          byte[] path = readBytes(in);
          byte[] target = readBytes(in);
          long[] nodes = new long[in.readInt()];
          for (int i = 0; i < nodes.length; i++) {
            nodes[i] = in.readLong();
          }
          return new LogEntry(sequence, time, operation, path, target, nodes);
        });
  }

  /** A node's names: (parent, name) pairs; empty once the node is gone. */
  static byte[] encodeLinks(List<Link> links) {
    return write(
        out -> {
          out.writeInt(links.size());
          for (Link link : links) {
            out.writeLong(link.parent);
            writeBytes(out, link.name);
          }
        });
  }

  static List<Link> decodeLinks(byte[] bytes) {
    return read(
        bytes,
        in -> {
          int count = in.readInt();
          List<Link> links = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            links.add(new Link(in.readLong(), readBytes(in)));
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

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return reader.read(in);
    } catch (IOException e) {
      throw new IllegalStateException("corrupt record in the version store", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    if (bytes == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(bytes.length);
      out.write(bytes);
    }
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }
}
