package io.ize;

import static io.ize.testkit.assertions.IzeAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.ize.api.Point;
import io.ize.testkit.IzeTest;
import io.ize.testkit.Mounted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The testkit's extension recording into LMDB, whose jar only this module has (the extension is the
 * same for every backend: it opens the store by name).
 */
@IzeTest(backend = "lmdb")
class IzeTestOnLmdbTest {
  @Test
  void recordsIntoAStoreOnDiskNextToTheTree(@Mounted Path dir, @Mounted Mount mount)
      throws IOException {
    Files.writeString(dir.resolve("a.txt"), "through lmdb");

    assertThat(mount, "a.txt").hasVersions(2).hasContentAt(Point.latest(), "through lmdb");
    assertThat(mount.store().directory()).isEqualTo(dir.resolveSibling("store"));
    try (Stream<Path> files = Files.list(mount.store().directory())) {
      assertThat(files).isNotEmpty();
    }
  }
}
