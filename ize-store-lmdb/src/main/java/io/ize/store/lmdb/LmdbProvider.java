package io.ize.store.lmdb;

import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code lmdb} backend: the default embedded store, one LMDB environment per directory.
 *
 * <p>Options:
 *
 * <ul>
 *   <li>{@code mapSize}: the initial map size in bytes (default 1 GiB). The map grows by itself
 *       when full, so this only saves the first growths; LMDB files grow with the data, not with
 *       the map.
 *   <li>{@code maxReaders}: how many read transactions may be open at once (default 1024); more
 *       wait for a slot.
 * </ul>
 *
 * <p>Keys are 1 to 511 bytes (LMDB's limit); values up to 4 GiB. A directory may be open once per
 * JVM; other processes may open it at the same time (LMDB coordinates them through its lock file).
 */
public final class LmdbProvider implements VersionStoreProvider {
  static final String MAP_SIZE = "mapSize";
  static final String MAX_READERS = "maxReaders";

  private static final long DEFAULT_MAP_SIZE = 1L << 30;
  private static final int DEFAULT_MAX_READERS = 1024;

  @Override
  public String name() {
    return "lmdb";
  }

  @Override
  public String artifact() {
    return "io.ize:ize-store-lmdb";
  }

  @Override
  public StoreBackend open(Path directory, List<String> tables, Map<String, String> options)
      throws IOException {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(tables, "tables");
    long mapSize = DEFAULT_MAP_SIZE;
    int maxReaders = DEFAULT_MAX_READERS;
    for (Map.Entry<String, String> option : options.entrySet()) {
      switch (option.getKey()) {
        case MAP_SIZE -> mapSize = number(option, 1L << 16, Long.MAX_VALUE / 4);
        case MAX_READERS -> maxReaders = (int) number(option, 1, 1 << 20);
        default ->
            throw new IllegalArgumentException(
                "unknown option '"
                    + option.getKey()
                    + "' for the lmdb store; it takes "
                    + MAP_SIZE
                    + " and "
                    + MAX_READERS);
      }
    }
    return LmdbBackend.open(directory, tables, mapSize, maxReaders);
  }

  private static long number(Map.Entry<String, String> option, long min, long max) {
    long value;
    try {
      value = Long.parseLong(option.getValue().trim());
    } catch (NumberFormatException e) {
      value = min - 1;
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "option "
              + option.getKey()
              + " of the lmdb store must be a whole number from "
              + min
              + " to "
              + max
              + ", not '"
              + option.getValue()
              + "'");
    }
    return value;
  }
}
