package io.ize.internal.fuse;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/** Paths as the core passes them: NUL-terminated bytes, relative to the source's root. */
final class Names {
  /** The relative path of the source's root. */
  static final byte[] ROOT = {'.', 0};

  private Names() {}

  /** Turns a FUSE path ({@code "/a/b"}) into a NUL-terminated relative path ({@code "a/b"}). */
  static byte[] relative(Pointer fusePath) {
    if (fusePath == null) {
      return null;
    }
    int length = fusePath.indexOf(0, (byte) 0);
    if (length <= 1) {
      return ROOT;
    }
    byte[] relative = new byte[length];
    fusePath.get(1, relative, 0, length - 1);
    return relative;
  }

  /** Copies a NUL-terminated C string, keeping the terminator. */
  static byte[] cString(Pointer string) {
    int length = string.indexOf(0, (byte) 0);
    byte[] bytes = new byte[length + 1];
    string.get(0, bytes, 0, length);
    return bytes;
  }

  /** A NUL-terminated copy of a Java string's UTF-8 bytes. */
  static byte[] cString(String string) {
    byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[utf8.length + 1];
    System.arraycopy(utf8, 0, bytes, 0, utf8.length);
    return bytes;
  }

  /** For messages only: the path with undecodable bytes shown as U+FFFD. */
  static String display(byte[] cString) {
    int length = cString.length;
    while (length > 0 && cString[length - 1] == 0) {
      length--;
    }
    return new String(cString, 0, length, StandardCharsets.UTF_8);
  }
}
