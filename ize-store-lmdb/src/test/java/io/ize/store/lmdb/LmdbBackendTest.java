package io.ize.store.lmdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import io.ize.testkit.store.StoreBackendContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LmdbBackendTest extends StoreBackendContract {
  @Override
  protected VersionStoreProvider provider() {
    return new LmdbProvider();
  }

  @Test
  void aFullMapGrowsWithoutTheCallerNoticing() throws IOException {
    Path directory = temp.resolve("small");
    StoreBackend store =
        provider().open(directory, TABLES, Map.of(LmdbProvider.MAP_SIZE, "1048576"));
    try {
      Random random = new Random(1);
      byte[][] values = new byte[40][];
      // 40 x 64 KiB in one transaction: 2.5 MiB, more than twice the 1 MiB map.
      commit(
          store,
          txn -> {
            for (int i = 0; i < values.length; i++) {
              values[i] = new byte[64 << 10];
              random.nextBytes(values[i]);
              txn.put("alpha", key(i), values[i]);
            }
          });
      // Then many small transactions, each of which may hit the limit again.
      for (int t = 0; t < 20; t++) {
        byte[] chunk = new byte[256 << 10];
        random.nextBytes(chunk);
        int k = 1000 + t;
        commit(store, txn -> txn.put("beta", key(k), chunk));
      }
      for (int i = 0; i < values.length; i++) {
        assertThat(get(store, "alpha", key(i))).isEqualTo(values[i]);
      }
      assertThat(Files.size(directory.resolve("data.mdb"))).isGreaterThan(1L << 20);
    } finally {
      store.close();
    }
    // Reopened with the small setting, LMDB keeps the map at least as large as the file.
    StoreBackend reopened =
        provider().open(directory, TABLES, Map.of(LmdbProvider.MAP_SIZE, "1048576"));
    try {
      assertThat(scanKeys(reopened, "alpha", new byte[0], null, false)).hasSize(40);
      commit(reopened, txn -> txn.put("alpha", key(99), new byte[3 << 20]));
      assertThat(get(reopened, "alpha", key(99))).hasSize(3 << 20);
    } finally {
      reopened.close();
    }
  }

  @Test
  void growthWaitsForReadersOnOtherThreadsAndTheyKeepTheirSnapshot() throws Exception {
    StoreBackend store =
        provider().open(temp.resolve("growing"), TABLES, Map.of(LmdbProvider.MAP_SIZE, "1048576"));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      commit(store, txn -> txn.put("alpha", key(1), utf8("before")));
      CountDownLatch opened = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<byte[]> reader =
          pool.submit(
              () -> {
                try (ReadTransaction txn = store.read()) {
                  opened.countDown();
                  assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
                  return txn.get("alpha", key(2));
                }
              });
      assertThat(opened.await(10, TimeUnit.SECONDS)).isTrue();
      new Thread(
              () -> {
                try {
                  Thread.sleep(300);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                release.countDown();
              })
          .start();
      long start = System.nanoTime();
      commit(store, txn -> txn.put("alpha", key(2), new byte[4 << 20]));
      assertThat(System.nanoTime() - start)
          .as("the commit that grew the map waited for the open reader")
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
      assertThat(reader.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(get(store, "alpha", key(2))).hasSize(4 << 20);
    } finally {
      pool.shutdownNow();
      store.close();
    }
  }

  @Test
  void growthWhileThisThreadHoldsAReaderFailsInsteadOfHanging() throws IOException {
    StoreBackend store =
        provider().open(temp.resolve("self"), TABLES, Map.of(LmdbProvider.MAP_SIZE, "1048576"));
    try (ReadTransaction reader = store.read()) {
      try (WriteTransaction txn = store.write()) {
        txn.put("alpha", key(1), new byte[4 << 20]);
        assertThatThrownBy(txn::commit)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("this thread holds a read transaction");
      }
      assertThat(reader.get("alpha", key(1))).isNull();
    } finally {
      store.close();
    }
  }

  @Test
  void commitsDoNotWaitForOpenReaders() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", key(1), utf8("old")));
    try (ReadTransaction reader = store.read()) {
      // On the reader's own thread: LMDB readers are MVCC snapshots, so this cannot deadlock.
      commit(store, txn -> txn.put("alpha", key(1), utf8("new")));
      assertThat(reader.get("alpha", key(1))).isEqualTo(utf8("old"));
      assertThat(get(store, "alpha", key(1))).isEqualTo(utf8("new"));
    }
  }

  @Test
  void aDirectoryOpensOncePerJvm() throws IOException {
    StoreBackend store = open();
    Path alias = temp.resolve("store").resolve("..").resolve("store");
    assertThatThrownBy(() -> provider().open(alias, TABLES, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open")
        .hasMessageContaining(store.directory().toString());
    store.close();
    StoreBackend again = open();
    commit(again, txn -> txn.put("alpha", key(1), utf8("v")));
    assertThat(get(again, "alpha", key(1))).isEqualTo(utf8("v"));
  }

  @Test
  void keysLongerThan511BytesAreRejectedWithTheirLength() throws IOException {
    StoreBackend store = open();
    try (WriteTransaction txn = store.write()) {
      assertThatThrownBy(() -> txn.put("alpha", new byte[512], utf8("v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("512 bytes")
          .hasMessageContaining("511");
      assertThatThrownBy(() -> txn.put("alpha", new byte[0], utf8("v")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0 bytes");
      assertThat(txn.get("alpha", new byte[512])).isNull();
      txn.delete("alpha", new byte[512]);
    }
  }

  @Test
  void badOptionValuesAreRejectedByName() {
    assertThatThrownBy(
            () ->
                provider().open(temp.resolve("bad"), TABLES, Map.of(LmdbProvider.MAP_SIZE, "lots")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mapSize")
        .hasMessageContaining("lots");
    assertThatThrownBy(
            () ->
                provider().open(temp.resolve("bad"), TABLES, Map.of(LmdbProvider.MAX_READERS, "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxReaders");
  }

  @Test
  void aJvmWithoutTheBufferFlagsIsToldWhichFlagsAtOpenAndNothingIsCreated() throws Exception {
    Path store = temp.resolve("flagless");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OpenAndPrint.class.getName(),
                store.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(output)
        .contains("cannot open the LMDB store " + store)
        .contains("--add-opens java.base/java.nio=ALL-UNNAMED")
        .contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED");
    assertThat(child.exitValue()).isEqualTo(3);
    assertThat(store).doesNotExist();
  }

  /** The child of the test above: opens a store and prints why it could not. */
  static final class OpenAndPrint {
    public static void main(String[] args) throws Exception {
      try (StoreBackend store = new LmdbProvider().open(Path.of(args[0]), TABLES, Map.of())) {
        System.out.println("opened " + store.directory());
      } catch (IOException e) {
        System.out.println(e.getMessage());
        System.exit(3);
      }
    }
  }
}
