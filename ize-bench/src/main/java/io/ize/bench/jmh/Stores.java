package io.ize.bench.jmh;

import io.ize.api.NodeState;
import io.ize.api.VersionStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Where the benchmarks keep their stores, and the states their events carry. */
final class Stores {
  /** Under /var/tmp rather than /tmp: a disk, not a tmpfs, as a real store would be. */
  static final Path BASE = Path.of(System.getProperty("ize.bench.dir", "/var/tmp/ize-jmh"));

  private Stores() {}

  /** Opens a new, empty store of {@code backend} in {@code BASE/name}, removing what was there. */
  static VersionStore fresh(String backend, String name) throws IOException {
    Path directory = BASE.resolve(name + "-" + backend);
    delete(directory);
    return open(backend, directory);
  }

  /**
   * Opens the store; LMDB starts with a map large enough that growing it (a replay of the commit)
   * does not fall inside a measurement.
   */
  static VersionStore open(String backend, Path directory) throws IOException {
    Map<String, String> options =
        backend.equals("lmdb") ? Map.of("mapSize", Long.toString(16L << 30)) : Map.of();
    return VersionStore.open(backend, directory, options);
  }

  /** Removes a directory and everything below it, if it exists. */
  static void delete(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** A state as the recorder's stat would report it, without content. */
  static NodeState state(int mode, long size, long timeNanos) {
    return new NodeState(
        mode,
        1000,
        1000,
        0,
        size,
        Math.floorDiv(timeNanos, 1_000_000_000L),
        (int) Math.floorMod(timeNanos, 1_000_000_000L),
        null,
        Map.of(),
        null);
  }

  /** Writes {@code value} as {@code digits} decimal digits at {@code offset}. */
  static void digits(byte[] into, int offset, int digits, long value) {
    for (int i = offset + digits - 1; i >= offset; i--) {
      into[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }
}
