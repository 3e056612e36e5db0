package io.ize;

import java.nio.file.Path;

/**
 * A live mount of a source directory at a target. Closing it unmounts synchronously: it returns
 * once the kernel has let go of the target and every request in flight has been answered. Closing
 * twice is safe, and a mount still open when the JVM exits is unmounted by a shutdown hook.
 *
 * <pre>{@code
 * try (Mount mount = Ize.mount(Path.of("/srv/project"), Path.of("/mnt/project"))) {
 *   Files.writeString(mount.target().resolve("hello.txt"), "hi");
 * }
 * }</pre>
 */
public interface Mount extends AutoCloseable {
  /** The directory whose files the mount serves. */
  Path source();

  /** Where the files are visible; may equal {@link #source()}. */
  Path target();

  /** The options the mount was made with. */
  MountOptions options();

  /** Unmounts and waits for requests in flight; does nothing if already closed. */
  @Override
  void close();
}
