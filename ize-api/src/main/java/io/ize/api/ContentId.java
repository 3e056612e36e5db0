package io.ize.api;

import java.util.Arrays;
import java.util.HexFormat;

/** The SHA-256 of a file version's chunk list: names one content, shared by every copy of it. */
public final class ContentId {
  private final byte[] hash;

  private ContentId(byte[] hash) {
    if (hash.length != 32) {
      throw new IllegalArgumentException("a content id is 32 bytes, not " + hash.length);
    }
    this.hash = hash.clone();
  }

  public static ContentId of(byte[] sha256) {
    return new ContentId(sha256);
  }

  public byte[] bytes() {
    return hash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentId && Arrays.equals(hash, ((ContentId) o).hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return HexFormat.of().formatHex(hash, 0, 8);
  }
}
