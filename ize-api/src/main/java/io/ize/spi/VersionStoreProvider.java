package io.ize.spi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A named storage backend, found through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * public final class MemoryProvider implements VersionStoreProvider {
 *   public String name() { return "memory"; }
 *   public StoreBackend open(Path directory, List<String> tables, Map<String, String> options) {
 *     return new MemoryBackend(tables);
 *   }
 * }
 * }</pre>
 */
public interface VersionStoreProvider {
  /** The name users ask for, such as {@code lmdb}: lower case, unique among providers. */
  String name();

  /** The Maven coordinates that provide this backend, for messages ("io.ize:ize-store-lmdb"). */
  String artifact();

  /**
   * Opens (creating if absent) the backend stored in {@code directory}, with the given tables.
   *
   * @param directory the store's own directory; created if missing
   * @param tables the names of the tables the version store will use
   * @param options backend-specific settings; unknown keys are an {@link IllegalArgumentException}
   * @throws IOException if the store cannot be opened; its message names the directory and why
   */
  StoreBackend open(Path directory, List<String> tables, Map<String, String> options)
      throws IOException;
}
