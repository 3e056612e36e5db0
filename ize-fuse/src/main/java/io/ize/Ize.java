package io.ize;

import io.ize.internal.fuse.FuseMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The entry point: mounts a source directory through FUSE.
 *
 * <pre>{@code
 * try (Mount mount = Ize.mount(Path.of("/srv/project"), Path.of("/srv/project"))) {
 *   // every access under /srv/project now passes through Ize
 * }
 * }</pre>
 *
 * <p>The target may be the source itself. Mounting needs {@code /dev/fuse} and libfuse 2 ({@code
 * apt-get install libfuse2 fuse3}); without root it needs {@code fusermount} as well.
 */
public final class Ize {
  private Ize() {}

  /** Mounts {@code source} at {@code target} with {@link MountOptions#defaults()}. */
  public static Mount mount(Path source, Path target) throws IOException {
    return mount(source, target, MountOptions.defaults());
  }

  /**
   * Mounts {@code source} at {@code target}; returns once the mount is live.
   *
   * @throws java.nio.file.NoSuchFileException if the source or the target does not exist
   * @throws java.nio.file.NotDirectoryException if the source or the target is not a directory
   * @throws java.nio.file.FileSystemException if the target is already a live FUSE mount, or FUSE
   *     is unavailable (no {@code /dev/fuse}, no {@code fusermount}, libfuse 2 not installed)
   */
  public static Mount mount(Path source, Path target, MountOptions options) throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(options, "options");
    return FuseMount.mount(source, target, options);
  }
}
