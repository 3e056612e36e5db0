package io.ize;

import io.ize.api.ChangeSet;
import io.ize.api.Point;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A live mount of a source directory at a target. Closing it unmounts synchronously: it returns
 * once the kernel has let go of the target, every request in flight has been answered and
 * everything recorded is in the store. Closing twice is safe, and a mount still open when the JVM
 * exits is unmounted by a shutdown hook.
 *
 * <pre>{@code
 * try (VersionStore store = VersionStore.open("lmdb", Path.of("/var/ize/project"));
 *     Mount mount = Ize.mount(Path.of("/srv/project"), Path.of("/srv/project"), store)) {
 *   Snapshot before = mount.snapshot("before-build");
 *   // ... tools write under /srv/project ...
 *   ChangeSet changes = mount.changesSince(before.point());
 *   mount.restore(before.point()); // the tree is back; the restore is history too
 * }
 * }</pre>
 *
 * <p>The history methods need a mount made with a {@link VersionStore}; without one they throw
 * {@link IllegalStateException}. All methods are thread-safe.
 */
public interface Mount extends AutoCloseable {
  /** The directory whose files the mount serves. */
  Path source();

  /** Where the files are visible; may equal {@link #source()}. */
  Path target();

  /** The options the mount was made with. */
  MountOptions options();

  /**
   * The transport serving the mount: {@link Transport#KERNEL} or {@link Transport#JNR_FUSE}, never
   * {@link Transport#AUTO}.
   */
  Transport transport();

  /**
   * What the transport negotiated with the kernel, as stable names: {@code protocol=7.N}, {@code
   * max-write=BYTES} (the largest request), {@code workers=N} (the threads that serve it), and on
   * the kernel transport {@code readdirplus}, {@code parallel-dirops} and, while the kernel serves
   * file data itself, {@code passthrough} (it disappears if the kernel refuses passthrough at run
   * time, and data is then served through Java).
   */
  java.util.Set<String> features();

  /** The store recording this mount. */
  VersionStore store();

  /** Returns once every change made through the mount so far is durable in the store. */
  void sync() throws IOException;

  /** Changes captured but not yet committed to the store. */
  long lag();

  /** Registers a listener for recording failures. */
  void addListener(StoreListener listener);

  /** Labels the state after every change made so far. */
  Snapshot snapshot(String name) throws IOException;

  /** What changed since {@code point}, up to now. */
  ChangeSet changesSince(Point point) throws IOException;

  /**
   * Restores the whole tree to {@code point}, writing through the mount, so the restore is recorded
   * like any change and can itself be undone.
   */
  void restore(Point point) throws IOException;

  /** Restores the file or subtree at {@code path} (relative to the target) to {@code point}. */
  void restore(String path, Point point) throws IOException;

  /** Unmounts, waits for requests in flight and drains the recorder; does nothing if closed. */
  @Override
  void close();
}
