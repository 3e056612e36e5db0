package io.ize.testkit.store;

import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code memory} backend: a store that lives in this JVM, kept per directory so that closing
 * and reopening the same directory finds what was committed. For tests.
 */
public final class MemoryProvider implements VersionStoreProvider {
  private static final Map<Path, Map<String, NavigableMap<byte[], byte[]>>> STORES =
      new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public String artifact() {
    return "io.ize:ize-testkit";
  }

  @Override
  public StoreBackend open(Path directory, List<String> tables, Map<String, String> options) {
    if (!options.isEmpty()) {
      throw new IllegalArgumentException("the memory store takes no options: " + options.keySet());
    }
    Path key = directory.toAbsolutePath().normalize();
    MemoryBackend[] opened = new MemoryBackend[1];
    opened[0] =
        new MemoryBackend(
            key,
            tables,
            STORES.getOrDefault(key, Map.of()),
            () -> STORES.put(key, opened[0].state()));
    return opened[0];
  }

  /**
   * Forgets what was committed under {@code directory}, for harnesses that delete a store after a
   * test: the memory backend otherwise keeps every store it was asked for until the JVM exits.
   */
  public static void discard(Path directory) {
    STORES.remove(directory.toAbsolutePath().normalize());
  }
}
