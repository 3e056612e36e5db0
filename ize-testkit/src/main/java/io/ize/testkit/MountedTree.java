package io.ize.testkit;

import io.ize.Ize;
import io.ize.Mount;
import io.ize.api.LogEntry;
import io.ize.api.Snapshot;
import io.ize.api.VersionStore;
import io.ize.testkit.store.MemoryProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.CleanupMode;

/**
 * One test's (or one class's) temporary directory, store and mount, closed by JUnit's extension
 * store when its context ends: unmount, then keep or delete by the cleanup mode and the outcome of
 * that context (known by then, as {@code @TempDir}'s own cleanup relies on).
 *
 * <p>Not thread-safe: JUnit calls it from the thread running the context's tests.
 */
final class MountedTree implements ExtensionContext.Store.CloseableResource {
  /** The key of the report entry that says where a kept directory is. */
  static final String KEPT = "ize.kept";

  private final Path root;
  private final Path directory;
  private final String backend;
  private final VersionStore store;
  private final Mount mount;
  private final CleanupMode cleanup;
  private final ExtensionContext context;
  private final List<String> failedTests = new ArrayList<>();

  private MountedTree(
      Path root,
      String backend,
      VersionStore store,
      Mount mount,
      CleanupMode cleanup,
      ExtensionContext context) {
    this.root = root;
    this.directory = mount.target();
    this.backend = backend;
    this.store = store;
    this.mount = mount;
    this.cleanup = cleanup;
    this.context = context;
  }

  /**
   * Mounts {@code tree/} over itself in a new temporary directory, recording into {@code store/}.
   */
  static MountedTree open(String backend, CleanupMode cleanup, ExtensionContext context)
      throws IOException {
    Path root = Files.createTempDirectory("ize-test-");
    VersionStore store = null;
    try {
      Path tree = Files.createDirectory(root.resolve("tree"));
      try {
        store = VersionStore.open(backend, root.resolve("store"));
      } catch (IllegalArgumentException e) {
        throw new ExtensionConfigurationException(
            "@IzeTest(backend = \""
                + backend
                + "\") on "
                + context.getRequiredTestClass().getName()
                + ": "
                + e.getMessage(),
            e);
      }
      Mount mount = Ize.mount(tree, tree, store);
      return new MountedTree(root, backend, store, mount, cleanup, context);
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.close();
      }
      MemoryProvider.discard(root.resolve("store"));
      delete(root);
      throw e;
    }
  }

  /** The mounted directory. */
  Path directory() {
    return directory;
  }

  Mount mount() {
    return mount;
  }

  /**
   * Labels what a failed test left (snapshot {@code failed-<method>}) before its rollback, and
   * copies the tree to {@code failed-<method>/} where the directory may be kept.
   */
  void keepFailed(String method) throws IOException {
    String name = "failed-" + method;
    failedTests.add(name);
    mount.snapshot(name);
    if (cleanup != CleanupMode.ALWAYS) {
      copy(directory, root.resolve(name));
    }
  }

  @Override
  public void close() throws IOException {
    mount.close();
    boolean failed = context.getExecutionException().isPresent() || !failedTests.isEmpty();
    boolean keep = cleanup == CleanupMode.NEVER || (cleanup == CleanupMode.ON_SUCCESS && failed);
    try {
      if (keep) {
        Path history = root.resolve("history.txt");
        writeHistory(history);
        String where =
            "Ize kept "
                + context
                    .getTestMethod()
                    .map(m -> context.getRequiredTestClass().getName() + "." + m.getName())
                    .orElse(context.getRequiredTestClass().getName())
                + (failed ? " (failed)" : "")
                + ": tree "
                + directory
                + ", history "
                + history
                + (failedTests.isEmpty() ? "" : ", failed tests' trees " + root + "/failed-*")
                + (backend.equals("memory")
                    ? ""
                    : ", store "
                        + store.directory()
                        + " (ize log --backend "
                        + backend
                        + " --store "
                        + store.directory()
                        + ")");
        System.err.println(where);
        context.publishReportEntry(KEPT, where);
      }
    } finally {
      store.close();
      if (backend.equals("memory")) {
        MemoryProvider.discard(root.resolve("store"));
      }
      if (!keep) {
        delete(root);
      }
    }
  }

  private void writeHistory(Path file) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("# backend " + backend + ", " + store.lastSequence() + " records\n");
      long after = 0;
      List<LogEntry> page;
      do {
        page = store.log(after, 1000, "", null, null);
        for (LogEntry entry : page) {
          out.write(entry + "\n");
          after = entry.sequence();
        }
      } while (!page.isEmpty());
      for (Snapshot snapshot : store.snapshots()) {
        out.write("snapshot " + snapshot + " " + snapshot.created() + "\n");
      }
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Files.copy(
            p,
            to.resolve(from.relativize(p).toString()),
            StandardCopyOption.COPY_ATTRIBUTES,
            LinkOption.NOFOLLOW_LINKS);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Deletes a tree, making directories writable first (a test may have taken that away). */
  static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            dir.toFile().setWritable(true, true);
            dir.toFile().setExecutable(true, true);
            dir.toFile().setReadable(true, true);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
