package io.ize.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Locale;

/**
 * One phase of the benchmarks' metadata workload (files of 4 KiB spread evenly over directories),
 * timed inside the JVM so that its start-up is not counted; prints the phase's seconds.
 *
 * <pre>{@code
 * java -cp ... io.ize.bench.TreeWorkload create|stat|read|rename|delete DIR FILES DIRS
 * }</pre>
 *
 * <p>Files are {@code dNNNN/fNNNNNNN}; {@code rename} renames each to {@code gNNNNNNN} in its
 * directory; {@code delete} removes whatever the directories hold, then the directories.
 */
public final class TreeWorkload {
  private static final int FILE_BYTES = 4096;

  private TreeWorkload() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException(
          "usage: TreeWorkload create|stat|read|rename|delete DIR FILES DIRS, not "
              + Arrays.toString(args));
    }
    Path root = Path.of(args[1]);
    int files = Integer.parseInt(args[2]);
    int dirs = Integer.parseInt(args[3]);
    if (files <= 0 || dirs <= 0 || files % dirs != 0) {
      throw new IllegalArgumentException(
          "FILES and DIRS must be positive and FILES a multiple of DIRS: " + files + ", " + dirs);
    }
    long start = System.nanoTime();
    switch (args[0]) {
      case "create" -> create(root, files, dirs);
      case "stat" -> stat(root, files, dirs);
      case "read" -> read(root, files, dirs);
      case "rename" -> rename(root, files, dirs);
      case "delete" -> delete(root, dirs);
      default -> throw new IllegalArgumentException("unknown phase " + args[0]);
    }
    System.out.printf(Locale.ROOT, "%.3f%n", (System.nanoTime() - start) / 1e9);
  }

  private static Path dir(Path root, int d) {
    return root.resolve(String.format(Locale.ROOT, "d%04d", d));
  }

  private static String name(char prefix, int f) {
    return String.format(Locale.ROOT, "%c%07d", prefix, f);
  }

  private static void create(Path root, int files, int dirs) throws IOException {
    byte[] content = new byte[FILE_BYTES];
    Arrays.fill(content, (byte) 'x');
    int perDir = files / dirs;
    for (int d = 0; d < dirs; d++) {
      Path dir = Files.createDirectories(dir(root, d));
      for (int i = 0; i < perDir; i++) {
        Files.write(dir.resolve(name('f', d * perDir + i)), content);
      }
    }
  }

  private static void stat(Path root, int files, int dirs) throws IOException {
    int perDir = files / dirs;
    long bytes = 0;
    for (int d = 0; d < dirs; d++) {
      Path dir = dir(root, d);
      for (int i = 0; i < perDir; i++) {
        bytes +=
            Files.readAttributes(
                    dir.resolve(name('f', d * perDir + i)),
                    BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS)
                .size();
      }
    }
    check(bytes, files);
  }

  private static void read(Path root, int files, int dirs) throws IOException {
    int perDir = files / dirs;
    long bytes = 0;
    for (int d = 0; d < dirs; d++) {
      Path dir = dir(root, d);
      for (int i = 0; i < perDir; i++) {
        bytes += Files.readAllBytes(dir.resolve(name('f', d * perDir + i))).length;
      }
    }
    check(bytes, files);
  }

  private static void check(long bytes, int files) throws IOException {
    if (bytes != (long) files * FILE_BYTES) {
      throw new IOException(
          "expected " + files + " files of " + FILE_BYTES + " bytes, saw " + bytes);
    }
  }

  private static void rename(Path root, int files, int dirs) throws IOException {
    int perDir = files / dirs;
    for (int d = 0; d < dirs; d++) {
      Path dir = dir(root, d);
      for (int i = 0; i < perDir; i++) {
        int f = d * perDir + i;
        Files.move(dir.resolve(name('f', f)), dir.resolve(name('g', f)));
      }
    }
  }

  private static void delete(Path root, int dirs) throws IOException {
    for (int d = 0; d < dirs; d++) {
      Path dir = dir(root, d);
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          Files.delete(entry);
        }
      }
      Files.delete(dir);
    }
  }
}
