package io.ize;

import io.ize.api.VersionStore;
import io.ize.internal.fuse.FuseMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The entry point: mounts a source directory through FUSE.
 *
 * <pre>{@code
 * try (VersionStore store = VersionStore.open("lmdb", Path.of("/var/ize/project"));
 *     Mount mount = Ize.mount(Path.of("/srv/project"), Path.of("/srv/project"), store)) {
 *   // every change under /srv/project is now recorded
 * }
 * }</pre>
 *
 * <p>The target may be the source itself. Mounting needs {@code /dev/fuse}. As root (on Linux 6.9+)
 * the mount speaks the FUSE kernel protocol itself, with kernel passthrough for file data;
 * elsewhere it uses libfuse 2 ({@code apt-get install libfuse2 fuse3}) and, without root, {@code
 * fusermount}; see {@link MountOptions.Builder#transport}.
 */
public final class Ize {
  private Ize() {}

  /** Mounts {@code source} at {@code target}, recording every change into {@code store}. */
  public static Mount mount(Path source, Path target, VersionStore store) throws IOException {
    return mount(source, target, store, MountOptions.defaults());
  }

  /**
   * Mounts {@code source} at {@code target} without recording: a plain passthrough mount whose
   * history methods throw {@link IllegalStateException}.
   */
  public static Mount mount(Path source, Path target) throws IOException {
    return mount(source, target, null, MountOptions.defaults());
  }

  /**
   * Clears a dead mount left at {@code target} by a killed process, if there is one. {@link #mount}
   * does this itself; call it first when opening a store that the dead process held (a killed
   * daemon whose thread waited on its own mount keeps its files until this aborts it).
   */
  public static void clearDeadMount(Path target) throws IOException {
    FuseMount.clearDeadMount(target.toAbsolutePath().normalize());
  }

  /** Mounts without recording, with options (such as a read-only mount). */
  public static Mount mount(Path source, Path target, MountOptions options) throws IOException {
    return mount(source, target, null, options);
  }

  /**
   * Mounts {@code source} at {@code target}; returns once the mount is live. With a store, every
   * change through the mount is recorded into it (the caller keeps ownership of the store and
   * closes it after the mount); with null, nothing is recorded.
   *
   * @throws java.nio.file.NoSuchFileException if the source or the target does not exist
   * @throws java.nio.file.NotDirectoryException if the source or the target is not a directory
   * @throws java.nio.file.FileSystemException if the target is already a live FUSE mount, or FUSE
   *     is unavailable (no {@code /dev/fuse}, no {@code fusermount}, libfuse 2 not installed)
   */
  public static Mount mount(Path source, Path target, VersionStore store, MountOptions options)
      throws IOException {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(options, "options");
    return FuseMount.mount(source, target, store, options);
  }
}
