package io.ize.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What a live {@code ize mount} tells other {@code ize} processes about itself: a small file in the
 * store's directory, rewritten every second with the recorder's lag, removed at unmount. A file
 * whose process is gone, or that has not been rewritten for a while, is stale.
 */
record MountStatus(long pid, String target, long lagEvents, Instant updated) {
  static final String FILE = "ize-mount.status";
  static final Duration PERIOD = Duration.ofSeconds(1);

  /** Writes the file atomically (a rename over the old one). */
  void write(Path store) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("target", target);
    p.setProperty("lagEvents", Long.toString(lagEvents));
    p.setProperty("updated", updated.toString());
    Path temp = store.resolve(FILE + ".tmp");
    try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
      p.store(out, "ize mount");
    }
    Files.move(temp, store.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  static void remove(Path store) throws IOException {
    Files.deleteIfExists(store.resolve(FILE));
  }

  /** The status of a live mount recording into {@code store}, if there is one. */
  static Optional<MountStatus> read(Path store) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(store.resolve(FILE), StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException none) {
      return Optional.empty();
    }
    try {
      MountStatus status =
          new MountStatus(
              Long.parseLong(p.getProperty("pid")),
              p.getProperty("target"),
              Long.parseLong(p.getProperty("lagEvents")),
              Instant.parse(p.getProperty("updated")));
      boolean alive = ProcessHandle.of(status.pid).map(ProcessHandle::isAlive).orElse(false);
      boolean fresh = status.updated.isAfter(Instant.now().minus(PERIOD.multipliedBy(10)));
      return alive && fresh ? Optional.of(status) : Optional.empty();
    } catch (RuntimeException damaged) {
      return Optional.empty();
    }
  }
}
