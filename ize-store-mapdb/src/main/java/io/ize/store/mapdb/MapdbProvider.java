package io.ize.store.mapdb;

import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code mapdb} backend: a pure-Java store, one MapDB file (with its write-ahead log) per
 * directory. It takes no options.
 *
 * <p>Read transactions hold commits off while they are open (MapDB has no snapshots), so they
 * should be short. A directory may be open once per JVM and by one process at a time.
 */
public final class MapdbProvider implements VersionStoreProvider {
  @Override
  public String name() {
    return "mapdb";
  }

  @Override
  public String artifact() {
    return "io.ize:ize-store-mapdb";
  }

  @Override
  public StoreBackend open(Path directory, List<String> tables, Map<String, String> options)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(tables, "tables");
    if (!options.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown option '"
              + options.keySet().iterator().next()
              + "' for the mapdb store, which takes no options; given "
              + options.keySet());
    }
    return MapdbBackend.open(directory, tables);
  }
}
