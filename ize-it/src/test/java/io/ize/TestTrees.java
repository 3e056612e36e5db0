package io.ize;

import io.ize.testkit.internal.Posix;
import io.ize.testkit.internal.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Scratch directories for mount tests: searchable by every user, removed with all they hold. */
final class TestTrees {
  private TestTrees() {}

  /** A new temporary directory with mode 0755, so other users can reach a mount below it. */
  static Path create(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** Removes {@code dir} and everything in it; names are bytes and depth is unbounded. */
  static void delete(Path dir) {
    if (dir != null) {
      Trees.delete(Posix.path(dir));
    }
  }
}
