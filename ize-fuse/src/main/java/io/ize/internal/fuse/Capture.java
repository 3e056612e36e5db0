package io.ize.internal.fuse;

import io.ize.api.Operation;

/**
 * Where version recording attaches to the filesystem core. Paths are NUL-terminated bytes relative
 * to the source's root. Implementations must be thread-safe and must not call back into the core.
 *
 * <p>Ordering: the core calls {@link #changed} while holding its order lock, taken before the
 * system call, so the order of {@code changed} calls is the order in which the changes happened.
 */
public interface Capture {
  /** Reports nothing: a mount that passes through without recording. */
  Capture NONE =
      new Capture() {
        @Override
        public boolean active() {
          return false;
        }
      };

  /**
   * Called before a file's content is changed or removed (opened for writing, truncated, unlinked,
   * renamed over): the point to keep its pre-image.
   */
  default void beforeChange(byte[] path) {}

  /** Bytes were written through an open handle. */
  default void written(byte[] path, long offset, long length) {}

  /**
   * A change succeeded. {@code target} is the new path of a rename or link; {@code flags} the
   * {@code renameat2} flags of a rename. Content changes arrive as {@link Operation#WRITE} when a
   * writer releases or syncs a file, and as {@link Operation#TRUNCATE}.
   */
  default void changed(Operation operation, byte[] path, byte[] target, int flags) {}

  /**
   * A writer closed one of its descriptors of the file, which may have changed its content: record
   * the content as at this close. The capture may finish reading the bytes after this returns, so
   * long as any later change of them waits for it in {@link #beforeChange}.
   */
  default void closed(byte[] path) {
    changed(Operation.WRITE, path, null, 0);
  }

  /** 0 to let a change go ahead, or a negative errno to refuse it before it happens. */
  default int admit() {
    return 0;
  }

  /** Whether this capture records anything (the core skips its order lock when not). */
  default boolean active() {
    return true;
  }
}
