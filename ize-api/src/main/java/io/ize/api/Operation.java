package io.ize.api;

/** What a recorded change did. */
public enum Operation {
  CREATE,
  MKDIR,
  MKNOD,
  SYMLINK,
  LINK,
  UNLINK,
  RMDIR,
  RENAME,
  CHMOD,
  CHOWN,
  UTIMENS,
  TRUNCATE,
  FALLOCATE,
  SETXATTR,
  REMOVEXATTR,
  /** New content, captured when the last writer released the file or synced it. */
  WRITE,
  /** A file's content as first seen, kept before its first change went through. */
  PREIMAGE,
  /** Recording failed here: changes between the neighbouring records were not kept. */
  GAP,
  /**
   * {@link VersionStore#gc} removed the records from this one up to the next record present; its
   * path says which. The tree at points in between is gone.
   */
  PRUNED;

  /** Whether records of this kind can change a file's content. */
  public boolean changesContent() {
    return this == WRITE || this == TRUNCATE || this == FALLOCATE || this == PREIMAGE;
  }
}
