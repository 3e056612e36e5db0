package io.ize.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.VersionStoreProvider;
import io.ize.spi.WriteTransaction;
import io.ize.testkit.store.StoreBackendContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MapdbBackendTest extends StoreBackendContract {
  @Override
  protected VersionStoreProvider provider() {
    return new MapdbProvider();
  }

  @Test
  void aDirectoryOpensOncePerJvm() throws IOException {
    StoreBackend store = open();
    assertThatThrownBy(() -> provider().open(temp.resolve("store"), TABLES, Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open")
        .hasMessageContaining(store.directory().toString());
    store.close();
    StoreBackend again = open();
    commit(again, txn -> txn.put("alpha", key(1), utf8("v")));
    assertThat(get(again, "alpha", key(1))).isEqualTo(utf8("v"));
  }

  @Test
  void aDirectoryOpenInAnotherProcessIsRefusedWithAMessage() throws Exception {
    Path directory = temp.resolve("shared");
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Holder.class.getName(),
                directory.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("open");
      assertThatThrownBy(() -> provider().open(directory, TABLES, Map.of()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(directory.toString())
          .hasMessageContaining("another process");
    } finally {
      holder.getOutputStream().close(); // the holder closes the store and exits
      assertThat(holder.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    StoreBackend store = open(directory);
    assertThat(get(store, "alpha", key(7))).isEqualTo(utf8("from the other process"));
  }

  @Test
  void aCommitWhileThisThreadHoldsAReaderFailsInsteadOfDeadlocking() throws IOException {
    StoreBackend store = open();
    commit(store, txn -> txn.put("alpha", key(1), utf8("old")));
    try (ReadTransaction reader = store.read()) {
      try (WriteTransaction txn = store.write()) {
        txn.put("alpha", key(1), utf8("new"));
        assertThatThrownBy(txn::commit)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("this thread holds a read transaction");
      }
      assertThat(reader.get("alpha", key(1))).isEqualTo(utf8("old"));
    }
    assertThat(get(store, "alpha", key(1))).isEqualTo(utf8("old"));
    commit(store, txn -> txn.put("alpha", key(1), utf8("new")));
    assertThat(get(store, "alpha", key(1))).isEqualTo(utf8("new"));
  }

  @Test
  void aFullDiskFailsTheCommitAndLosesNothingCommitted() throws Exception {
    Path small = java.nio.file.Files.createDirectories(temp.resolve("small"));
    int rc =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString())
            .redirectErrorStream(true)
            .start()
            .waitFor();
    org.junit.jupiter.api.Assumptions.assumeTrue(rc == 0, "mounting a small tmpfs needs root");
    try {
      Path filler = small.resolve("filler");
      java.nio.file.Files.write(filler, new byte[1 << 20]);
      Path directory = small.resolve("store");
      java.util.Random random = new java.util.Random(5);
      Map<Integer, byte[]> committed = new java.util.HashMap<>();
      IOException full = null;
      try (StoreBackend store = provider().open(directory, TABLES, Map.of())) {
        for (int i = 0; i < 64 && full == null; i++) {
          byte[] value = new byte[256 << 10];
          random.nextBytes(value);
          try (WriteTransaction txn = store.write()) {
            txn.put("alpha", key(i), value);
            txn.put("beta", key(i), utf8("small " + i));
            txn.commit();
            committed.put(i, value);
          } catch (IOException e) {
            full = e;
          }
        }
        assertThat(full).as("a commit on the full disk fails").isNotNull();
        assertThat(full).hasMessageContaining(directory.toString());
        int failed = committed.size();
        assertThat(failed).as("commits before the disk filled").isGreaterThan(2);
        assertThat(get(store, "alpha", key(failed))).as("the failed commit left nothing").isNull();
        assertThat(get(store, "beta", key(failed))).isNull();
        for (Map.Entry<Integer, byte[]> e : committed.entrySet()) {
          assertThat(get(store, "alpha", key(e.getKey()))).isEqualTo(e.getValue());
        }
        java.nio.file.Files.delete(filler); // room again
        commit(store, txn -> txn.put("beta", key(999), utf8("after")));
      }
      try (StoreBackend store = provider().open(directory, TABLES, Map.of())) {
        assertThat(get(store, "beta", key(999))).isEqualTo(utf8("after"));
        for (Map.Entry<Integer, byte[]> e : committed.entrySet()) {
          assertThat(get(store, "alpha", key(e.getKey()))).isEqualTo(e.getValue());
        }
      }
    } finally {
      new ProcessBuilder("umount", "-l", small.toString()).start().waitFor();
    }
  }

  /** Opens a store in another JVM, writes to it, and holds it until its stdin closes. */
  static final class Holder {
    private Holder() {}

    public static void main(String[] args) throws IOException {
      try (StoreBackend store = new MapdbProvider().open(Path.of(args[0]), TABLES, Map.of())) {
        try (WriteTransaction txn = store.write()) {
          txn.put("alpha", key(7), utf8("from the other process"));
          txn.commit();
        }
        System.out.println("open");
        System.out.flush();
        while (System.in.read() >= 0) {
          // Holds the store until the parent closes our stdin.
        }
      }
    }
  }
}
