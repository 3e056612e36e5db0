package io.ize.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.ize.spi.ReadTransaction;
import io.ize.spi.StoreBackend;
import io.ize.spi.WriteTransaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by a process killed with SIGKILL at random moments, many times over, opens with
 * exactly the state of its last finished commit (or of the one in flight) and takes new commits.
 * Without the {@link Journal}, MapDB 3.1.0 broke here within a few rounds.
 */
class MapdbCrashTest {
  private static final List<String> TABLES = List.of("data");
  private static final byte[] COUNT = "#count".getBytes(StandardCharsets.UTF_8);
  private static final int ROUNDS = 12;

  @TempDir Path temp;

  @Test
  void aStoreKilledInTheMiddleOfCommitsHoldsAWholeCommit() throws Exception {
    Path directory = temp.resolve("store");
    Random random = new Random(20261201);
    long reported = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Writer.class.getName(),
                  directory.toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      AtomicLong last = new AtomicLong(-1);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = out.readLine(); line != null; line = out.readLine()) {
                    last.set(Long.parseLong(line));
                  }
                } catch (IOException e) {
                  // the child died; last holds what it said
                }
              });
      reader.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (last.get() < 0 && child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        assertThat(child.isAlive()).as("the writer runs (round %d)", round).isTrue();
        Thread.sleep(50 + random.nextInt(400));
      } finally {
        child.destroyForcibly(); // SIGKILL
        child.waitFor();
        reader.join();
      }
      long committed = last.get();
      assertThat(committed).as("commits the killed writer reported").isGreaterThanOrEqualTo(0);

      try (StoreBackend store = new MapdbProvider().open(directory, TABLES, Map.of())) {
        Map<String, byte[]> found = contents(store);
        long count = found.containsKey("#count") ? decode(found.remove("#count")) : 0;
        assertThat(count)
            .as("commits in the store after round %d (the writer reported %d)", round, committed)
            .isGreaterThanOrEqualTo(committed)
            .isGreaterThanOrEqualTo(reported);
        assertThat(equal(found, expected(count)))
            .as("the store holds exactly the state of commit %d", count)
            .isTrue();
        reported = count;
      }
    }
    assertThat(reported).as("commits over all rounds").isGreaterThan(ROUNDS);
  }

  private static Map<String, byte[]> contents(StoreBackend store) throws IOException {
    Map<String, byte[]> found = new TreeMap<>();
    try (ReadTransaction txn = store.read()) {
      txn.scan(
          "data",
          new byte[0],
          null,
          false,
          (key, value) -> {
            found.put(new String(key, StandardCharsets.UTF_8), value);
            return true;
          });
    }
    return found;
  }

  private static boolean equal(Map<String, byte[]> found, Map<String, byte[]> expected) {
    if (!found.keySet().equals(expected.keySet())) {
      return false;
    }
    return found.entrySet().stream()
        .allMatch(e -> Arrays.equals(e.getValue(), expected.get(e.getKey())));
  }

  /** The data after {@code commits} transactions of {@link #transaction}. */
  private static Map<String, byte[]> expected(long commits) throws IOException {
    Map<String, byte[]> state = new TreeMap<>();
    Changes changes =
        new Changes() {
          @Override
          public void put(String key, byte[] value) {
            state.put(key, value);
          }

          @Override
          public void delete(String key) {
            state.remove(key);
          }
        };
    for (long i = 1; i <= commits; i++) {
      transaction(i, changes);
    }
    return state;
  }

  /** Where a transaction's changes go: a model map or a store's write transaction. */
  private interface Changes {
    void put(String key, byte[] value) throws IOException;

    void delete(String key) throws IOException;
  }

  /**
   * Transaction {@code i}: puts and deletes over a few thousand keys, values from empty to 40 KB
   * (large ones are records of their own in MapDB, and deletes feed its free lists).
   */
  private static void transaction(long i, Changes changes) throws IOException {
    Random random = new Random(i * 1_000_003L);
    int count = 1 + random.nextInt(60);
    for (int c = 0; c < count; c++) {
      String key = "k" + random.nextInt(3000);
      if (random.nextInt(10) < 3) {
        changes.delete(key);
      } else {
        byte[] value =
            new byte[random.nextInt(8) == 0 ? random.nextInt(40_000) : random.nextInt(200)];
        random.nextBytes(value);
        changes.put(key, value);
      }
    }
  }

  private static byte[] encode(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  private static long decode(byte[] value) {
    return ByteBuffer.wrap(value).getLong();
  }

  /** Commits transaction after transaction, printing each one's number once it is committed. */
  static final class Writer {
    private Writer() {}

    public static void main(String[] args) throws IOException {
      Path directory = Path.of(args[0]);
      Files.createDirectories(directory);
      StoreBackend store = new MapdbProvider().open(directory, TABLES, Map.of());
      long count;
      try (ReadTransaction txn = store.read()) {
        byte[] value = txn.get("data", COUNT);
        count = value == null ? 0 : decode(value);
      }
      while (true) { // until killed
        long i = count + 1;
        try (WriteTransaction txn = store.write()) {
          transaction(
              i,
              new Changes() {
                @Override
                public void put(String key, byte[] value) throws IOException {
                  txn.put("data", key.getBytes(StandardCharsets.UTF_8), value);
                }

                @Override
                public void delete(String key) throws IOException {
                  txn.delete("data", key.getBytes(StandardCharsets.UTF_8));
                }
              });
          txn.put("data", COUNT, encode(i));
          txn.commit();
        }
        count = i;
        System.out.println(count);
        System.out.flush();
      }
    }
  }
}
