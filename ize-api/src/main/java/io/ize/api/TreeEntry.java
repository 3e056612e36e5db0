package io.ize.api;

import java.nio.charset.StandardCharsets;

/** A path in a tree at some point, with the state of its node there. */
public final class TreeEntry {
  private final byte[] path;
  private final long node;
  private final NodeState state;

  TreeEntry(byte[] path, long node, NodeState state) {
    this.path = path;
    this.node = node;
    this.state = state;
  }

  /** The path relative to the root, as UTF-8 text ("" for the root). */
  public String path() {
    return new String(path, StandardCharsets.UTF_8);
  }

  /** The path's exact bytes. */
  public byte[] pathBytes() {
    return path.clone();
  }

  /** The file's identity: equal for every name of a hard-linked file, kept through renames. */
  public long node() {
    return node;
  }

  public NodeState state() {
    return state;
  }

  @Override
  public String toString() {
    return path() + " " + state;
  }
}
