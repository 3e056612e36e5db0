package io.ize.internal.fuse;

/**
 * Where version recording attaches to the filesystem core. The core calls these on the thread that
 * serves the request, after the change succeeded on the source (before, for {@link
 * #beforeContentChange}); a failed call reports nothing. Paths are NUL-terminated bytes relative to
 * the source's root. Implementations must be thread-safe and must not call back into the core.
 */
public interface Capture {
  /** Reports nothing: a mount that passes through without recording. */
  Capture NONE = new Capture() {};

  /** A file is about to be opened for writing or truncated: the point to keep its pre-image. */
  default void beforeContentChange(byte[] path) {}

  /** Bytes were written through an open handle. */
  default void written(byte[] path, long offset, long length) {}

  /** A writer released the file, synced it or truncated it: the point to take its post-image. */
  default void contentChanged(byte[] path) {}

  /** A file, directory, symbolic link or special file was created. */
  default void created(byte[] path) {}

  /** A hard link {@code path} to {@code existing} was made. */
  default void linked(byte[] existing, byte[] path) {}

  /** A name was removed (unlink or rmdir). */
  default void removed(byte[] path) {}

  /** A name was renamed, with {@code renameat2} flags. */
  default void renamed(byte[] from, byte[] to, int flags) {}

  /** Mode, owner, times or extended attributes changed. */
  default void attributesChanged(byte[] path) {}
}
