package io.ize.cli;

import io.ize.api.VersionStore;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which store a command uses: {@code --store DIR}, or the default store of {@code --source}. */
final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "DIR",
      description = "the version store's directory (default: the source's default store)")
  Path store;

  @Option(
      names = "--source",
      paramLabel = "DIR",
      description = "the recorded source directory (default: the current directory)")
  Path source;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      defaultValue = "lmdb",
      description = "the store's backend: lmdb (default) or mapdb")
  String backend;

  /** The store's directory. */
  Path directory() {
    if (store != null) {
      return store;
    }
    Path src = (source == null ? Path.of("") : source).toAbsolutePath().normalize();
    return defaultStore(src);
  }

  VersionStore open() throws IOException {
    return VersionStore.open(backend, directory());
  }

  /**
   * Where a source's history lives unless told otherwise: under {@code $XDG_DATA_HOME/ize} (or
   * {@code ~/.local/share/ize}), outside the source, so that a mount over the source never records
   * its own store.
   */
  static Path defaultStore(Path source) {
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isEmpty()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    String escaped = source.toString().replace("%", "%25").replace("/", "%2F");
    return base.resolve("ize").resolve(escaped);
  }
}
